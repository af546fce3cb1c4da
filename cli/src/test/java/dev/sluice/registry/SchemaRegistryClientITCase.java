package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.schema.ChatMessage;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.RegistryFraming;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SchemaRegistryClient} against a real registry: Apicurio Registry 3.3.3's Confluent-compatible API, requiring
 * HTTP basic authentication. Each check reads with a client of its own, so what it gets comes from the registry and
 * not from a cache filled by writing.
 */
class SchemaRegistryClientITCase {

    private static final Schema PROMPT = PromptRequest.getClassSchema();
    private static final String USER = "sluice";
    private static final String PASSWORD = "s3cret";
    private static ApicurioRegistry apicurio;

    @BeforeAll
    static void start() throws Exception {
        apicurio = ApicurioRegistry.start("SchemaRegistryClientITCase", Map.of(USER, PASSWORD));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (apicurio != null) {
            apicurio.close();
        }
    }

    private static RegistrySettings.Builder settings() {
        return RegistrySettings.builder(apicurio.ccompatUrl()).basicAuth(USER + ":" + PASSWORD);
    }

    private static SchemaRegistryClient client() {
        return new SchemaRegistryClient(settings().build());
    }

    @ParameterizedTest
    @EnumSource(SubjectNameStrategy.class)
    void theSchemaIsRegisteredUnderEachStrategysSubjectAndReadBackById(SubjectNameStrategy strategy) {
        String topic = "prompts-" + strategy.name().toLowerCase();
        SchemaRegistryClient writer = new SchemaRegistryClient(settings().subjectNameStrategy(strategy).build());

        int id = writer.idFor(topic, false, PROMPT);

        String subject = strategy.subject(topic, false, PROMPT);
        assertThat(client().lookup(subject, PROMPT)).hasValue(id);
        assertThat(client().schemaById(id)).isEqualTo(PROMPT);
    }

    @Test
    void equalSchemasGetTheSameIdAndOthersAnother() {
        Schema reparsed = new Schema.Parser().parse(PROMPT.toString(true));
        Schema other = SchemaBuilder.record("Other").namespace("dev.sluice.test").fields().requiredInt("n").endRecord();

        int first = client().register("equal-value", PROMPT);

        assertThat(client().register("equal-value", reparsed)).isEqualTo(first);
        assertThat(client().register("equal-elsewhere-value", PROMPT)).isEqualTo(first);
        assertThat(client().register("equal-value", other)).isNotEqualTo(first);
    }

    @Test
    void aFramedRecordRoundTripsThroughTheRegistry() throws IOException {
        PromptRequest prompt = PromptRequest.newBuilder().setRequestId("r-1").setTenant("acme")
                .setTask(Task.TRANSLATE).setPriority(Priority.BATCH).setTargetLanguage("ja")
                .setMessages(List.of(new ChatMessage("user", "翻訳してください: hello")))
                .setParams(GenerationParams.newBuilder().setMaxTokens(64).build()).build();
        byte[] framed = RegistryFraming.frame(client().idFor("roundtrip", false, PROMPT), avro(prompt));

        SchemaRegistryClient reader = client();
        int id = RegistryFraming.schemaId(framed).orElseThrow();
        Schema writerSchema = reader.schemaById(id);
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(framed, RegistryFraming.HEADER_LENGTH,
                framed.length - RegistryFraming.HEADER_LENGTH, null);
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(writerSchema).read(null, in);

        assertThat(in.isEnd()).isTrue();
        assertThat(decoded.get("request_id")).hasToString("r-1");
        assertThat(decoded.get("target_language")).hasToString("ja");
        assertThat(decoded).hasToString(prompt.toString());
    }

    @Test
    void anIncompatibleSchemaIsRefusedWith409() throws Exception {
        Schema original = SchemaBuilder.record("Evolving").namespace("dev.sluice.test").fields()
                .requiredInt("n").endRecord();
        Schema incompatible = SchemaBuilder.record("Evolving").namespace("dev.sluice.test").fields()
                .requiredString("s").endRecord();
        client().register("evolving-value", original);
        // Apicurio checks no compatibility unless told to; Confluent's default is BACKWARD.
        assertThat(put("/config/evolving-value", "{\"compatibility\":\"BACKWARD\"}")).isEqualTo(200);

        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> client().register("evolving-value", incompatible));

        assertThat(e.httpStatus()).hasValue(409);
        assertThat(e.errorCode()).hasValue(409);
        assertThat(e.getMessage()).contains("Incompatible");
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void absentSchemasAndIdsAreTheRegistrysNotFound() {
        Schema unregistered = SchemaBuilder.record("Never").namespace("dev.sluice.test").fields()
                .requiredInt("n").endRecord();
        client().register("present-value", PROMPT);

        assertThat(client().lookup("absent-value", PROMPT)).isEmpty();
        assertThat(client().lookup("present-value", unregistered)).isEmpty();
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> client().schemaById(999_999));
        assertThat(e.httpStatus()).hasValue(404);
        assertThat(e.errorCode()).hasValue(40403);
    }

    @Test
    void withAutoRegisterOffOnlyARegisteredSchemaHasAnId() {
        SchemaRegistryClient lookingUp = new SchemaRegistryClient(settings().autoRegister(false).build());

        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> lookingUp.idFor("manual", false, PROMPT));
        assertThat(e).hasMessage("schema dev.sluice.schema.PromptRequest is not registered under subject"
                + " 'manual-value', and auto-register is off");

        int id = client().register("manual-value", PROMPT);
        assertThat(lookingUp.idFor("manual", false, PROMPT)).isEqualTo(id);
    }

    @Test
    void withoutTheRightCredentialsTheRegistryRefuses() {
        SchemaRegistryClient anonymous =
                new SchemaRegistryClient(RegistrySettings.builder(apicurio.ccompatUrl()).build());
        SchemaRegistryClient wrong = new SchemaRegistryClient(
                RegistrySettings.builder(apicurio.ccompatUrl()).basicAuth(USER + ":wrong").build());

        for (SchemaRegistryClient client : List.of(anonymous, wrong)) {
            RegistryException e = catchThrowableOfType(RegistryException.class,
                    () -> client.register("auth-value", PROMPT));
            assertThat(e.httpStatus()).hasValue(401);
            assertThat(e.isRetryable()).isFalse();
        }
    }

    private static byte[] avro(PromptRequest prompt) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<PromptRequest>(PROMPT).write(prompt, out);
        out.flush();
        return bytes.toByteArray();
    }

    /** A call outside the client's API (it has no config calls): the HTTP status. */
    private static int put(String path, String json) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(apicurio.ccompatUrl() + path))
                .header("Authorization", "Basic " + credentials)
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
