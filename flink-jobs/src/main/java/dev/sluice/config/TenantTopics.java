package dev.sluice.config;

import java.io.Serializable;
import java.util.List;

/**
 * The topics that carry one tenant's traffic: in {@link Tenancy#topic} its own, in {@link Tenancy#record} the
 * shared ones. Code that acts for a tenant (bulk runs, {@code tail}) asks for these and works in either mode.
 *
 * @param prompts where its prompts are written
 * @param completions its completions
 * @param metrics its per-request metrics
 * @param rejects its rejects
 * @param runs its bulk runs' states (compacted)
 * @param runCommands commands about its bulk runs
 */
public record TenantTopics(
        String prompts, String completions, String metrics, String rejects, String runs, String runCommands)
        implements Serializable {

    public List<String> all() {
        return List.of(prompts, completions, metrics, rejects, runs, runCommands);
    }

    /** The topics the pipeline writes to for this tenant. */
    public List<String> outputs() {
        return List.of(completions, metrics, rejects, runs);
    }
}
