package dev.sluice.embedded;

import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.config.ModelDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.PriorityLevels;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.emulator.openai.Dialect;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Emulated servers on loopback for configured models, each on its own emulated GPU: one Triton server for all
 * Triton models, and one SGLang worker per SGLang model, as they are deployed for real.
 */
public final class EmulatedDeployment implements AutoCloseable {

    private final List<EmulatorServer> servers;
    private final Map<String, String> endpoints;

    private EmulatedDeployment(List<EmulatorServer> servers, Map<String, String> endpoints) {
        this.servers = servers;
        this.endpoints = endpoints;
    }

    public static EmulatedDeployment start(List<ModelDeployment> models, CostModel cost, double timeScale) {
        return start(models, cost, timeScale, false);
    }

    /**
     * As {@link #start(List, CostModel, double)}, and with {@code metrics} each server also serves its own
     * Prometheus metrics on a free port ({@link EmulatorServer#metricsPort()}).
     */
    public static EmulatedDeployment start(List<ModelDeployment> models, CostModel cost, double timeScale,
            boolean metrics) {
        List<EmulatorServer> servers = new ArrayList<>();
        Map<String, String> endpoints = new LinkedHashMap<>();
        Supplier<EmulatorServer.Builder> server = () -> metrics ? EmulatorServer.builder().metrics(0)
                : EmulatorServer.builder();
        EmulatorServer.Builder triton = server.get();
        List<String> tritonIds = new ArrayList<>();
        for (ModelDeployment model : models) {
            InflightBatchingEngine engine = new InflightBatchingEngine(cost, timeScale);
            if (model.protocol() == Protocol.TRITON) {
                // A deployment that schedules by priority is served by a model with as many levels, as its start-up
                // check asks; as on upstream's LLM-API model, they do not reorder the engine's queue.
                int used = model.tritonPriorityLevels();
                PriorityLevels levels = model.priorityScheduling() ? new PriorityLevels(used, used) : null;
                triton.model(model.tritonTensors().equals("llm-api")
                        ? new EmulatedModel(model.servedName(), engine, 0, TritonTensorProfile.LLM_API,
                                !model.streaming().equals("off"), null, levels)
                        : EmulatedModel.ensemble(model.servedName(), engine, model.maxBatchSize())
                                .withDecoupled(model.streaming().equals("on")));
                tritonIds.add(model.id());
            } else if (model.protocol() == Protocol.OPENAI) {
                // Served under the deployment's served-name, as the backend asks for it; with a prefix cache, as
                // vLLM's and SGLang's have.
                EmulatorServer openAi = server.get().protocol(Protocol.OPENAI)
                        .dialect(Dialect.playing(model.openAiServer()))
                        .model(EmulatedModel.sglang(model.servedName(), engine)).start();
                servers.add(openAi);
                endpoints.put(model.id(), openAi.endpoint());
            } else {
                EmulatorServer worker = server.get().protocol(model.protocol())
                        .model(EmulatedModel.sglang(model.id(), engine)).start();
                servers.add(worker);
                endpoints.put(model.id(), worker.endpoint());
            }
        }
        if (!tritonIds.isEmpty()) {
            EmulatorServer tritonServer = triton.start();
            servers.add(tritonServer);
            tritonIds.forEach(id -> endpoints.put(id, tritonServer.endpoint()));
        }
        return new EmulatedDeployment(servers, endpoints);
    }

    /** Model id → {@code host:port} of its emulated server. */
    public Map<String, String> endpoints() {
        return endpoints;
    }

    public List<EmulatorServer> servers() {
        return servers;
    }

    @Override
    public void close() {
        servers.forEach(EmulatorServer::close);
    }
}
