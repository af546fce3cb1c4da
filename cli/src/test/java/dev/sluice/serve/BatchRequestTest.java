package dev.sluice.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/batches} bodies, checked as the hosted API checks them. */
class BatchRequestTest {

    @Test
    void aCompleteBodyIsRead() throws Exception {
        BatchRequest request = BatchRequest.of(json("""
                {"input_file_id": "file-abc", "endpoint": "/v1/completions", "completion_window": "24h",
                 "metadata": {"job": "nightly"}, "output_expires_after": {"anchor": "created_at", "seconds": 7200}}
                """));

        assertThat(request.inputFileId()).isEqualTo("file-abc");
        assertThat(request.endpoint()).isEqualTo("/v1/completions");
        assertThat(request.metadata()).containsEntry("job", "nightly");
        assertThat(request.outputExpiresAfter()).isEqualTo(7200);
    }

    @Test
    void eachFieldOutsideWhatTheApiAcceptsIsRefusedNamingIt() {
        String valid = "\"input_file_id\": \"file-abc\", \"endpoint\": \"/v1/chat/completions\"";
        assertThatThrownBy(() -> BatchRequest.of(json("{" + valid + ", \"completion_window\": \"48h\"}")))
                .hasMessageContaining("completion_window");
        assertThatThrownBy(() -> BatchRequest.of(json("{\"endpoint\": \"/v1/chat/completions\", "
                + "\"completion_window\": \"24h\"}"))).hasMessageContaining("input_file_id");
        assertThatThrownBy(() -> BatchRequest.of(json("{" + valid + ", \"completion_window\": \"24h\", "
                + "\"metadata\": {\"k\": 1}}"))).hasMessageContaining("metadata");
        assertThatThrownBy(() -> BatchRequest.of(json("{" + valid + ", \"completion_window\": \"24h\", "
                + "\"metadata\": {\"" + "k".repeat(65) + "\": \"v\"}}"))).hasMessageContaining("metadata");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ", ").append("\"k").append(i).append("\": \"v\"");
        }
        assertThatThrownBy(() -> BatchRequest.of(json("{" + valid + ", \"completion_window\": \"24h\", "
                + "\"metadata\": {" + many + "}}"))).hasMessageContaining("at most 16");
        assertThatThrownBy(() -> BatchRequest.of(json("{" + valid + ", \"completion_window\": \"24h\", "
                + "\"output_expires_after\": {\"anchor\": \"created_at\", \"seconds\": 60}}")))
                .hasMessageContaining("output_expires_after");
        assertThatThrownBy(() -> BatchRequest.of(json("[1]"))).hasMessageContaining("JSON object");
    }

    private static JsonNode json(String text) throws Exception {
        return ApiJson.MAPPER.readTree(text);
    }
}
