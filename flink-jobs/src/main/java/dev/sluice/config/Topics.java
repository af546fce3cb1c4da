package dev.sluice.config;

import java.io.Serializable;
import java.util.List;

/** The pipeline's topic names under one prefix. */
public record Topics(String prefix) implements Serializable {

    public String prompts() {
        return prefix + ".prompts";
    }

    public String completions() {
        return prefix + ".completions";
    }

    public String metrics() {
        return prefix + ".metrics";
    }

    public String rejects() {
        return prefix + ".rejects";
    }

    /** Per-window aggregates of the metrics, key model id. */
    public String metricsSummary() {
        return prefix + ".metrics.summary";
    }

    /** Compacted: the latest catalog document, key {@code catalog}. */
    public String catalog() {
        return prefix + ".catalog";
    }

    /** Instructions about bulk runs from {@code sluice bulk}, key {@code tenant/run_id}. */
    public String runCommands() {
        return prefix + ".runs.commands";
    }

    /** Compacted: each bulk run's latest state, written by the pipeline, key {@code tenant/run_id}. */
    public String runs() {
        return prefix + ".runs";
    }

    public List<String> all() {
        return List.of(prompts(), completions(), metrics(), rejects(), metricsSummary(), catalog(), runCommands(),
                runs());
    }
}
