package dev.sluice.emulator.openai;

import dev.sluice.backend.openai.OpenAiServer;
import dev.sluice.emulator.openai.Health.Body;
import java.time.Duration;
import java.util.List;

/**
 * The OpenAI-compatible server an {@link OpenAiEmulator} plays: what each serving framework does differently
 * from OpenAI and from the others on the same routes. Facts come from the project's
 * {@code wave2-facts.md} section 2 (vLLM, llama.cpp, Ollama, TGI, SGLang) and {@code sglang-protocol.md} section 6,
 * with their sources repeated beside each value; what neither source settles takes OpenAI's behaviour and says so.
 * A value without a comment is OpenAI's own: finish reason {@code stop}, no {@code priority}, usage in a stream
 * only when {@code include_usage} asks, no pings, no {@code timings}.
 */
public enum Dialect {

    /** vLLM's {@code vllm serve}, taken to run with {@code --enable-prompt-tokens-details}. */
    VLLM(new Traits(
            // GET /health -> 200 empty, 503 if the engine is dead
            // (vllm-project/vllm vllm/entrypoints/serve/instrumentator/health.py @98b137c6)
            Health.empty("/health"),
            // {"error":{message,type,param,code}} with an integer code (wave2-facts.md section 2, vLLM)
            ErrorStyle.NESTED_STATUS_CODE,
            // OpenAI's response_format: wave2-facts.md notes no vLLM deviation (not checked further)
            SchemaPlacement.OPENAI,
            // cached_tokens only with --enable-prompt-tokens-details (vllm/entrypoints/openai/cli_args.py)
            true,
            "stop",
            // extra field priority, int, lower = earlier
            // (vllm/entrypoints/openai/chat_completion/protocol.py @002032ee)
            true,
            // stream_options.include_usage defaults to true once stream_options is given (engine/protocol.py @040a2cc2)
            true,
            null,
            false)),

    /** SGLang's HTTP server, taken to run with {@code --enable-cache-report}. */
    SGLANG(new Traits(
            // /health and /health_generate share a handler; 503 while starting or stopping
            // (sgl-project/sglang python/sglang/srt/entrypoints/http_server.py)
            Health.empty("/health", "/health_generate"),
            // error shape unverified: OpenAI's
            ErrorStyle.OPENAI,
            // unverified: OpenAI's response_format
            SchemaPlacement.OPENAI,
            // cached_tokens needs --enable-cache-report (server_args.py; sglang-protocol.md section 6)
            true,
            "stop",
            // priority is an extra of both completion routes (entrypoints/openai/protocol.py; sglang-protocol.md 6)
            true,
            // usage in streams only when asked (stream_options.include_usage; sglang-protocol.md section 6)
            false,
            null,
            false)),

    /** Hugging Face text-generation-inference (in maintenance mode). */
    TGI(new Traits(
            // GET /health -> 200 empty or 503 {"error":"unhealthy","error_type":"healthcheck"}
            // (huggingface/text-generation-inference router/src/server.rs @db931fcf)
            new Health(List.of("/health"), Body.EMPTY,
                    Body.json("{\"error\":\"unhealthy\",\"error_type\":\"healthcheck\"}")),
            // flat {"error","error_type"}, the shape of its health error (router/src/server.rs @db931fcf)
            ErrorStyle.TGI,
            // tagged {"type":"json"|"json_object"|"regex"|"json_schema","value":...} (GrammarType, router/src/lib.rs)
            SchemaPlacement.TGI_VALUE,
            // unverified: OpenAI's usage, with prompt_tokens_details
            true,
            // stop_sequence, not stop, when a stop string ended it (router/src/lib.rs FinishReason::format)
            "stop_sequence",
            false,
            false,
            null,
            false)),

    /** llama.cpp's {@code llama-server}. */
    LLAMA_CPP(new Traits(
            // GET /health (alias /v1/health) -> 200 {"status":"ok"}, 503 {"error":{"code":503,"message":"Loading
            // model","type":"unavailable_error"}} (ggml-org/llama.cpp tools/server/README.md @25d5b0c5, @00dc8057)
            new Health(List.of("/health", "/v1/health"), Body.json("{\"status\":\"ok\"}"),
                    Body.json("{\"error\":{\"code\":503,\"message\":\"Loading model\","
                            + "\"type\":\"unavailable_error\"}}")),
            // errors have an integer code (tools/server/README.md)
            ErrorStyle.NESTED_STATUS_CODE,
            // {"type":"json_object"|"json_schema","schema":{..}}, schema at the top level (tools/server/README.md)
            SchemaPlacement.TOP_LEVEL,
            // unverified: OpenAI's usage, with prompt_tokens_details
            true,
            "stop",
            false,
            false,
            // SSE comment pings (--sse-ping-interval, 30 s by default), so parsers must skip ':' lines
            // (tools/server/README.md; the default from the server's option list)
            Duration.ofSeconds(30),
            // responses add timings (tools/server/README.md)
            true)),

    /** Ollama's OpenAI compatibility layer. */
    OLLAMA(new Traits(
            // GET|HEAD / -> 200 "Ollama is running" (ollama/ollama server/routes.go @fb307609); a down Ollama does
            // not answer at all, so the emulator's 503 has no body
            new Health(List.of("/"), Body.plain("Ollama is running"), Body.EMPTY),
            // unverified: OpenAI's error shape
            ErrorStyle.OPENAI,
            // response_format is supported (docs/api/openai-compatibility.mdx @fb307609)
            SchemaPlacement.OPENAI,
            // usage lacks prompt_tokens_details (openai/openai.go @fb307609)
            false,
            "stop",
            false,
            false,
            null,
            false)),

    /** TensorRT-LLM's {@code trtllm-serve}. */
    TRTLLM_SERVE(new Traits(
            // GET /health -> 200 empty, 503 "LLM is unavailable. ..." as text
            // (NVIDIA/TensorRT-LLM tensorrt_llm/serve/openai_server.py @00057725 health())
            new Health(List.of("/health"), Body.EMPTY,
                    Body.plain("LLM is unavailable. Please check the server logs for more details.")),
            // ErrorResponse{object:"error",message,type,param,code:int}, not nested
            // (tensorrt_llm/serve/openai_protocol.py @0076e939; openai_server.py create_error_response)
            ErrorStyle.FLAT_STATUS_CODE,
            // ResponseFormat also has a top-level schema (openai_protocol.py @0076e939); OpenAI's shape is served
            SchemaPlacement.OPENAI,
            // UsageInfo.prompt_tokens_details exists (openai_protocol.py @0076e939); when it is filled is unverified
            true,
            "stop",
            // unverified whether requests take a priority; unknown fields are refused there (extra="forbid"),
            // which the emulator does not copy
            false,
            // StreamOptions.include_usage defaults to true (openai_protocol.py @0076e939)
            true,
            null,
            false));

    private final Traits traits;

    Dialect(Traits traits) {
        this.traits = traits;
    }

    /** What this server does differently. */
    Traits traits() {
        return traits;
    }

    /**
     * Whether {@code GET /v1/models} gives each model's {@code max_model_len}, the context it is served with: vLLM's
     * {@code ModelCard} does (vllm {@code vllm/entrypoints/openai/protocol.py}, {@code max_model_len}); trtllm-serve's
     * has no such field ({@code openai_protocol.py}), and the others' were not checked.
     */
    public boolean listsServedContext() {
        return this == VLLM;
    }

    /**
     * The dialect that plays {@code server}: its own, and for OpenAI's API as specified vLLM's, which follows it
     * most closely.
     */
    public static Dialect playing(OpenAiServer server) {
        return server == OpenAiServer.OPENAI ? VLLM : valueOf(server.name());
    }
}
