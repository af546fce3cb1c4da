package dev.sluice.chaos;

import dev.sluice.config.GatewaySettings;
import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogKeys;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the fault scenarios run on: a real broker and four emulated Triton servers streaming their answers. The
 * primary model has two replicas; a smaller fallback model and a larger, non-commercial model share a third and a
 * fourth server. The tenant may use the first two only, so failover may go to the fallback and never to the
 * restricted model, although that one would rank first.
 */
public final class ChaosStack implements AutoCloseable {

    static final String TENANT = "acme";
    /** A second well-behaved tenant, and one whose producer is hostile (the poison scenario). */
    static final String SECOND_TENANT = "globex";
    static final String HOSTILE_TENANT = "mallory";
    static final String PRIMARY = "primary-model";
    static final String FALLBACK = "fallback-model";
    static final String RESTRICTED = "restricted-model";
    /** Long enough that no short fault justifies a reject; the long faults are multiples of it. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    final EmbeddedKafka kafka;
    /** Taken at start: the broker keeps its port across a restart but cannot say it while down. */
    final String bootstrapServers;
    final List<EmulatorServer> primaries;
    final EmulatorServer fallback;
    final List<EmulatorServer> servers;
    final Catalog catalog;
    /** The operator's catalog signing key: the job follows catalog documents signed with it, and only those. */
    final KeyPair operator = CatalogKeys.generate();

    private ChaosStack(EmbeddedKafka kafka, List<EmulatorServer> primaries, EmulatorServer fallback,
            EmulatorServer restricted, Catalog catalog) {
        this.kafka = kafka;
        this.bootstrapServers = kafka.bootstrapServers();
        this.primaries = primaries;
        this.fallback = fallback;
        this.servers = List.of(primaries.get(0), primaries.get(1), fallback, restricted);
        this.catalog = catalog;
    }

    /** Starts the broker and the servers, the emulated GPUs {@code timeScale} times faster than an H100. */
    public static ChaosStack start(double timeScale) {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        EmulatorServer primaryA = server(PRIMARY, timeScale);
        EmulatorServer primaryB = server(PRIMARY, timeScale);
        EmulatorServer fallback = server(FALLBACK, timeScale);
        EmulatorServer restricted = server(RESTRICTED, timeScale);
        String models = """
                models:
                  - {id: %s, family: Chaos, vendor: Test, origin: US, params-b: 70, context: 32768,
                     license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat],
                     use-cases: [summarize, translate], deployment: {backend: triton, endpoint: "%s",
                     served-name: %s, max-batch-size: 32, streaming: on, replicas: ["%s"]}}
                  - {id: %s, family: Chaos, vendor: Test, origin: US, params-b: 8, context: 32768,
                     license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat], use-cases: [],
                     deployment: {backend: triton, endpoint: "%s", served-name: %s, max-batch-size: 32,
                     streaming: on}}
                  - {id: %s, family: Chaos, vendor: Test, origin: FR, params-b: 400, context: 32768,
                     license: other/mrl, commercial: no, conditions: [research-only, NC], japanese: good,
                     capabilities: [chat], use-cases: [summarize, translate], deployment: {backend: triton,
                     endpoint: "%s", served-name: %s, max-batch-size: 32, streaming: on}}
                policies:
                  %s: {commercial: true, monthly-active-users: 1000}
                  %s: {commercial: true, monthly-active-users: 1000}
                  %s: {commercial: true, monthly-active-users: 1000}
                """.formatted(PRIMARY, primaryA.endpoint(), PRIMARY, primaryB.endpoint(), FALLBACK,
                fallback.endpoint(), FALLBACK, RESTRICTED, restricted.endpoint(), RESTRICTED, TENANT, SECOND_TENANT,
                HOSTILE_TENANT);
        return new ChaosStack(kafka, List.of(primaryA, primaryB), fallback, restricted,
                Catalog.parse(models, "chaos catalog"));
    }

    private static EmulatorServer server(String model, double timeScale) {
        InflightBatchingEngine engine = new InflightBatchingEngine(CostModel.llama8bH100(), timeScale);
        return EmulatorServer.builder().model(EmulatedModel.ensemble(model, engine, 32).withDecoupled(true)).start();
    }

    /** A configuration on topics of their own under {@code prefix}, with the default request timeout. */
    SluiceConfig config(String prefix, int parallelism) {
        return config(prefix, parallelism, REQUEST_TIMEOUT);
    }

    /** A configuration on topics of their own under {@code prefix}, created here, for one scenario. */
    SluiceConfig config(String prefix, int parallelism, Duration requestTimeout) {
        SluiceConfig config = new SluiceConfig(
                new KafkaSettings(bootstrapServers, prefix, "avro", Duration.ofMinutes(10), Map.of()),
                new JobSettings(parallelism, Duration.ofSeconds(1), 64, requestTimeout, "chaos"),
                LimitSettings.ofDefaults(), GatewaySettings.ofDefaults(), null);
        kafka.createPipelineTopics(config.kafka().topics(), 2);
        return config;
    }

    @Override
    public void close() {
        servers.forEach(EmulatorServer::close);
        kafka.close();
    }
}
