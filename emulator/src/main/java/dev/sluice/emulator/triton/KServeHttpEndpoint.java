package dev.sluice.emulator.triton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.backend.triton.TritonTensors;
import dev.sluice.proto.triton.InferTensorContents;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferRequest.InferInputTensor;
import dev.sluice.proto.triton.ModelInferRequest.InferRequestedOutputTensor;
import dev.sluice.proto.triton.ModelInferResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Triton's HTTP/REST endpoint (KServe v2, JSON tensors) in front of the same emulated models as the gRPC service:
 * {@code POST /v2/models/{name}[/versions/{v}]/infer}, and the readiness paths, for clients that speak HTTP, such
 * as Flink's {@code ML_PREDICT} with its Triton provider. A JSON request is turned into the equivalent
 * {@code ModelInferRequest} with typed contents and served by {@link TritonEmulatorService}; errors come back as
 * {@code {"error": "..."}} with 400 for bad requests and 503 for unavailability, as Triton answers.
 */
public final class KServeHttpEndpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INFER = Pattern.compile("/v2/models/([^/]+)(/versions/[^/]+)?/infer");

    private final HttpServer server;
    private final TritonEmulatorService service;

    private KServeHttpEndpoint(HttpServer server, TritonEmulatorService service) {
        this.server = server;
        this.service = service;
    }

    /** Listens on {@code host:port} (0 for a free port), handling requests on {@code executor}. */
    public static KServeHttpEndpoint start(String host, int port, TritonEmulatorService service,
            ExecutorService executor) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
            KServeHttpEndpoint endpoint = new KServeHttpEndpoint(server, service);
            server.createContext("/v2", endpoint::handle);
            server.setExecutor(executor);
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException("emulator could not listen for HTTP on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Matcher infer = INFER.matcher(path);
            if (exchange.getRequestMethod().equals("POST") && infer.matches()) {
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                respond(exchange, infer(infer.group(1), body));
            } else if (exchange.getRequestMethod().equals("GET")) {
                // Liveness, readiness and model readiness: the emulator serves while it runs.
                respond(exchange, new Reply(200, JSON.createObjectNode()));
            } else {
                respond(exchange, new Reply(404, error("no route for " + exchange.getRequestMethod() + " " + path)));
            }
        } catch (IOException | RuntimeException e) {
            respond(exchange, new Reply(400, error("cannot read the request: " + e.getMessage())));
        }
    }

    private record Reply(int status, ObjectNode body) {}

    private Reply infer(String model, JsonNode body) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model)
                .setId(body.path("id").asText(""));
        for (JsonNode input : body.path("inputs")) {
            InferInputTensor.Builder tensor = InferInputTensor.newBuilder()
                    .setName(input.path("name").asText()).setDatatype(input.path("datatype").asText());
            input.path("shape").forEach(dim -> tensor.addShape(dim.asLong()));
            tensor.setContents(contents(tensor.getDatatype(), input.path("data")));
            request.addInputs(tensor);
        }
        for (JsonNode output : body.path("outputs")) {
            request.addOutputs(InferRequestedOutputTensor.newBuilder().setName(output.path("name").asText()));
        }
        CompletableFuture<ModelInferResponse> answer = new CompletableFuture<>();
        service.modelInfer(request.build(), new StreamObserver<>() {
            @Override
            public void onNext(ModelInferResponse value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable failure) {
                answer.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
            }
        });
        try {
            return new Reply(200, toJson(answer.get()));
        } catch (ExecutionException e) {
            Status status = Status.fromThrowable(e.getCause());
            int code = status.getCode() == Status.Code.UNAVAILABLE ? 503
                    : status.getCode() == Status.Code.NOT_FOUND ? 404 : 400;
            return new Reply(code, error(status.getDescription()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(503, error("interrupted"));
        }
    }

    /** JSON data, flattened row-major, as the typed contents of {@code datatype}. */
    private static InferTensorContents contents(String datatype, JsonNode data) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (JsonNode value : flatten(data, JSON.createArrayNode())) {
            switch (datatype) {
                case TritonTensors.BYTES -> contents.addBytesContents(ByteString.copyFromUtf8(value.asText()));
                case TritonTensors.INT32 -> contents.addIntContents(value.asInt());
                case TritonTensors.FP32 -> contents.addFp32Contents((float) value.asDouble());
                case TritonTensors.UINT64 -> contents.addUint64Contents(value.asLong());
                case TritonTensors.BOOL -> contents.addBoolContents(value.asBoolean());
                default -> throw new IllegalArgumentException("datatype " + datatype + " is not supported here");
            }
        }
        return contents.build();
    }

    private static ArrayNode flatten(JsonNode data, ArrayNode into) {
        if (data.isArray()) {
            data.forEach(item -> flatten(item, into));
        } else if (!data.isMissingNode()) {
            into.add(data);
        }
        return into;
    }

    private static ObjectNode toJson(ModelInferResponse response) {
        ObjectNode json = JSON.createObjectNode().put("model_name", response.getModelName())
                .put("model_version", response.getModelVersion()).put("id", response.getId());
        ArrayNode outputs = json.putArray("outputs");
        for (int i = 0; i < response.getOutputsCount(); i++) {
            var tensor = response.getOutputs(i);
            ObjectNode output = outputs.addObject().put("name", tensor.getName())
                    .put("datatype", tensor.getDatatype());
            tensor.getShapeList().forEach(output.putArray("shape")::add);
            ArrayNode data = output.putArray("data");
            ByteString raw = response.getRawOutputContents(i);
            if (tensor.getDatatype().equals(TritonTensors.BYTES)) {
                TritonTensors.decodeStrings(raw).forEach(data::add);
            } else {
                for (int value : TritonTensors.decodeInts(raw)) {
                    data.add(value);
                }
            }
        }
        return json;
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", String.valueOf(message));
    }

    private static void respond(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = reply.body().toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
