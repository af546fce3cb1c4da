package dev.sluice.emulator.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How a server writes an error body: the shapes differ in nesting and in what {@code code} holds. */
enum ErrorStyle {

    /** OpenAI's: {@code {"error":{"message","type","param","code"}}} with a string (or null) code. */
    OPENAI {
        @Override
        ObjectNode body(ApiError error) {
            return nested(fields(error).put("code", error.code()));
        }
    },
    /** OpenAI's nesting with the HTTP status as an integer {@code code}, as vLLM and llama.cpp write it. */
    NESTED_STATUS_CODE {
        @Override
        ObjectNode body(ApiError error) {
            return nested(fields(error).put("code", error.status()));
        }
    },
    /** Not nested: {@code {"object":"error","message","type","param","code":<status>}}, as trtllm-serve writes. */
    FLAT_STATUS_CODE {
        @Override
        ObjectNode body(ApiError error) {
            ObjectNode body = JSON.createObjectNode().put("object", "error");
            body.setAll(fields(error));
            return body.put("code", error.status());
        }
    },
    /** TGI's: {@code {"error":"<message>","error_type":"<type>"}}. */
    TGI {
        @Override
        ObjectNode body(ApiError error) {
            return JSON.createObjectNode().put("error", error.getMessage()).put("error_type", error.type());
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    abstract ObjectNode body(ApiError error);

    private static ObjectNode fields(ApiError error) {
        return JSON.createObjectNode().put("message", error.getMessage()).put("type", error.type())
                .put("param", error.param());
    }

    private static ObjectNode nested(ObjectNode error) {
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        return body;
    }
}
