package dev.sluice.emulator.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How a server writes an error body: the shapes differ in nesting and in what {@code code} holds. */
enum ErrorStyle {

    /** OpenAI's: {@code {"error":{"message","type","param","code"}}} with a string (or null) code. */
    OPENAI {
        @Override
        ObjectNode body(ApiError error) {
            ObjectNode body = JSON.createObjectNode();
            fields(body.putObject("error"), error).put("code", error.code());
            return body;
        }
    },
    /** OpenAI's nesting with the HTTP status as an integer {@code code}, as vLLM and llama.cpp write it. */
    NESTED_STATUS_CODE {
        @Override
        ObjectNode body(ApiError error) {
            ObjectNode body = JSON.createObjectNode();
            fields(body.putObject("error"), error).put("code", error.status());
            return body;
        }
    },
    /** Not nested: {@code {"object":"error","message","type","param","code":<status>}}, as trtllm-serve writes. */
    FLAT_STATUS_CODE {
        @Override
        ObjectNode body(ApiError error) {
            return fields(JSON.createObjectNode().put("object", "error"), error).put("code", error.status());
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

    private static ObjectNode fields(ObjectNode node, ApiError error) {
        return node.put("message", error.getMessage()).put("type", error.type()).put("param", error.param());
    }
}
