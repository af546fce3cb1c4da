package dev.sluice.config;

/**
 * Where a record's tenant comes from, {@code kafka.tenancy} in {@code sluice.yaml}.
 *
 * <ul>
 *   <li>{@code record}: one shared prompts topic, and the tenant is the record's {@code tenant} field. Whoever can
 *       write the topic can claim any tenant: for a single trusted producer (the demo's mode).</li>
 *   <li>{@code topic}: each tenant has its own topics ({@code <prefix>.prompts.<tenant>} and the outputs beside it),
 *       the tenant is the one the topic names, and Kafka ACLs on those topics decide who may act for it.</li>
 * </ul>
 */
public enum Tenancy {
    record,
    topic
}
