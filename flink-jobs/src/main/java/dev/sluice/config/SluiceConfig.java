package dev.sluice.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Everything the pipeline reads from {@code sluice.yaml}: Kafka, the job, intake limits, the deployed models and
 * the route table. Keys are kebab-case; durations are ISO-8601 ({@code PT1S}).
 */
public record SluiceConfig(
        KafkaSettings kafka, JobSettings job, LimitSettings limits, List<ModelDeployment> models,
        Map<String, String> routes) implements Serializable {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public SluiceConfig {
        Objects.requireNonNull(kafka, "kafka section is required");
        job = job == null ? JobSettings.ofDefaults() : job;
        limits = limits == null ? LimitSettings.ofDefaults() : limits;
        models = models == null ? List.of() : List.copyOf(models);
        routes = routes == null ? Map.of() : Map.copyOf(routes);
        for (Map.Entry<String, String> route : routes.entrySet()) {
            if (models.stream().noneMatch(m -> m.id().equals(route.getValue()))) {
                throw new IllegalArgumentException("route '" + route.getKey() + "' names model '" + route.getValue()
                        + "', which is not among the deployed models");
            }
        }
    }

    /** Reads and checks a YAML file; errors name the file, the key and the line. */
    public static SluiceConfig load(Path file) {
        try {
            return YAML.readValue(Files.readString(file), SluiceConfig.class);
        } catch (JsonMappingException e) {
            String key = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String line = e.getLocation() == null ? "" : " (near line " + e.getLocation().getLineNr() + ")";
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new IllegalArgumentException(file + ": " + (key.isEmpty() ? "" : key + ": ") + message + line, e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** A copy with each model served where {@code endpoints} (model id → host:port) says, as the demo's emulators. */
    public SluiceConfig withEndpoints(Map<String, String> endpoints) {
        List<ModelDeployment> moved = new ArrayList<>();
        for (ModelDeployment model : models) {
            moved.add(model.at(endpoints.getOrDefault(model.id(), model.endpoint())));
        }
        return new SluiceConfig(kafka, job, limits, moved, routes);
    }

    public SluiceConfig withBootstrapServers(String bootstrapServers) {
        return new SluiceConfig(kafka.withBootstrapServers(bootstrapServers), job, limits, models, routes);
    }
}
