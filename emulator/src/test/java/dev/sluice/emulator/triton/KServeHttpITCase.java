package dev.sluice.emulator.triton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Triton's HTTP/REST endpoint of the emulator, over a loopback socket. */
class KServeHttpITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static EmulatorServer server;

    @BeforeAll
    static void start() {
        server = EmulatorServer.builder()
                .model(new EmulatedModel("llmapi", engine(), 0, TritonTensorProfile.LLM_API, false, null))
                .model(EmulatedModel.ensemble("ensemble", engine(), 8))
                .http(0)
                .start();
    }

    private static InflightBatchingEngine engine() {
        return new InflightBatchingEngine(CostModel.llama8bH100(), 20);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aJsonRequestWithOnlyTheTextIsAnsweredByTheLlmApiModel() throws Exception {
        HttpResponse<String> response = post("/v2/models/llmapi/infer", """
                {"id": "1", "inputs": [{"name": "text_input", "datatype": "BYTES", "shape": [1],
                  "data": ["日本語で答えてください"]}], "outputs": [{"name": "text_output"}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode output = JSON.readTree(response.body()).path("outputs").get(0);
        assertThat(output.path("name").asText()).isEqualTo("text_output");
        try (ModelTokenizer tokenizer = ModelTokenizer.bundled()) {
            String completion = EmulatedCompletion.of(tokenizer, "日本語で答えてください", 64).text();
            assertThat(output.path("data").get(0).asText()).isEqualTo("日本語で答えてください" + completion);
        }
    }

    @Test
    void theEnsembleStillNeedsMaxTokensAndSaysSoAsTritonWould() throws Exception {
        HttpResponse<String> response = post("/v2/models/ensemble/infer", """
                {"inputs": [{"name": "text_input", "datatype": "BYTES", "shape": [1, 1], "data": [["hello"]]}]}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("max_tokens");
    }

    @Test
    void readinessAndUnknownModelsAnswerLikeTriton() throws Exception {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/v2/health/ready")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = post("/v2/models/nope/infer", "{\"inputs\": []}");

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("unknown model");
    }
}
