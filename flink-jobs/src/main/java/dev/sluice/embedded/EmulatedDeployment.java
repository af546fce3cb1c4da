package dev.sluice.embedded;

import dev.sluice.config.ModelDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One emulated Triton server on loopback serving every configured model, each on its own emulated GPU. */
public final class EmulatedDeployment {

    private EmulatedDeployment() {}

    public static EmulatorServer start(List<ModelDeployment> models, CostModel cost, double timeScale) {
        Map<String, EmulatedModel> served = new LinkedHashMap<>();
        for (ModelDeployment model : models) {
            served.computeIfAbsent(model.servedName(), name -> new EmulatedModel(
                    name, new InflightBatchingEngine(cost, timeScale), model.maxBatchSize()));
        }
        return EmulatorServer.startTriton("127.0.0.1", 0, served);
    }
}
