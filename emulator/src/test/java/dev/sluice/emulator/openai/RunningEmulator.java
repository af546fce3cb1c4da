package dev.sluice.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.Faults;
import dev.sluice.emulator.InflightBatchingEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** An {@link OpenAiEmulator} on 127.0.0.1 with its own GPU, for one test; closing it closes everything. */
final class RunningEmulator implements AutoCloseable {

    static final String MODEL = "emulated-llm";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final ModelTokenizer tokenizer = ModelTokenizer.bundled();
    final InflightBatchingEngine engine;
    final Faults faults;
    final OpenAiEmulator server;

    RunningEmulator(OpenAiEmulator.Options options) {
        this(options, new InflightBatchingEngine(CostModel.instant(), 1));
    }

    RunningEmulator(OpenAiEmulator.Options options, InflightBatchingEngine engine) {
        this.engine = engine;
        this.faults = new Faults(List.of(engine));
        this.server = OpenAiEmulator.start(EmulatedModel.sglang(MODEL, engine), tokenizer, faults, options);
    }

    static RunningEmulator of(Dialect dialect) {
        return new RunningEmulator(OpenAiEmulator.Options.of(dialect));
    }

    String url(String path) {
        return "http://" + server.endpoint() + path;
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A one-message chat request body with {@code extra} fields (a JSON object's inside, or empty). */
    static String chat(String user, String extra) {
        return "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\", \"content\": "
                + JSON.valueToTree(user) + "}]" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    /** What the model answers the one-message chat {@code user}, by the emulator's own rules. */
    EmulatedCompletion expectedChat(String user, int maxTokens) {
        return EmulatedCompletion.of(tokenizer, renderedChat(user), maxTokens);
    }

    String renderedChat(String user) {
        return tokenizer.applyChatTemplate(List.of(new ChatTurn("user", user)));
    }

    /** The data events of an SSE body, in order, comments and blank lines left out. */
    static List<String> dataEvents(String body) {
        return body.lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    }

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Override
    public void close() {
        server.close();
        engine.close();
        tokenizer.close();
    }
}
