package dev.sluice.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SchemaRegistrySettings;
import dev.sluice.config.Tenancy;
import dev.sluice.registry.ApicurioRegistry;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.schema.Completion;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.RunState;
import dev.sluice.serde.SchemaHistory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link OutputSchemas} against a real Apicurio Registry: what {@code sluice run} checks before any job starts. */
class OutputSchemasITCase {

    @Test
    void aRegistryThatRefusesAnOutputSchemaStopsRunBeforeAnyJobAndOneThatTakesThemGetsThemAll() throws Exception {
        try (ApicurioRegistry registry = ApicurioRegistry.start("output-schemas", Map.of())) {
            KafkaSettings lookUpOnly = settings(registry, false);
            assertThatThrownBy(() -> OutputSchemas.require(lookUpOnly, Set.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("the schema registry refuses MetricsSummary for topic out.metrics.summary:")
                    .hasMessageContaining("auto-register is off");

            KafkaSettings registering = settings(registry, true);
            OutputSchemas.require(registering, Set.of("acme"));

            SchemaRegistryClient client = new SchemaRegistryClient(registering.registry().orElseThrow());
            assertThat(client.lookup("out.completions.acme-value", SchemaHistory.version(Completion.getClassSchema(),
                    1))).as("Completion pinned to v1").isPresent();
            assertThat(client.lookup("out.runs.acme-value", RunState.getClassSchema())).isPresent();
            assertThat(client.lookup("out.dead-letters-value", DeadLetter.getClassSchema()))
                    .isPresent();
            OutputSchemas.require(lookUpOnly, Set.of("acme"));
        }
    }

    private static KafkaSettings settings(ApicurioRegistry registry, boolean autoRegister) {
        return new KafkaSettings("broker:9092", "out", "registry", Duration.ofMinutes(10), Map.of(), Tenancy.topic,
                null, Map.of("Completion", 1), new SchemaRegistrySettings(registry.ccompatUrl(), null, null, null,
                        autoRegister, null, null));
    }
}
