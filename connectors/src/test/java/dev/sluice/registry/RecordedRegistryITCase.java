package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.schema.PromptRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SchemaRegistryClient} against a stand-in on a loopback socket that replays the registry API's answers, most
 * of them as Apicurio Registry 3.3.3's Confluent-compatible API gave them, and some hostile: too long, not JSON, not
 * a schema.
 */
class RecordedRegistryITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema PROMPT = PromptRequest.getClassSchema();
    private static final String SMALL_SCHEMA =
            "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.b\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}";
    // Answers as Apicurio 3.3.3 gave them to curl.
    private static final String REGISTERED = "{\"id\":1}";
    private static final String SCHEMA_1 = "{\"schema\":" + quoted(SMALL_SCHEMA) + "}";
    private static final String LOOKED_UP =
            "{\"subject\":\"t-value\",\"version\":1,\"id\":1,\"schema\":" + quoted(SMALL_SCHEMA) + "}";
    private static final String SCHEMA_NOT_FOUND = "{\"message\":\"Schema 999 not found.\",\"error_code\":40403}";
    private static final String SUBJECT_NOT_FOUND = "{\"message\":\"Subject 'nope' not found.\",\"error_code\":40401}";
    private static final String NOT_UNDER_SUBJECT = "{\"message\":\"The given schema does not match any schema under"
            + " the subject t-value\",\"error_code\":40403}";
    private static final String INCOMPATIBLE = "{\"message\":\"io.apicurio.registry.rules.violation."
            + "RuleViolationException: Incompatible artifact: t-value [AVRO], num of incompatible diffs: {1}, list of"
            + " diff types: [z at /fields/0]\",\"error_code\":409}";

    private StubRegistry registry;

    @BeforeEach
    void start() throws IOException {
        registry = new StubRegistry();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private SchemaRegistryClient client() {
        return new SchemaRegistryClient(RegistrySettings.builder(registry.url()).build());
    }

    @Test
    void registerPostsTheSchemaOnceAndReturnsItsId() throws Exception {
        registry.on("POST", "/subjects/sluice.prompts-value/versions", StubRegistry.json(200, REGISTERED));
        SchemaRegistryClient client = client();

        assertThat(client.register("sluice.prompts-value", PROMPT)).isEqualTo(1);
        assertThat(client.register("sluice.prompts-value", PROMPT)).isEqualTo(1);
        // Registering told the client what id 1 is: reading it back needs no request either.
        assertThat(client.schemaById(1)).isEqualTo(PROMPT);

        assertThat(registry.requests()).hasSize(1);
        StubRegistry.Request request = registry.requests().get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Authorization")).isNull();
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("schema");
        assertThat(new Schema.Parser().parse(body.get("schema").textValue())).isEqualTo(PROMPT);
    }

    @Test
    void basicAuthIsSentAsConfluentsClientSendsIt() {
        registry.on("POST", "/subjects/t-value/versions", StubRegistry.json(200, REGISTERED));
        SchemaRegistryClient client = new SchemaRegistryClient(
                RegistrySettings.builder(registry.url()).basicAuth("alice:s3cret:x").build());

        client.register("t-value", PROMPT);

        assertThat(registry.requests().get(0).header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("alice:s3cret:x".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anUnauthenticatedRequestFailsWithTheRegistrysMessage() {
        registry.on("POST", "/subjects/t-value/versions",
                StubRegistry.json(401, "{\"message\":\"User is not authenticated.\",\"error_code\":0}"));

        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> client().register("t-value", PROMPT));

        assertThat(e).hasMessage("POST " + registry.url() + "/subjects/t-value/versions: HTTP 401, error_code 0:"
                + " User is not authenticated.");
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void schemaByIdFetchesOnceAndParses() {
        registry.on("GET", "/schemas/ids/1", StubRegistry.json(200, SCHEMA_1));
        SchemaRegistryClient client = client();

        Schema schema = client.schemaById(1);

        assertThat(schema).isEqualTo(new Schema.Parser().parse(SMALL_SCHEMA));
        assertThat(client.schemaById(1)).isSameAs(schema);
        assertThat(registry.requests()).singleElement().extracting(StubRegistry.Request::method).isEqualTo("GET");
    }

    @Test
    void anUnknownIdIsRegistryErrorCode40403() {
        registry.on("GET", "/schemas/ids/999", StubRegistry.json(404, SCHEMA_NOT_FOUND));
        SchemaRegistryClient client = client();

        RegistryException e = catchThrowableOfType(RegistryException.class, () -> client.schemaById(999));

        assertThat(e).hasMessage("GET " + registry.url() + "/schemas/ids/999: HTTP 404, error_code 40403: Schema 999"
                + " not found.");
        assertThat(e.httpStatus()).hasValue(404);
        assertThat(e.errorCode()).hasValue(40403);
        assertThat(e.isRetryable()).isFalse();
        // A failure is not cached: the id may be registered later.
        assertThatThrownBy(() -> client.schemaById(999)).isInstanceOf(RegistryException.class);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void anIncompatibleSchemaIsRefusedWith409() {
        registry.on("POST", "/subjects/t-value/versions", StubRegistry.json(409, INCOMPATIBLE));

        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> client().register("t-value", PROMPT));

        assertThat(e.httpStatus()).hasValue(409);
        assertThat(e.errorCode()).hasValue(409);
        assertThat(e.getMessage()).contains("HTTP 409, error_code 409: io.apicurio.registry.rules.violation."
                + "RuleViolationException: Incompatible artifact: t-value [AVRO]");
    }

    @Test
    void aServerErrorPageIsQuotedOnOneLineAndIsRetryable() {
        registry.on("GET", "/schemas/ids/1", StubRegistry.text(502, "text/html",
                "<html>\n<body>Bad Gateway</body>\n</html>\n" + "x".repeat(1000)));

        RegistryException e = catchThrowableOfType(RegistryException.class, () -> client().schemaById(1));

        assertThat(e.getMessage()).startsWith("GET " + registry.url() + "/schemas/ids/1: HTTP 502: <html> <body>Bad"
                + " Gateway</body> </html> xxx").endsWith("[truncated 740 chars]").doesNotContain("\n");
        assertThat(e.errorCode()).isEmpty();
        assertThat(e.isRetryable()).isTrue();
    }

    @Test
    void aHugeAnswerIsCutOffWithoutReadingIt() throws Exception {
        long huge = 256L * 1024 * 1024;
        CompletableFuture<Long> written = new CompletableFuture<>();
        registry.on("GET", "/schemas/ids/1", exchange -> {
            // Chunked, no length declared: the cap must hold while reading.
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            long sent = 0;
            try (OutputStream out = exchange.getResponseBody()) {
                while (sent < huge) {
                    out.write(chunk);
                    sent += chunk.length;
                }
            } finally {
                written.complete(sent);
            }
        });
        SchemaRegistryClient client = new SchemaRegistryClient(
                RegistrySettings.builder(registry.url()).maxSchemaBytes(1024).build());

        assertThatThrownBy(() -> client.schemaById(1))
                .hasMessage("GET " + registry.url() + "/schemas/ids/1: answer longer than 22528 bytes");
        assertThat(written.get(30, TimeUnit.SECONDS)).isLessThan(huge);
    }

    @Test
    void anAnswerThatIsNotJsonIsRefused() {
        registry.on("GET", "/schemas/ids/1", StubRegistry.text(200, "text/plain", "schema: {type: int}"));

        assertThatThrownBy(() -> client().schemaById(1)).isInstanceOf(RegistryException.class)
                .hasMessage("GET " + registry.url() + "/schemas/ids/1: answer is not a JSON object: schema: {type: int}");
    }

    @Test
    void aSchemaThatDoesNotParseIsRefused() {
        registry.on("GET", "/schemas/ids/1", StubRegistry.json(200, "{\"schema\":\"{\\\"type\\\":\\\"nope\\\"}\"}"));
        registry.on("GET", "/schemas/ids/2", StubRegistry.json(200, "{\"schema\":42}"));

        // Avro 1.12's parser answers an unknown type name with a NullPointerException, not a SchemaParseException.
        assertThatThrownBy(() -> client().schemaById(1)).isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("schema 1 from the registry does not parse: Unknown schema");
        assertThatThrownBy(() -> client().schemaById(2))
                .hasMessage("schema 2 from the registry: the answer has no schema text");
    }

    @Test
    void aSchemaOverTheCapIsRefusedBeforeParsing() {
        String padded = SMALL_SCHEMA.replace("\"int\"}", "\"int\",\"doc\":\"" + "d".repeat(2000) + "\"}");
        registry.on("GET", "/schemas/ids/1", StubRegistry.json(200, "{\"schema\":" + quoted(padded) + "}"));
        SchemaRegistryClient client = new SchemaRegistryClient(
                RegistrySettings.builder(registry.url()).maxSchemaBytes(1024).build());

        assertThatThrownBy(() -> client.schemaById(1))
                .hasMessage("schema 1 from the registry has 2092 bytes, more than the 1024 allowed");
    }

    @Test
    void otherSchemaTypesAndReferencesAreRefused() {
        registry.on("GET", "/schemas/ids/1", StubRegistry.json(200,
                "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}"));
        registry.on("GET", "/schemas/ids/2", StubRegistry.json(200, "{\"schema\":" + quoted(SMALL_SCHEMA)
                + ",\"references\":[{\"name\":\"a.b.C\",\"subject\":\"c\",\"version\":1}]}"));

        assertThatThrownBy(() -> client().schemaById(1)).hasMessage("schema 1 from the registry is PROTOBUF, not Avro");
        assertThatThrownBy(() -> client().schemaById(2)).hasMessage(
                "schema 2 from the registry imports other schemas (references), which this client does not resolve");
    }

    @Test
    void anAnswerWithoutAPlainIdIsRefused() {
        for (String answer : new String[] {"{}", "{\"id\":\"1\"}", "{\"id\":1.5}", "{\"id\":-3}",
                "{\"id\":4294967297}", "{\"id\":1,\"id\":2}", "[1]"}) {
            registry.on("POST", "/subjects/t-value/versions", StubRegistry.json(200, answer));

            assertThatThrownBy(() -> client().register("t-value", PROMPT)).as(answer)
                    .isInstanceOf(RegistryException.class)
                    .satisfies(e -> assertThat(((RegistryException) e).isRetryable()).isFalse());
        }
    }

    @Test
    void lookupFindsARegisteredSchemaAndIsEmptyForAnUnknownOne() {
        Schema small = new Schema.Parser().parse(SMALL_SCHEMA);
        registry.on("POST", "/subjects/t-value", StubRegistry.json(200, LOOKED_UP));
        registry.on("POST", "/subjects/nope", StubRegistry.json(404, SUBJECT_NOT_FOUND));
        registry.on("POST", "/subjects/other", StubRegistry.json(404, NOT_UNDER_SUBJECT));
        SchemaRegistryClient client = client();

        assertThat(client.lookup("t-value", small)).hasValue(1);
        assertThat(client.lookup("t-value", small)).hasValue(1);
        assertThat(client.lookup("nope", small)).isEmpty();
        assertThat(client.lookup("other", small)).isEmpty();
        assertThat(registry.requests()).extracting(StubRegistry.Request::rawPath).containsExactly(
                StubRegistry.PREFIX + "/subjects/t-value", StubRegistry.PREFIX + "/subjects/nope",
                StubRegistry.PREFIX + "/subjects/other");
    }

    @Test
    void aNotFoundWithoutARegistryErrorCodeIsAFailureNotAnAbsence() {
        registry.on("POST", "/subjects/t-value", StubRegistry.text(404, "text/html", "<h1>Not Found</h1>"));

        assertThatThrownBy(() -> client().lookup("t-value", PROMPT)).isInstanceOf(RegistryException.class)
                .hasMessageEndingWith("HTTP 404: <h1>Not Found</h1>");
    }

    @Test
    void idForRegistersUnderTheStrategysSubjectOrOnlyLooksUp() {
        registry.on("POST", "/subjects/sluice.prompts-dev.sluice.schema.PromptRequest/versions",
                StubRegistry.json(200, "{\"id\":5}"));
        registry.on("POST", "/subjects/dev.sluice.schema.PromptRequest", StubRegistry.json(404, SUBJECT_NOT_FOUND));

        SchemaRegistryClient registering = new SchemaRegistryClient(RegistrySettings.builder(registry.url())
                .subjectNameStrategy(SubjectNameStrategy.TOPIC_RECORD_NAME).build());
        SchemaRegistryClient lookingUp = new SchemaRegistryClient(RegistrySettings.builder(registry.url())
                .subjectNameStrategy(SubjectNameStrategy.RECORD_NAME).autoRegister(false).build());

        assertThat(registering.idFor("sluice.prompts", false, PROMPT)).isEqualTo(5);
        assertThatThrownBy(() -> lookingUp.idFor("sluice.prompts", false, PROMPT)).hasMessage(
                "schema dev.sluice.schema.PromptRequest is not registered under subject"
                        + " 'dev.sluice.schema.PromptRequest', and auto-register is off");
    }

    @Test
    void subjectsAreOnePercentEncodedPathSegment() {
        registry.on("POST", "/subjects/a%20b%2Fc%2B%C3%A9/versions", StubRegistry.json(200, REGISTERED));

        assertThat(client().register("a b/c+é", PROMPT)).isEqualTo(1);
        assertThatThrownBy(() -> client().register("..", PROMPT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSlowRegistryTimesOutAsRetryable() {
        registry.on("GET", "/schemas/ids/1", exchange -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        SchemaRegistryClient client = new SchemaRegistryClient(
                RegistrySettings.builder(registry.url()).requestTimeout(Duration.ofMillis(300)).build());

        long start = System.nanoTime();
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> client.schemaById(1));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(e.getMessage()).contains("HttpTimeoutException");
        assertThat(e.httpStatus()).isEmpty();
        assertThat(e.isRetryable()).isTrue();
    }

    @Test
    void aClosedPortIsUnreachableAndRetryable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        SchemaRegistryClient client =
                new SchemaRegistryClient(RegistrySettings.builder("http://127.0.0.1:" + port).build());

        RegistryException e = catchThrowableOfType(RegistryException.class, () -> client.schemaById(1));

        assertThat(e.getMessage()).startsWith("GET http://127.0.0.1:" + port + "/schemas/ids/1: ConnectException");
        assertThat(e.isRetryable()).isTrue();
    }

    @Test
    void aDeserializedClientStartsWithEmptyCachesAndWorks() throws Exception {
        registry.on("GET", "/schemas/ids/1", StubRegistry.json(200, SCHEMA_1));
        SchemaRegistryClient client = client();
        client.schemaById(1);

        SchemaRegistryClient copy = (SchemaRegistryClient) RegistrySettingsTest.roundTrip(client);

        assertThat(copy.schemaById(1)).isEqualTo(client.schemaById(1));
        assertThat(registry.requests()).hasSize(2);
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
