package dev.sluice.config;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The pipeline's topic names under one prefix. In {@link Tenancy#record} every tenant shares {@code <prefix>.prompts}
 * and the outputs beside it; in {@link Tenancy#topic} each tenant has its own, named {@code <prefix>.<kind>.<tenant>}
 * ({@link #of(String)}), and the job finds the prompts and run commands of new tenants by pattern.
 */
public record Topics(String prefix, Tenancy tenancy) implements Serializable {

    /**
     * A tenant name that can stand in a topic name: lower-case letters, digits, '-' and '_', at most 64. No dot, so
     * {@code <prefix>.prompts.<tenant>} names one tenant and a pattern cannot take one tenant's topic for another's.
     */
    private static final Pattern TENANT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** Would make a tenant's topic one of the shared ones: {@code metrics.summary}, {@code runs.commands}. */
    private static final Set<String> RESERVED = Set.of("summary", "commands");

    public Topics {
        Objects.requireNonNull(prefix, "prefix");
        tenancy = tenancy == null ? Tenancy.record : tenancy;
    }

    /** Shared topics ({@link Tenancy#record}). */
    public Topics(String prefix) {
        this(prefix, Tenancy.record);
    }

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

    /** Per-window aggregates of the metrics, key model id. Operators' view: across tenants in both modes. */
    public String metricsSummary() {
        return prefix + ".metrics.summary";
    }

    /**
     * Per-window usage per tenant and per bulk run ({@code UsageSummary}), key {@code tenant} or
     * {@code tenant/run_id}. Operators' view: across tenants in both modes.
     */
    public String usage() {
        return prefix + ".usage";
    }

    /** Compacted: the latest signed catalog document, key {@code catalog}. Written by the operator only. */
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

    /**
     * Records of the job's own inputs (run commands, metrics, catalog documents) that could not be read: kept here
     * with where they came from and why, rather than skipped. Operators' topic.
     */
    public String deadLetters() {
        return prefix + ".dead-letters";
    }

    /** The shared topics: all of them in {@link Tenancy#record}, the operators' ones in {@link Tenancy#topic}. */
    public List<String> all() {
        return tenancy == Tenancy.record
                ? List.of(prompts(), completions(), metrics(), rejects(), metricsSummary(), usage(), catalog(),
                        runCommands(), runs(), deadLetters())
                : List.of(metricsSummary(), usage(), catalog(), deadLetters());
    }

    /** The topics that carry {@code tenant}'s traffic; in {@link Tenancy#topic} the name must be a valid one. */
    public TenantTopics of(String tenant) {
        if (tenancy == Tenancy.record) {
            return new TenantTopics(prompts(), completions(), metrics(), rejects(), runs(), runCommands());
        }
        requireTenantName(tenant);
        return new TenantTopics(prompts() + "." + tenant, completions() + "." + tenant, metrics() + "." + tenant,
                rejects() + "." + tenant, runs() + "." + tenant, runCommands() + "." + tenant);
    }

    /** Every tenant's prompts topic ({@link Tenancy#topic}). */
    public Pattern tenantPrompts() {
        return tenantPattern(prompts());
    }

    /** Every tenant's run commands topic ({@link Tenancy#topic}). */
    public Pattern tenantRunCommands() {
        return tenantPattern(runCommands());
    }

    /** Every tenant's metrics topic ({@link Tenancy#topic}); not {@link #metricsSummary()}. */
    public Pattern tenantMetrics() {
        return tenantPattern(metrics());
    }

    /**
     * The tenant a topic belongs to, from its name: in {@link Tenancy#topic} the suffix of a tenant's topic, else
     * empty (in {@link Tenancy#record} no topic names a tenant).
     */
    public Optional<String> tenantOf(String topic) {
        if (tenancy == Tenancy.record || topic == null) {
            return Optional.empty();
        }
        for (String shared : List.of(prompts(), completions(), metrics(), rejects(), runs(), runCommands())) {
            if (topic.startsWith(shared + ".")) {
                String tenant = topic.substring(shared.length() + 1);
                if (isTenantName(tenant)) {
                    return Optional.of(tenant);
                }
            }
        }
        return Optional.empty();
    }

    public static boolean isTenantName(String tenant) {
        return tenant != null && TENANT_NAME.matcher(tenant).matches() && !RESERVED.contains(tenant);
    }

    public static String requireTenantName(String tenant) {
        if (!isTenantName(tenant)) {
            throw new IllegalArgumentException("tenant '" + tenant + "' cannot name topics: use 1 to 64 of a-z, 0-9, "
                    + "'-' and '_', starting with a letter or digit, and not " + RESERVED);
        }
        return tenant;
    }

    private static Pattern tenantPattern(String base) {
        return Pattern.compile(Pattern.quote(base + ".") + "(?!(?:" + String.join("|", RESERVED) + ")$)"
                + TENANT_NAME.pattern());
    }
}
