package dev.sluice.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.ServeSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Files endpoints of {@code sluice serve} over real HTTP, with no pipeline behind them: keys, limits, streaming
 * and who sees what, with the files in a folder; {@link ServeS3ITCase} runs the same over a bucket. The batch
 * workflow with the official SDK is {@code ServeITCase}.
 */
class ServeFilesITCase {

    private static final String CATALOG = """
            models:
              - {id: m, family: Test, vendor: Test, origin: US, params-b: 7, context: 4096, license: apache-2.0,
                 commercial: yes, japanese: good, capabilities: [chat],
                 deployment: {backend: triton, endpoint: "localhost:1", served-name: m}}
            policies:
              acme: {commercial: true, monthly-active-users: 1}
            """;

    @TempDir
    Path dir;

    final String acme = ApiKeys.newKey();
    private final String globex = ApiKeys.newKey();
    final HttpClient http = HttpClient.newHttpClient();
    ServeServer server;

    @BeforeEach
    void start() throws Exception {
        server = startServer();
    }

    /** A server over the store {@link #stored} chooses. */
    ServeServer startServer() throws Exception {
        ServeSettings serve = stored(new ServeSettings("localhost:0", null, 4L << 20, null, null,
                List.of(new ServeSettings.ApiKey("acme", ApiKeys.hash(acme)),
                        new ServeSettings.ApiKey("globex", ApiKeys.hash(globex))), null, null, null, 8L << 20));
        // No broker: the files endpoints never reach Kafka.
        SluiceConfig config = new SluiceConfig(new KafkaSettings("localhost:1", "sluice", "avro", null, Map.of()),
                null, null, null, null).withServe(serve);
        return ServeServer.start(config, Catalog.parse(CATALOG, "test"), folder -> dir, ApiKeys.of(serve, null));
    }

    /** Where the files are kept: here the default, a folder, {@link #dir}. */
    ServeSettings stored(ServeSettings serve) {
        return serve;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFileComesBackByteForByteToItsTenantOnly() throws Exception {
        Path input = dir.resolve("in.jsonl");
        byte[] random = new byte[3 << 20];
        new java.util.Random(7).nextBytes(random);
        Files.write(input, random);

        HttpResponse<String> uploaded = upload(acme, input, "batch");
        assertThat(uploaded.statusCode()).isEqualTo(200);
        JsonNode file = ApiJson.MAPPER.readTree(uploaded.body());
        assertThat(file.get("object").asText()).isEqualTo("file");
        assertThat(file.get("bytes").asLong()).isEqualTo(random.length);
        assertThat(file.get("purpose").asText()).isEqualTo("batch");
        assertThat(file.get("filename").asText()).as("no folders from the sender").isEqualTo("in.jsonl");
        assertThat(file.get("expires_at").asLong() - file.get("created_at").asLong()).isEqualTo(30L * 24 * 3600);
        String id = file.get("id").asText();

        HttpResponse<byte[]> content = http.send(get(acme, "/files/" + id + "/content").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(sha256(content.body())).isEqualTo(sha256(random));
        assertThat(http.send(get(globex, "/files/" + id + "/content").build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
        assertThat(send(get(globex, "/files").build()).body()).doesNotContain(id);
        assertThat(send(get(acme, "/files").build()).body()).contains(id);
        assertThat(send(get(globex, "/files/" + id).DELETE().build()).statusCode()).isEqualTo(404);
        assertThat(send(get(acme, "/files/" + id).DELETE().build()).body()).contains("\"deleted\":true");
        assertThat(send(get(acme, "/files/" + id).build()).statusCode()).isEqualTo(404);
    }

    @Test
    void noKeyOrAWrongOneIs401AndTheErrorIsTheApisShape() throws Exception {
        HttpResponse<String> none = send(HttpRequest.newBuilder(url("/files")).build());
        HttpResponse<String> wrong = send(get("sk-wrong", "/batches").build());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        JsonNode error = ApiJson.MAPPER.readTree(wrong.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(send(HttpRequest.newBuilder(URI.create(server.baseUrl().toString().replace("/v1", "/health")))
                .build()).statusCode()).as("a probe needs no key").isEqualTo(200);
    }

    @Test
    void anUploadOverTheLimitAnUnknownPurposeAndABadBatchAreRefused() throws Exception {
        Path big = dir.resolve("big.jsonl");
        Files.write(big, new byte[(4 << 20) + 1]);
        Path small = dir.resolve("small.jsonl");
        Files.writeString(small, "{}\n");

        assertThat(upload(acme, big, "batch").statusCode()).isEqualTo(413);
        assertThat(upload(acme, small, "fine-tune").body()).contains("purpose");
        HttpResponse<String> embeddings = send(get(acme, "/batches").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input_file_id\": \"file-000000000000000000000000\", "
                        + "\"endpoint\": \"/v1/embeddings\", \"completion_window\": \"24h\"}")).build());
        assertThat(embeddings.statusCode()).isEqualTo(400);
        assertThat(ApiJson.MAPPER.readTree(embeddings.body()).at("/error/param").asText()).isEqualTo("endpoint");
        HttpResponse<String> missing = send(get(acme, "/batches").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input_file_id\": \"file-000000000000000000000000\", "
                        + "\"endpoint\": \"/v1/chat/completions\", \"completion_window\": \"24h\"}")).build());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(send(get(acme, "/batches/../../files").build()).statusCode()).isEqualTo(404);
        assertThat(send(get(acme, "/batches/batch_000000000000000000000000").build()).statusCode()).isEqualTo(404);
    }

    @Test
    void aKeysFilesTogetherStayWithinTheTenantsLimit() throws Exception {
        Path file = dir.resolve("three-mib.jsonl");
        Files.write(file, new byte[3 << 20]);

        HttpResponse<String> first = upload(globex, file, "batch");
        assertThat(upload(globex, file, "batch").statusCode()).isEqualTo(200);
        HttpResponse<String> third = upload(globex, file, "batch");

        assertThat(third.statusCode()).as("9 MiB against a limit of 8").isEqualTo(413);
        assertThat(ApiJson.MAPPER.readTree(third.body()).at("/error/code").asText())
                .isEqualTo("storage_limit_exceeded");
        assertThat(upload(acme, file, "batch").statusCode()).as("another tenant's room").isEqualTo(200);
        String id = ApiJson.MAPPER.readTree(first.body()).get("id").asText();
        assertThat(send(get(globex, "/files/" + id).DELETE().build()).statusCode()).isEqualTo(200);
        assertThat(upload(globex, file, "batch").statusCode()).as("room again once one is deleted").isEqualTo(200);
    }

    HttpResponse<String> upload(String key, Path file, String purpose) throws Exception {
        String boundary = "test-boundary";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../"
                + file.getFileName() + "\"\r\n\r\n";
        return send(get(key, "/files").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(file),
                        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"))).build());
    }

    HttpRequest.Builder get(String key, String path) {
        return HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + key);
    }

    private URI url(String path) {
        return URI.create(server.baseUrl() + path);
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
