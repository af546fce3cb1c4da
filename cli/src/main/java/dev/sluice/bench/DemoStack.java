package dev.sluice.bench;

import dev.sluice.config.SluiceConfig;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.job.LocalJob;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import org.apache.flink.core.execution.JobClient;

/**
 * The demo's stack for the benchmarks that run whole bulk runs: its configuration and catalog, an embedded broker,
 * emulated servers for every deployment (the Llama 3.1 8B H100 profile) and the pipeline's job.
 *
 * @param config the demo's configuration, pointed at the broker
 * @param catalog the demo's catalog, pointed at the emulated servers
 */
record DemoStack(SluiceConfig config, Catalog catalog, EmbeddedKafka kafka, EmulatedDeployment emulators,
        JobClient job) implements AutoCloseable {

    static DemoStack start(SluiceConfig config, Catalog catalog, double timeScale) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        EmulatedDeployment emulators = null;
        try {
            emulators = EmulatedDeployment.start(catalog.deployed().stream().map(CatalogModel::deployment).toList(),
                    CostModel.llama8bH100(), timeScale);
            SluiceConfig demo = config.withBootstrapServers(kafka.bootstrapServers());
            Catalog served = catalog.withEndpoints(emulators.endpoints());
            kafka.createPipelineTopics(demo.kafka().topics(), demo.job().parallelism());
            return new DemoStack(demo, served, kafka, emulators, LocalJob.start(demo, served));
        } catch (Exception | Error e) {
            if (emulators != null) {
                emulators.close();
            }
            kafka.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            job.cancel().get();
        } finally {
            emulators.close();
            kafka.close();
        }
    }
}
