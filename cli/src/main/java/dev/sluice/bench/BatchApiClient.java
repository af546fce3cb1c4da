package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.serde.JsonAvro;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A client of the Batch API ({@code sluice serve}) as a program would write one with the JDK alone. */
record BatchApiClient(URI base, String key, HttpClient http) {

    BatchApiClient(URI base, String key) {
        this(base, key, HttpClient.newHttpClient());
    }

    /** {@code POST /files} as multipart/form-data, the file streamed from disk. */
    JsonNode upload(Path file) throws IOException, InterruptedException {
        String boundary = "sluice-bench-" + System.nanoTime();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + file.getFileName() + "\"\r\nContent-Type: application/jsonl\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest request = authorized("/files").header("Content-Type",
                "multipart/form-data; boundary=" + boundary).POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofString(head), HttpRequest.BodyPublishers.ofFile(file),
                        HttpRequest.BodyPublishers.ofString(tail))).build();
        return parse(http.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    /** {@code POST /batches} of an uploaded file of chat requests; its id. */
    String createBatch(String fileId) throws IOException, InterruptedException {
        return json("POST", "/batches", JsonAvro.mapper().createObjectNode().put("input_file_id", fileId)
                .put("endpoint", "/v1/chat/completions").put("completion_window", "24h")).get("id").asText();
    }

    JsonNode json(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest request = authorized(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return parse(http.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    void download(String fileId, Path to) throws IOException, InterruptedException {
        HttpResponse<Path> response = http.send(authorized("/files/" + fileId + "/content").GET().build(),
                HttpResponse.BodyHandlers.ofFile(to));
        if (response.statusCode() != 200) {
            throw new IOException("downloading " + fileId + " answered " + response.statusCode());
        }
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + key);
    }

    private static JsonNode parse(HttpResponse<String> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException("the API answered " + response.statusCode() + ": " + response.body());
        }
        return JsonAvro.mapper().readTree(response.body().getBytes(StandardCharsets.UTF_8));
    }
}
