package dev.sluice.cli;

import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice emulator}: a standalone emulated inference server. */
@Command(name = "emulator", mixinStandardHelpOptions = true,
        description = "Serve emulated LLMs over a real inference-server protocol, backed by a model of an "
                + "in-flight batching GPU.")
final class EmulatorCommand implements Callable<Integer> {

    @Option(names = "--protocol", defaultValue = "triton", description = "wire protocol: triton (default)")
    String protocol;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8001", description = "gRPC port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--models", split = ",", defaultValue = "ensemble",
            description = "model names to serve (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--max-batch-size", defaultValue = "64", description = "each model's max_batch_size")
    int maxBatchSize;

    @Option(names = "--time-scale", defaultValue = "1",
            description = "run this many times faster than the modelled GPU (default: ${DEFAULT-VALUE})")
    double timeScale;

    @Override
    public Integer call() throws Exception {
        if (!protocol.equals("triton")) {
            System.err.println("unsupported protocol '" + protocol + "': use triton");
            return 2;
        }
        CostModel cost = CostModel.llama8bH100();
        Map<String, EmulatedModel> served = new LinkedHashMap<>();
        for (String name : models) {
            served.put(name, new EmulatedModel(name, new InflightBatchingEngine(cost, timeScale), maxBatchSize));
        }
        try (EmulatorServer server = EmulatorServer.startTriton(host, port, served)) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            System.out.printf("emulated Triton (%s) at %s serving %s; at most %.0f output tokens/s per model "
                    + "for 128/128-token requests%n", cost.name(), server.endpoint(), served.keySet(),
                    cost.maxOutputTokensPerSecond(128, 128));
            server.awaitTermination();
        }
        return 0;
    }
}
