package dev.sluice.security;

import dev.sluice.config.Tenancy;
import dev.sluice.config.TenantTopics;
import dev.sluice.config.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs that make {@link Tenancy#topic} a trust boundary, for a broker whose authorizer denies what no ACL
 * allows ({@code allow.everyone.if.no.acl.found=false}): what a tenant's principal, the pipeline's and the
 * operator's each need, and nothing more.
 *
 * <p>Every binding is an ALLOW. READ and WRITE imply DESCRIBE, so no DESCRIBE is listed. No principal gets
 * IDEMPOTENT_WRITE: an idempotent producer's {@code InitProducerId} passes with WRITE on any topic on brokers from
 * 2.8 on (KIP-679). A tenant's topics are granted by LITERAL name: a PREFIXED ACL on {@code sluice.prompts.acme}
 * would also grant {@code sluice.prompts.acme-retail}, another tenant's topic. The pipeline's are PREFIXED, so a
 * new tenant needs no new ACL for the job.
 *
 * <p>In {@link Tenancy#record} every tenant shares one prompts topic and one of each output, so ACLs cannot tell
 * tenants apart; there is nothing to build here for it.
 *
 * @param topics the pipeline's topics, in {@link Tenancy#topic}
 */
public record TenantAcls(Topics topics) {

    public TenantAcls {
        Objects.requireNonNull(topics, "topics");
        if (topics.tenancy() != Tenancy.topic) {
            throw new IllegalArgumentException("with tenancy: " + topics.tenancy() + " all tenants share one topic "
                    + "of each kind, so ACLs cannot separate them; use tenancy: topic");
        }
    }

    /**
     * Consumer groups a tenant's own consumers may use: {@code <prefix>.<tenant>.}, PREFIXED. A tenant name has no
     * dot, so no other tenant's groups start with it, and the pipeline's ({@code <prefix>-}) neither. Sluice's
     * CLI ({@code bulk}, {@code tail}) needs none: its consumers are assigned partitions and commit nothing.
     */
    public String groupPrefix(String tenant) {
        return topics.prefix() + "." + Topics.requireTenantName(tenant) + ".";
    }

    /**
     * What {@code principal} needs to act for {@code tenant}: write its prompts and run commands (cancel its own
     * runs), read its outputs, and read its prompts back, which {@code sluice bulk submit} does to skip requests
     * a resubmitted run already published.
     */
    public List<AclBinding> tenant(String tenant, String principal) {
        TenantTopics own = topics.of(tenant);
        List<AclBinding> bindings = new ArrayList<>();
        bindings.add(allow(principal, topic(own.prompts(), PatternType.LITERAL), AclOperation.WRITE));
        bindings.add(allow(principal, topic(own.prompts(), PatternType.LITERAL), AclOperation.READ));
        bindings.add(allow(principal, topic(own.runCommands(), PatternType.LITERAL), AclOperation.WRITE));
        for (String output : own.outputs()) {
            bindings.add(allow(principal, topic(output, PatternType.LITERAL), AclOperation.READ));
        }
        bindings.add(allow(principal, group(groupPrefix(tenant)), AclOperation.READ));
        return List.copyOf(bindings);
    }

    /**
     * What the jobs' {@code principal} needs: read every tenant's prompts and run commands (found by pattern) and
     * the catalog; write every tenant's outputs, the usage summaries and the dead letters, in transactions named
     * {@code <prefix>-…}; commit offsets in groups named {@code <prefix>-…}; and read every tenant's metrics, which
     * the metrics-summary job folds into {@code <prefix>.metrics.summary} and {@code <prefix>.usage}, and the
     * pipeline reads back for budgets. The outputs are granted by prefix so new tenants need no grant. The price:
     * {@code <prefix>.runs.} also covers the run-commands topics and {@code <prefix>.metrics.} the summary, which the
     * job is trusted not to write. And DESCRIBE_CONFIGS on every topic under the prefix, since {@code sluice run}
     * checks the topics' cleanup policy and retention before it starts the jobs.
     */
    public List<AclBinding> pipeline(String principal) {
        List<AclBinding> bindings = new ArrayList<>();
        bindings.add(allow(principal, topic(topics.prompts() + ".", PatternType.PREFIXED), AclOperation.READ));
        bindings.add(allow(principal, topic(topics.runCommands() + ".", PatternType.PREFIXED), AclOperation.READ));
        bindings.add(allow(principal, topic(topics.metrics() + ".", PatternType.PREFIXED), AclOperation.READ));
        bindings.add(allow(principal, topic(topics.catalog(), PatternType.LITERAL), AclOperation.READ));
        for (String output : List.of(topics.completions(), topics.metrics(), topics.rejects(), topics.runs())) {
            bindings.add(allow(principal, topic(output + ".", PatternType.PREFIXED), AclOperation.WRITE));
        }
        for (String operators : List.of(topics.usage(), topics.deadLetters())) {
            bindings.add(allow(principal, topic(operators, PatternType.LITERAL), AclOperation.WRITE));
        }
        bindings.add(allow(principal, topic(topics.prefix() + ".", PatternType.PREFIXED),
                AclOperation.DESCRIBE_CONFIGS));
        String own = topics.prefix() + "-";
        bindings.add(allow(principal,
                new ResourcePattern(ResourceType.TRANSACTIONAL_ID, own, PatternType.PREFIXED), AclOperation.WRITE));
        bindings.add(allow(principal, group(own), AclOperation.READ));
        return List.copyOf(bindings);
    }

    /**
     * What the operator's {@code principal} needs to steer: write the catalog (nobody else may), and read it, the
     * metrics and usage summaries ({@code sluice top}) and the dead letters. Creating topics and ACLs is the cluster
     * administrator's, a super user's, and not granted here.
     */
    public List<AclBinding> operator(String principal) {
        List<AclBinding> bindings = new ArrayList<>();
        bindings.add(allow(principal, topic(topics.catalog(), PatternType.LITERAL), AclOperation.WRITE));
        for (String view : List.of(topics.catalog(), topics.metricsSummary(), topics.usage(), topics.deadLetters())) {
            bindings.add(allow(principal, topic(view, PatternType.LITERAL), AclOperation.READ));
        }
        return List.copyOf(bindings);
    }

    private static ResourcePattern topic(String name, PatternType type) {
        return new ResourcePattern(ResourceType.TOPIC, name, type);
    }

    private static ResourcePattern group(String prefix) {
        return new ResourcePattern(ResourceType.GROUP, prefix, PatternType.PREFIXED);
    }

    private static AclBinding allow(String principal, ResourcePattern resource, AclOperation operation) {
        return new AclBinding(resource,
                new AccessControlEntry(requirePrincipal(principal), "*", operation, AclPermissionType.ALLOW));
    }

    /** {@code User:name}, as Kafka's authorizer compares it; a bare name would match no session and grant nothing. */
    private static String requirePrincipal(String principal) {
        if (principal == null || !principal.startsWith("User:") || principal.length() == "User:".length()) {
            throw new IllegalArgumentException("principal '" + principal + "' is not of the form User:<name>");
        }
        return principal;
    }
}
