package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.sluice.bulk.BulkRequests.RunSpec;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link BulkSubmitter}: a first submission, its commands and batches recorded by a mock producer. */
class BulkSubmitterTest {

    private static final SluiceConfig SETTINGS = new SluiceConfig(
            new KafkaSettings("broker:9092", "sluice", "avro", null, Map.of()), null, null, null, "catalog.yaml");
    /** One model of a 4,096-token context, which the tenant may use. */
    private static final Catalog CATALOG = Catalog.parse("""
            models:
              - {id: text-model, family: Test, vendor: Test, origin: US, params-b: 7, context: 4096,
                 license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat],
                 use-cases: [summarize, translate],
                 deployment: {backend: triton, endpoint: "localhost:1", served-name: text_ensemble,
                              max-batch-size: 16}}
            policies:
              acme: {commercial: true, monthly-active-users: 1000}
            """, "test catalog");
    private static final RecordCodec<RunCommand> COMMANDS = new RecordCodec<>(RunCommand.getClassSchema());
    private static final RecordCodec<PromptBatch> BATCHES = new RecordCodec<>(PromptBatch.getClassSchema());

    @TempDir
    Path dir;

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

    @Test
    void anOpenAiBatchIdIsARunIdButTheItemAndAttemptSeparatorsAreNot() {
        assertThat(BulkSubmitter.RUN_ID.matcher("batch_69a1f0c2e8d4").matches()).isTrue();
        assertThat(BulkSubmitter.RUN_ID.matcher("run-1.2:3").matches()).isTrue();
        assertThat(BulkSubmitter.RUN_ID.matcher("_leading").matches()).isFalse();
        assertThat(BulkSubmitter.RUN_ID.matcher("run#1").matches()).isFalse();
        assertThat(BulkSubmitter.RUN_ID.matcher("run~1").matches()).isFalse();
    }

    @Test
    void fiftyThousandLinesAreCheckedAndDigestedThenPublishedInBatches() throws IOException {
        Path input = Files.write(dir.resolve("batch.jsonl"), IntStream.range(0, 50_000).mapToObj(i -> i % 2 == 0
                ? "{\"custom_id\": \"q-" + i + "\", \"text\": \"question " + i + "\"}"
                : "{\"custom_id\": \"q-" + i + "\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
                        + "\"body\": {\"messages\": [{\"role\": \"user\", \"content\": \"question " + i + "\"}]}}")
                .toList());

        BulkSubmitter.Result result = submit(input, "batch_0a1b");

        assertThat(result.error()).isNull();
        assertThat(result).extracting(BulkSubmitter.Result::items, BulkSubmitter.Result::requests,
                BulkSubmitter.Result::published).containsExactly(50_000, 50_000, 50_000);
        List<RunCommand> commands = commands();
        assertThat(commands).extracting(RunCommand::getAction)
                .containsExactly(RunAction.VALIDATING, RunAction.SUBMITTED);
        // The digest the two passes computed a line at a time is the one of the whole input's requests.
        String whole = BulkRequests.digest(BulkRequests.of(BulkInput.read(input, null, null),
                new RunSpec("batch_0a1b", "acme", Task.CHAT, null, null, null, 8, null, 4096)));
        assertThat(commands.get(1).getTotalItems()).isEqualTo(50_000);
        assertThat(commands.get(1).getInputDigest()).isEqualTo(whole);
        List<PromptBatch> batches = batches();
        assertThat(batches).hasSize(2_000).allSatisfy(batch -> assertThat(batch.getRequests()).hasSize(25));
        assertThat(batches.stream().flatMap(batch -> batch.getRequests().stream()).map(PromptRequest::getRequestId))
                .containsExactlyElementsOf(IntStream.range(0, 50_000).mapToObj(i -> "batch_0a1b#" + i).toList());
        // The pipeline learns of the run before any of its requests.
        assertThat(producer.history().get(1).topic()).isEqualTo(SETTINGS.kafka().topics().of("acme").runCommands());
    }

    @Test
    void anInvalidInputFailsTheRunWithEveryProblemAndPublishesNothing() throws IOException {
        Path input = Files.write(dir.resolve("broken.jsonl"), List.of(
                "{\"custom_id\": \"ok\", \"text\": \"fine\"}",
                "{\"text\": \"no id\"}",
                "{\"custom_id\": \"huge\", \"messages\": [{\"role\": \"user\", \"content\": \""
                        + "x".repeat(1_200_000) + "\"}]}"));

        BulkSubmitter.Result result = submit(input, "broken");

        assertThat(result.invalid()).isTrue();
        assertThat(result.problems()).extracting(Problem::line, Problem::code).containsExactly(
                tuple(2, Problem.MISSING_CUSTOM_ID), tuple(null, Problem.REQUEST_TOO_LARGE));
        assertThat(result.error())
                .startsWith("invalid input: line 2: custom_id is missing\nrequest broken#1 of item 'huge' ");
        assertThat(commands()).extracting(RunCommand::getAction)
                .containsExactly(RunAction.VALIDATING, RunAction.INVALID);
        assertThat(commands().get(1).getMessage()).isEqualTo(InvalidInputException.describe(result.problems()));
        assertThat(batches()).isEmpty();
    }

    @Test
    void aBatchsEndpointAndMostLinesAreHeldToWhileReading() throws IOException {
        Path input = Files.write(dir.resolve("file-abc123"), List.of(
                "{\"custom_id\": \"a\", \"url\": \"/v1/chat/completions\", \"body\": {\"messages\": "
                        + "[{\"role\": \"user\", \"content\": \"m\"}]}}",
                "{\"custom_id\": \"b\", \"url\": \"/v1/completions\", \"body\": {\"prompt\": \"p\"}}",
                "{\"custom_id\": \"c\", \"url\": \"/v1/completions\", \"body\": {\"prompt\": \"p\"}}",
                "not even JSON"));
        BulkSubmitter.Options options = new BulkSubmitter.Options(input, BulkSubmitter.Kind.custom, "batch_9f",
                "acme", null, null, null, null, null, 8, Duration.ofHours(1), 25, BulkInput.COMPLETIONS, 2);

        BulkSubmitter.Result result = new BulkSubmitter(SETTINGS, CATALOG, new RunPublisher(SETTINGS.kafka(), producer))
                .submit(options, null);

        assertThat(result.invalid()).isTrue();
        assertThat(result.problems()).extracting(Problem::line, Problem::code)
                .containsExactly(tuple(1, Problem.INVALID_URL), tuple(3, Problem.TOO_MANY_LINES));
        assertThat(batches()).isEmpty();
    }

    @Test
    void anInputChangedBetweenTheCheckAndThePublishingIsReported() throws IOException {
        Path input = Files.write(dir.resolve("moving.jsonl"), List.of("{\"custom_id\": \"a\", \"text\": \"one\"}"));
        // A line added once the run is submitted, before its requests are read again to be published.
        MockProducer<String, byte[]> appending = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
                if (record.topic().equals(SETTINGS.kafka().topics().of("acme").runCommands())
                        && COMMANDS.decode(record.value()).getAction() == RunAction.SUBMITTED) {
                    append(input, "{\"custom_id\": \"b\", \"text\": \"two\"}\n");
                }
                return super.send(record, callback);
            }
        };

        BulkSubmitter.Result result = new BulkSubmitter(SETTINGS, CATALOG, new RunPublisher(SETTINGS.kafka(),
                appending)).submit(options(input, "moving"), null);

        assertThat(result.error()).isEqualTo("the input of run 'moving' changed while it was published; submit it as "
                + "it is now under another run id");
        assertThat(result.invalid()).isFalse();
    }

    private BulkSubmitter.Result submit(Path input, String runId) {
        return new BulkSubmitter(SETTINGS, CATALOG, new RunPublisher(SETTINGS.kafka(), producer))
                .submit(options(input, runId), null);
    }

    private static BulkSubmitter.Options options(Path input, String runId) {
        return new BulkSubmitter.Options(input, BulkSubmitter.Kind.custom, runId, "acme", null, null, null, null,
                null, 8, Duration.ofHours(1), 25, null, BulkSubmitter.DEFAULT_MAX_ITEMS);
    }

    private List<RunCommand> commands() {
        return producer.history().stream()
                .filter(r -> r.topic().equals(SETTINGS.kafka().topics().of("acme").runCommands()))
                .map(r -> COMMANDS.decode(r.value())).toList();
    }

    private List<PromptBatch> batches() {
        return producer.history().stream()
                .filter(r -> r.topic().equals(SETTINGS.kafka().topics().of("acme").prompts()))
                .map(r -> BATCHES.decode(r.value())).toList();
    }

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
