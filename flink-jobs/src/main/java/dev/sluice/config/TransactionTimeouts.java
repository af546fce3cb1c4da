package dev.sluice.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Whether the sinks' Kafka transactions outlive what exactly-once needs of them. A sink opens a transaction when a
 * checkpoint passes it and commits it when the next checkpoint completes: up to {@code job.checkpoint-interval} +
 * {@code job.checkpoint-timeout} later. Should the job fail meanwhile, the transaction waits, prepared, for the
 * restored job to commit it, up to {@code job.max-downtime} more. A broker aborts a transaction older than its
 * {@code transaction.timeout.ms}, and with it the output of a checkpoint Flink considers done: lost, not repeated.
 * So
 *
 * <pre>{@code
 * checkpoint-interval + checkpoint-timeout + max-downtime < kafka.transaction-timeout <= 15 min
 * }</pre>
 *
 * <p>where 15 minutes is the default of the brokers' {@code transaction.max.timeout.ms}: a producer asking for more
 * is refused at start-up, and Sluice cannot ask the broker for its value before it starts.
 */
final class TransactionTimeouts {

    /** The default of the brokers' {@code transaction.max.timeout.ms}. */
    static final Duration BROKER_DEFAULT_MAX = Duration.ofMinutes(15);

    private TransactionTimeouts() {}

    /** @throws IllegalArgumentException naming the keys and their values, when the rule above does not hold */
    static void check(KafkaSettings kafka, JobSettings job) {
        Duration timeout = kafka.transactionTimeout();
        Duration needed = job.checkpointInterval().plus(job.checkpointTimeout()).plus(job.maxDowntime());
        if (timeout.compareTo(needed) <= 0) {
            throw new IllegalArgumentException("kafka.transaction-timeout (" + seconds(timeout) + ") must exceed "
                    + "job.checkpoint-interval + job.checkpoint-timeout + job.max-downtime ("
                    + seconds(job.checkpointInterval()) + " + " + seconds(job.checkpointTimeout()) + " + "
                    + seconds(job.maxDowntime()) + " = " + seconds(needed) + "): a transaction stays open until the "
                    + "next checkpoint completes, and after a failure until the job recovers; one the broker aborts "
                    + "first loses its output. Raise kafka.transaction-timeout or lower the others");
        }
        if (timeout.compareTo(BROKER_DEFAULT_MAX) > 0) {
            throw new IllegalArgumentException("kafka.transaction-timeout (" + seconds(timeout) + ") must not exceed "
                    + seconds(BROKER_DEFAULT_MAX) + ", the default of the brokers' transaction.max.timeout.ms "
                    + "(15 minutes): the sinks' producers would be refused at start-up");
        }
    }

    /** {@code 0.5 s}, {@code 120 s}: the keys take ISO-8601 durations, but sums read better in one unit. */
    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }
}
