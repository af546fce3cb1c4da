package dev.sluice.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.ServeSettings;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve.files: s3://bucket/prefix} against a real S3-compatible server ({@link LocalS3}): every Files test of
 * {@link ServeFilesITCase} over a bucket, and what a bucket is for: a server started again, as on another host,
 * carries on with the files and batch records it finds there, and nothing is kept on the local disk.
 */
class ServeS3ITCase extends ServeFilesITCase {

    @TempDir
    static Path serverFolder;

    private static LocalS3 s3;
    /** Each test under a prefix of its own: what one test stores, another does not list. */
    private String files;

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    @BeforeEach
    void start() throws Exception {
        // Started by the first test rather than before all, so that each test is reported skipped without it.
        if (s3 == null) {
            s3 = LocalS3.start(serverFolder);
        }
        files = "s3://" + LocalS3.BUCKET + "/serve-" + FileStore.randomHex();
        super.start();
    }

    @Override
    ServeSettings stored(ServeSettings serve) {
        return serve.withFiles(files).withS3(s3.settings());
    }

    @Test
    void aServerStartedAgainOnTheSameBucketServesTheSameFilesAndKeepsNoneLocally() throws Exception {
        Path input = dir.resolve("in.jsonl");
        byte[] random = new byte[2 << 20];
        new Random(11).nextBytes(random);
        Files.write(input, random);
        String id = ApiJson.MAPPER.readTree(upload(acme, input, "batch").body()).get("id").asText();

        server.close();
        server = startServer();

        JsonNode file = ApiJson.MAPPER.readTree(send(get(acme, "/files/" + id).build()).body());
        assertThat(file.get("bytes").asLong()).isEqualTo(random.length);
        byte[] content = http.send(get(acme, "/files/" + id + "/content").build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(sha256(content)).isEqualTo(sha256(random));
        assertThat(send(get(acme, "/files").build()).body()).contains(id);
        assertThat(dir.resolve("files")).as("content and descriptions are in the bucket only").doesNotExist();
        assertThat(dir.resolve("uploads")).doesNotExist();
    }

    @Test
    void anExpiredFileIsGoneForReadersAndSweptFromTheBucket() throws Exception {
        try (ObjectStore bucket = store()) {
            FileObject kept = FileStoreTest.ExpiryCase.sweptIn(new FileStore(bucket)).kept();

            assertThat(bucket.list("files/")).containsExactlyInAnyOrder("files/acme/" + kept.id(),
                    "files/acme/" + kept.id() + ".json");
        }
    }

    @Test
    void batchRecordsWrittenByOneServerAreReadByTheNext() throws Exception {
        Batch batch = Batch.validating("batch_" + FileStore.randomHex(), "/v1/chat/completions",
                "file-" + FileStore.randomHex(), "24h", 1_700_000_000L, 1_700_086_400L, Map.of("job", "nightly"),
                null);
        try (ObjectStore first = store()) {
            new Documents<>(first, "batches", Batch.class, Batch::id, BatchService.IDS).save("acme", batch);
        }
        try (ObjectStore next = store()) {
            Documents<Batch> batches = new Documents<>(next, "batches", Batch.class, Batch::id, BatchService.IDS);
            assertThat(batches.tenants()).containsExactly("acme");
            assertThat(batches.find("acme", batch.id())).contains(batch);
            assertThat(batches.find("globex", batch.id())).isEmpty();
            assertThat(batches.all("acme")).containsExactly(batch);
        }
    }

    @Test
    void aListingReadsEveryPageOfTheBucket() throws Exception {
        try (ObjectStore bucket = store()) {
            // S3 answers a listing a thousand keys at a time.
            List<String> keys = IntStream.range(0, 1_001).mapToObj(i -> "many/" + i).toList();
            for (String key : keys) {
                bucket.write(key, new byte[0]);
            }

            assertThat(bucket.list("many/")).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(bucket.list("many/100")).containsExactlyInAnyOrder("many/100", "many/1000");
        }
    }

    private ObjectStore store() {
        return S3Store.open(S3Location.of(files).orElseThrow(), s3.settings());
    }
}
