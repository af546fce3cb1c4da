package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchError;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.sluice.config.ServeSettings;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.PromptBatch;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serve.ApiKeys;
import dev.sluice.serve.LocalS3;
import dev.sluice.serve.ServeServer;
import dev.sluice.terminal.TopicReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice serve} started from the command line in front of a running pipeline, driven by OpenAI's official
 * Java SDK pointed at its base URL: the hosted Batch API's workflow (upload, create, poll, download the output and
 * error files, cancel) unchanged, each request's outcome checked by its {@code custom_id}, and one tenant's key
 * kept out of another's files and batches.
 */
class ServeITCase {

    @TempDir
    static Path dir;

    private static BulkPipeline pipeline;
    private static Thread serve;
    private static URI baseUrl;
    private static String acmeKey;
    private static String globexKey;

    @BeforeAll
    static void start() throws Exception {
        acmeKey = ApiKeys.newKey();
        globexKey = ApiKeys.newKey();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        pipeline = BulkPipeline.start(dir, "serve", """
                serve:
                  listen: localhost:%d
                  files: served-files
                  poll-interval: PT0.2S
                  api-keys:
                    - {tenant: %s, sha256: %s}
                    - {tenant: globex, sha256: %s}
                """.formatted(port, BulkPipeline.TENANT, ApiKeys.hash(acmeKey), ApiKeys.hash(globexKey)));
        baseUrl = URI.create("http://localhost:" + port + "/v1");
        startServe();
    }

    /** {@code sluice serve --config F} as a user runs it; interrupting its thread stops it as Ctrl-C would. */
    private static void startServe() throws Exception {
        serve = new Thread(() -> new CommandLine(new SluiceCli())
                .execute("serve", "--config", pipeline.configFile().toString()), "sluice-serve-cli");
        serve.start();
        awaitHealthy(URI.create(baseUrl.toString().replace("/v1", "/health")));
    }

    private static void stopServe() throws InterruptedException {
        serve.interrupt();
        serve.join(Duration.ofSeconds(20).toMillis());
        assertThat(serve.isAlive()).as("sluice serve stopped").isFalse();
    }

    @AfterAll
    static void stop() throws Exception {
        if (serve != null) {
            stopServe();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void theSdksBatchWorkflowRunsUnchangedAndEveryRequestIsAnsweredOnce() throws Exception {
        OpenAIClient client = client(acmeKey);
        List<String> ids = IntStream.range(0, 12).mapToObj(i -> "req-" + i).toList();
        Path input = dir.resolve("requests.jsonl");
        Files.write(input, ids.stream().map(id -> chatLine(id, "Summarize: the shipment " + id + " left today.", 16))
                .toList());

        FileObject file = upload(client, input);
        assertThat(file.bytes()).isEqualTo(Files.size(input));
        assertThat(file.filename()).isEqualTo("requests.jsonl");
        assertThat(file.purpose().asString()).isEqualTo("batch");

        Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(file.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .metadata(BatchCreateParams.Metadata.builder().putAdditionalProperty("job", JsonValue.from("nightly"))
                        .build())
                .build());
        assertThat(created.status()).isEqualTo(Batch.Status.VALIDATING);
        Batch done = awaitEnd(client, created.id());

        assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
        assertThat(done.requestCounts().orElseThrow().total()).isEqualTo(12);
        assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(12);
        assertThat(done.requestCounts().orElseThrow().failed()).isZero();
        assertThat(done.inProgressAt()).isPresent();
        assertThat(done.finalizingAt()).isPresent();
        assertThat(done.completedAt()).isPresent();
        assertThat(done.errorFileId()).isEmpty();
        assertThat(done.usage().orElseThrow().inputTokens()).isPositive();
        assertThat(done.usage().orElseThrow().outputTokens()).isPositive();
        assertThat(done.metadata().orElseThrow()._additionalProperties().get("job")).isEqualTo(
                JsonValue.from("nightly"));

        List<JsonNode> output = content(client, done.outputFileId().orElseThrow());
        assertThat(output).extracting(line -> line.get("custom_id").asText())
                .as("every request once, matched by custom_id").containsExactlyInAnyOrderElementsOf(ids);
        for (JsonNode line : output) {
            assertThat(line.at("/response/status_code").asInt()).isEqualTo(200);
            assertThat(line.at("/response/body/object").asText()).isEqualTo("chat.completion");
            assertThat(line.at("/response/body/model").asText()).isEqualTo("text-model");
            assertThat(line.at("/response/body/choices/0/message/content").asText()).isNotBlank();
            assertThat(line.at("/response/body/usage/total_tokens").asInt()).isEqualTo(
                    line.at("/response/body/usage/prompt_tokens").asInt()
                            + line.at("/response/body/usage/completion_tokens").asInt());
            assertThat(line.get("error").isNull()).isTrue();
        }
        assertThat(client.batches().list(BatchListParams.builder().limit(1).build()).autoPager().stream()
                .map(Batch::id).toList()).contains(done.id());
        // The batch is a bulk run of the key's tenant: the command line sees it as any other.
        assertThat(pipeline.bulk("status", done.id())).isZero();

        assertThat(client.files().delete(file.id()).deleted()).isTrue();
        assertThatThrownBy(() -> client.files().retrieve(file.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aBadInputFailsTheBatchWhileValidatingNamingEachLineAndNothingIsSent() throws Exception {
        OpenAIClient client = client(acmeKey);
        Path input = dir.resolve("bad.jsonl");
        Files.write(input, List.of(
                chatLine("ok-1", "Hello", 8),
                "{\"custom_id\": \"broken\", \"method\": \"POST\", ",
                chatLine("ok-1", "Hello again", 8),
                chatLine("embed-1", "Embed me", 8).replace("/v1/chat/completions", "/v1/embeddings")));
        FileObject file = upload(client, input);

        Batch failed = awaitEnd(client, create(client, file.id()).id());

        assertThat(failed.status()).isEqualTo(Batch.Status.FAILED);
        assertThat(failed.failedAt()).isPresent();
        List<BatchError> errors = failed.errors().orElseThrow().data().orElseThrow();
        assertThat(errors).extracting(error -> error.line().orElseThrow()).containsExactly(2L, 3L, 4L);
        assertThat(errors).extracting(error -> error.code().orElseThrow())
                .containsExactly("invalid_json", "duplicate_custom_id", "invalid_url");
        assertThat(failed.outputFileId()).isEmpty();
        try (TopicReader<PromptBatch> prompts = TopicReader.ofType(pipeline.config().kafka(),
                pipeline.config().kafka().topics().prompts(), PromptBatch.getClassSchema())) {
            assertThat(prompts.readToEnd()).as("nothing published for a GPU")
                    .noneMatch(batch -> failed.id().equals(batch.getRunId()));
        }
    }

    @Test
    void aCancelledBatchEndsCancelledWithEachRequestInTheOutputOrTheErrorFileOnce() throws Exception {
        OpenAIClient client = client(acmeKey);
        Uploaded uploaded = uploadRequests(client, "c-", 400, "Write at length about ", 256);

        Batch ended;
        try {
            // Most of the batch still waits when it is cancelled.
            String id = createWhileSlow(client, uploaded.file().id());
            Batch cancelling = client.batches().cancel(id);
            assertThat(cancelling.status()).isEqualTo(Batch.Status.CANCELLING);
            assertThat(cancelling.cancellingAt()).isPresent();
            ended = awaitEnd(client, id);
        } finally {
            pipeline.emulators().servers().forEach(server -> server.faults().clear());
        }

        assertThat(ended.status()).isEqualTo(Batch.Status.CANCELLED);
        assertThat(ended.cancelledAt()).isPresent();
        long completed = ended.requestCounts().orElseThrow().completed();
        long failed = ended.requestCounts().orElseThrow().failed();
        assertThat(completed + failed).isEqualTo(400);
        assertThat(failed).isGreaterThan(200);
        assertThat(answered(client, ended)).as("each request once, in one file or the other")
                .containsExactlyInAnyOrderElementsOf(uploaded.ids());
        assertThat(content(client, ended.errorFileId().orElseThrow()))
                .filteredOn(line -> "batch_cancelled".equals(line.at("/error/code").asText())).isNotEmpty();
    }

    @Test
    void aBatchCancelledWhileValidatingStillAccountsForEachRequestOnce() throws Exception {
        OpenAIClient client = client(acmeKey);
        Uploaded uploaded = uploadRequests(client, "v-", 400, "Summarize ", 16);

        Batch created = create(client, uploaded.file().id());
        Batch cancelling = client.batches().cancel(created.id());
        assertThat(cancelling.status()).isEqualTo(Batch.Status.CANCELLING);
        Batch ended = awaitEnd(client, created.id());

        // The pipeline may read the cancel before the submission's count of items: the files wait for the count.
        assertCancelledAccountingForEachRequestOnce(client, ended, uploaded);
    }

    @Test
    void aBatchCancelledWhileValidatingAndStoppedThereEndsOnceTheServerIsBack() throws Exception {
        OpenAIClient before = client(acmeKey);
        Uploaded uploaded = uploadRequests(before, "s-", 5_000, "Summarize ", 16);

        // Stopped at once, the server is still checking the input: its submission is cut short, before the count.
        Batch created = create(before, uploaded.file().id());
        before.batches().cancel(created.id());
        stopServe();
        startServe();
        OpenAIClient client = client(acmeKey);
        Batch ended = awaitEnd(client, created.id());

        assertCancelledAccountingForEachRequestOnce(client, ended, uploaded);
    }

    private static void assertCancelledAccountingForEachRequestOnce(OpenAIClient client, Batch ended,
            Uploaded uploaded) throws IOException {
        assertThat(ended.status()).isEqualTo(Batch.Status.CANCELLED);
        var counts = ended.requestCounts().orElseThrow();
        assertThat(counts.total()).isEqualTo(uploaded.ids().size());
        assertThat(counts.completed() + counts.failed()).isEqualTo(uploaded.ids().size());
        assertThat(answered(client, ended)).as("each request once, in one file or the other")
                .containsExactlyInAnyOrderElementsOf(uploaded.ids());
    }

    @Test
    void aRestartedServerCarriesOnWithTheBatchesItHad() throws Exception {
        OpenAIClient before = client(acmeKey);
        Uploaded uploaded = uploadRequests(before, "r-", 200, "Describe ", 64);

        String id;
        try {
            id = createWhileSlow(before, uploaded.file().id());
            stopServe();
            startServe();
        } finally {
            pipeline.emulators().servers().forEach(server -> server.faults().clear());
        }
        // A new client: the old one's pooled connections were to the stopped server.
        OpenAIClient client = client(acmeKey);
        Batch ended = awaitEnd(client, id);

        assertThat(ended.status()).isEqualTo(Batch.Status.COMPLETED);
        assertThat(content(client, ended.outputFileId().orElseThrow()))
                .extracting(line -> line.get("custom_id").asText()).containsExactlyInAnyOrderElementsOf(uploaded.ids());
    }

    @Test
    void aKeySeesOnlyItsOwnTenantsFilesAndBatches() throws Exception {
        OpenAIClient acme = client(acmeKey);
        Path input = dir.resolve("mine.jsonl");
        Files.write(input, List.of(chatLine("only-1", "Hello", 8)));
        FileObject file = upload(acme, input);
        Batch batch = create(acme, file.id());

        OpenAIClient globex = client(globexKey);
        assertThatThrownBy(() -> globex.batches().retrieve(batch.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> globex.batches().cancel(batch.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> globex.files().retrieve(file.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> globex.files().content(file.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> create(globex, file.id()))
                .isInstanceOf(NotFoundException.class);
        assertThat(globex.batches().list().data()).extracting(Batch::id).doesNotContain(batch.id());
        assertThat(globex.files().list().data()).extracting(FileObject::id).doesNotContain(file.id());
        assertThatThrownBy(() -> client("sk-not-a-key").batches().list()).isInstanceOf(UnauthorizedException.class);
        assertThat(awaitEnd(acme, batch.id()).status()).isEqualTo(Batch.Status.COMPLETED);
    }

    @Test
    void aBatchWhoseFilesAndRecordAreInABucketRunsAsOneInAFolder() throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            ServeSettings serve = pipeline.config().serve().withListen("localhost:0")
                    .withFiles("s3://" + LocalS3.BUCKET + "/serve").withS3(s3.settings());
            try (ServeServer server = ServeServer.start(pipeline.config().withServe(serve),
                    Catalog.load(pipeline.config().catalogPath(pipeline.configFile())), folder -> {
                        throw new AssertionError("no folder is used, but " + folder + " was asked for");
                    }, ApiKeys.of(serve, null))) {
                OpenAIClient client = client(server.baseUrl(), acmeKey);
                List<String> ids = List.of("s3-1", "s3-2", "s3-3");
                Path input = dir.resolve("in-bucket.jsonl");
                Files.write(input, ids.stream().map(id -> chatLine(id, "Name a river near " + id, 16)).toList());
                FileObject file = client.files().create(FileCreateParams.builder().file(input)
                        .purpose(FilePurpose.BATCH).build());

                Batch done = awaitEnd(client, client.batches().create(BatchCreateParams.builder()
                        .inputFileId(file.id()).endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                        .completionWindow(BatchCreateParams.CompletionWindow._24H).build()).id());

                assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
                assertThat(content(client, done.outputFileId().orElseThrow()))
                        .extracting(line -> line.get("custom_id").asText()).containsExactlyInAnyOrderElementsOf(ids);
            }
        }
    }

    private static String chatLine(String customId, String prompt, int maxTokens) {
        return JsonAvro.mapper().createObjectNode().put("custom_id", customId).put("method", "POST")
                .put("url", "/v1/chat/completions").set("body", JsonAvro.mapper().createObjectNode()
                        .put("model", "text-model").put("max_tokens", maxTokens)
                        .set("messages", JsonAvro.mapper().createArrayNode().add(JsonAvro.mapper().createObjectNode()
                                .put("role", "user").put("content", prompt))))
                .toString();
    }

    /** A batch input file uploaded, and the ids of its requests. */
    private record Uploaded(List<String> ids, FileObject file) {}

    /** {@code count} chat requests, {@code prefix} and a number as their ids, the prompt {@code prompt} and the id. */
    private static Uploaded uploadRequests(OpenAIClient client, String prefix, int count, String prompt,
            int maxTokens) throws IOException {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        Path input = dir.resolve(prefix + "requests.jsonl");
        Files.write(input, ids.stream().map(id -> chatLine(id, prompt + id, maxTokens)).toList());
        return new Uploaded(ids, upload(client, input));
    }

    private static FileObject upload(OpenAIClient client, Path input) {
        return client.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
    }

    private static Batch create(OpenAIClient client, String inputFileId) {
        return client.batches().create(BatchCreateParams.builder().inputFileId(inputFileId)
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
    }

    /** A batch created while the servers are twenty times slower, so that it is still running when it returns. */
    private static String createWhileSlow(OpenAIClient client, String inputFileId) throws InterruptedException {
        pipeline.emulators().servers().forEach(server -> server.faults().slowdown(20));
        String id = create(client, inputFileId).id();
        awaitStatus(client, id, Batch.Status.IN_PROGRESS);
        return id;
    }

    private static OpenAIClient client(String key) {
        return client(baseUrl, key);
    }

    private static OpenAIClient client(URI server, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(server.toString()).apiKey(key).maxRetries(0).build();
    }

    private static List<JsonNode> content(OpenAIClient client, String fileId) throws IOException {
        try (var response = client.files().content(fileId); InputStream body = response.body()) {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : new String(body.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(JsonAvro.mapper().readTree(line));
                }
            }
            return lines;
        }
    }

    /** The custom ids in the ended batch's output file and then its error file, each as often as it is there. */
    private static List<String> answered(OpenAIClient client, Batch ended) throws IOException {
        List<String> ids = new ArrayList<>();
        for (Optional<String> file : List.of(ended.outputFileId(), ended.errorFileId())) {
            if (file.isPresent()) {
                content(client, file.get()).forEach(line -> ids.add(line.get("custom_id").asText()));
            }
        }
        return ids;
    }

    private static Batch awaitEnd(OpenAIClient client, String id) throws InterruptedException {
        Set<Batch.Status> ended = Set.of(Batch.Status.COMPLETED, Batch.Status.FAILED, Batch.Status.CANCELLED,
                Batch.Status.EXPIRED);
        return await(client, id, batch -> ended.contains(batch.status()));
    }

    private static void awaitStatus(OpenAIClient client, String id, Batch.Status status) throws InterruptedException {
        await(client, id, batch -> batch.status().equals(status));
    }

    private static Batch await(OpenAIClient client, String id, java.util.function.Predicate<Batch> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Batch batch = client.batches().retrieve(id);
        List<String> seen = new ArrayList<>();
        while (!condition.test(batch)) {
            seen.add(batch.status().asString());
            assertThat(System.nanoTime()).as("batch %s went through %s", id,
                    seen.stream().distinct().collect(Collectors.joining(", "))).isLessThan(deadline);
            Thread.sleep(200);
            batch = client.batches().retrieve(id);
        }
        return batch;
    }

    private static void awaitHealthy(URI health) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("sluice serve answers %s", health).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
