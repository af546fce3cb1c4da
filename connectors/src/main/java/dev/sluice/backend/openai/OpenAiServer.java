package dev.sluice.backend.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.intake.JsonSchemaText;
import java.util.Locale;

/**
 * Which server speaks the OpenAI-compatible API at a deployment, for the one thing Sluice must send differently:
 * the form of a structured-output request. Everything else (paths, streaming, usage, errors) is read the same way
 * from all of them, with the differences tolerated where they are read. Facts from
 * {@code shared/reference/wave2-facts.md} §2 unless noted.
 */
public enum OpenAiServer {

    /** OpenAI's API as specified: {@code response_format {type: json_schema, json_schema: {name, schema}}}. */
    OPENAI(Format.OPENAI, false, Priority.NONE),
    /**
     * vLLM's server: OpenAI's form (vllm {@code protocol.py}); {@code priority}, lower first, honoured under
     * {@code --scheduling-policy priority} and an error otherwise.
     */
    VLLM(Format.OPENAI, false, Priority.LOWER_FIRST),
    /**
     * SGLang's HTTP server: OpenAI's form; {@code priority}, higher first by default, honoured under
     * {@code --enable-priority-scheduling} ({@code server_args.py}).
     */
    SGLANG(Format.OPENAI, false, Priority.HIGHER_FIRST),
    /** Ollama: OpenAI's form among its supported fields ({@code docs/api/openai-compatibility.mdx}). */
    OLLAMA(Format.OPENAI, false, Priority.NONE),
    /**
     * trtllm-serve: OpenAI's form, honoured only when the server runs a guided-decoding backend
     * ({@code guided_decoding_backend: xgrammar} in its extra LLM API options; vllm-project/vllm
     * {@code docs/benchmarks/trt_llm_structured_output.md}).
     */
    TRTLLM_SERVE(Format.OPENAI, true, Priority.NONE),
    /** llama.cpp's server: the schema at the top level, {@code {type: json_schema, schema}} ({@code tools/server}). */
    LLAMA_CPP(Format.SCHEMA_AT_TOP, false, Priority.NONE),
    /** TGI: a tagged grammar, {@code {type: json, value: schema}} or {@code {type: regex, value}} ({@code GrammarType}). */
    TGI(Format.TAGGED_VALUE, false, Priority.NONE);

    /** How {@code response_format} carries a constraint. */
    private enum Format { OPENAI, SCHEMA_AT_TOP, TAGGED_VALUE }

    /** Whether the server takes a request {@code priority}, and which way it sorts. */
    private enum Priority { NONE, LOWER_FIRST, HIGHER_FIRST }

    /** The name OpenAI's {@code json_schema.name} requires ({@code [a-zA-Z0-9_-]}, at most 64). */
    private static final String SCHEMA_NAME = "sluice_structure";

    private final Format format;
    private final boolean needsGuidedDecoding;
    private final Priority priority;

    OpenAiServer(Format format, boolean needsGuidedDecoding, Priority priority) {
        this.format = format;
        this.needsGuidedDecoding = needsGuidedDecoding;
        this.priority = priority;
    }

    /** Whether the server takes a request priority, where it runs priority scheduling. */
    public boolean takesPriority() {
        return priority != Priority.NONE;
    }

    /** The {@code priority} that puts interactive work ahead of batch work on this server. */
    int priority(boolean interactive) {
        return switch (priority) {
            case LOWER_FIRST -> interactive ? 0 : 1;
            case HIGHER_FIRST -> interactive ? 1 : 0;
            case NONE -> throw new IllegalStateException(this + " takes no priority");
        };
    }

    /** Parses {@code vllm}, {@code llama-cpp}, {@code trtllm-serve} and the others, as the catalog writes them. */
    public static OpenAiServer parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown server '" + name
                    + "': use openai, vllm, sglang, tgi, llama-cpp, ollama or trtllm-serve");
        }
    }

    /** The name as the catalog writes it. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Whether this server holds a completion to a constraint of {@code kind}: a JSON schema everywhere (trtllm-serve
     * only with a guided-decoding backend), a regex on TGI only, whose tagged grammar names one; grammars nowhere,
     * since their dialects differ from server to server.
     */
    public boolean honours(OutputConstraint.Kind kind, boolean guidedDecoding) {
        if (needsGuidedDecoding && !guidedDecoding) {
            return false;
        }
        return switch (kind) {
            case JSON_SCHEMA -> true;
            case REGEX -> format == Format.TAGGED_VALUE;
            case GRAMMAR -> false;
        };
    }

    /** The {@code response_format} that asks this server for {@code constraint}, which it honours. */
    ObjectNode responseFormat(OutputConstraint constraint) {
        ObjectNode field = JsonNodeFactory.instance.objectNode();
        if (constraint.kind() == OutputConstraint.Kind.REGEX) {
            return field.put("type", "regex").put("value", constraint.text());
        }
        ObjectNode schema = JsonSchemaText.parse(constraint.text());
        return switch (format) {
            case OPENAI -> {
                field.put("type", "json_schema").putObject("json_schema").put("name", SCHEMA_NAME)
                        .put("strict", true).set("schema", schema);
                yield field;
            }
            case SCHEMA_AT_TOP -> {
                field.put("type", "json_schema").set("schema", schema);
                yield field;
            }
            case TAGGED_VALUE -> {
                field.put("type", "json").set("value", schema);
                yield field;
            }
        };
    }
}
