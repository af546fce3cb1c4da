package dev.sluice.bulk;

import dev.sluice.config.KafkaSettings;
import dev.sluice.run.Attempts;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.terminal.TopicReader;
import java.util.HashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The committed outcomes of one bulk run's requests, read from the completions and rejects topics: per item, those
 * of its latest attempt ({@link Attempts}): the completion of each part and a reject. An earlier attempt's outcomes
 * are superseded by a retry's, so each item has one outcome however often it was retried. Duplicate rejects (a
 * resubmitted request the pipeline already had) are not outcomes: the first copy's is.
 */
public final class RunOutcomes {

    /**
     * What one item has so far, in its latest attempt.
     *
     * @param attempt the item's latest attempt with an outcome, 0 for its first publication
     * @param parts completions by part number
     * @param reject the first reject of any part, or null; a reject that no retry can help replaces one that could,
     *     so the item is retried only when every part's reject says so; an item whose every part has a completion
     *     is served all the same (the reject was of a later copy)
     */
    public record Item(int attempt, TreeMap<Integer, Completion> parts, Reject reject) {

        /** The parts the item was split into, as its completions say; 0 before any completion. */
        public int partCount() {
            if (parts.isEmpty()) {
                return 0;
            }
            Integer count = parts.firstEntry().getValue().getChunkCount();
            return count == null ? 1 : count;
        }

        /** Whether every part has a completion. */
        public boolean isServed() {
            return !parts.isEmpty() && parts.size() == partCount();
        }

        /** Whether a resubmission publishes the item again: unserved, and rejected for the servers' health. */
        public boolean isRetryable() {
            return !isServed() && reject != null && RejectCauses.isRetryable(reject.getReason());
        }
    }

    private final Map<Long, Item> items = new HashMap<>();

    private RunOutcomes() {}

    /**
     * Everything committed now for run {@code runId} of {@code tenant}, keeping only the run's records as the topics
     * are read.
     */
    public static RunOutcomes read(KafkaSettings kafka, String tenant, String runId) {
        RunOutcomes outcomes = new RunOutcomes();
        try (TopicReader<Completion> reader =
                new TopicReader<>(kafka, kafka.topics().of(tenant).completions(), Completion.getClassSchema(), true)) {
            reader.readToEnd(completion -> outcomes.addIfOfRun(tenant, runId, completion));
        }
        try (TopicReader<Reject> reader =
                new TopicReader<>(kafka, kafka.topics().of(tenant).rejects(), Reject.getClassSchema(), true)) {
            reader.readToEnd(reject -> outcomes.addIfOfRun(tenant, runId, reject));
        }
        return outcomes;
    }

    /** The outcomes of run {@code runId} of {@code tenant} among {@code completions} and {@code rejects}. */
    static RunOutcomes of(String tenant, String runId, List<Completion> completions, List<Reject> rejects) {
        RunOutcomes outcomes = new RunOutcomes();
        completions.forEach(completion -> outcomes.addIfOfRun(tenant, runId, completion));
        rejects.forEach(reject -> outcomes.addIfOfRun(tenant, runId, reject));
        return outcomes;
    }

    private void addIfOfRun(String tenant, String runId, Completion completion) {
        if (runId.equals(completion.getRunId()) && tenant.equals(completion.getTenant())
                && completion.getItemIndex() != null) {
            add(completion);
        }
    }

    private void addIfOfRun(String tenant, String runId, Reject reject) {
        if (runId.equals(reject.getRunId()) && tenant.equals(reject.getTenant()) && reject.getItemIndex() != null
                && reject.getReason() != RejectReason.DUPLICATE_REQUEST) {
            add(reject);
        }
    }

    private void add(Completion completion) {
        Item item = latest(completion.getItemIndex(), Attempts.of(completion.getRequestId()));
        if (item != null) {
            item.parts().putIfAbsent(completion.getChunkIndex() == null ? 0 : completion.getChunkIndex(), completion);
        }
    }

    private void add(Reject reject) {
        Item item = latest(reject.getItemIndex(), Attempts.of(reject.getRequestId()));
        if (item == null) {
            return;
        }
        Reject had = item.reject();
        if (had == null || RejectCauses.isRetryable(had.getReason()) && !RejectCauses.isRetryable(reject.getReason())) {
            items.put(reject.getItemIndex(), new Item(item.attempt(), item.parts(), reject));
        }
    }

    /**
     * The entry of item {@code index} for an outcome of {@code attempt}: a fresh one when that attempt is later than
     * what the item had, which it supersedes; null when it is earlier.
     */
    private Item latest(long index, int attempt) {
        Item had = items.get(index);
        if (had != null && had.attempt() > attempt) {
            return null;
        }
        if (had == null || had.attempt() < attempt) {
            had = new Item(attempt, new TreeMap<>(), null);
            items.put(index, had);
        }
        return had;
    }

    /** The item at {@code index}, or null when none of its parts has an outcome. */
    public Item item(long index) {
        return items.get(index);
    }

    /** The indexes of the items a resubmission retries ({@link Item#isRetryable()}), in input order. */
    public List<Long> retryable() {
        return items.entrySet().stream().filter(entry -> entry.getValue().isRetryable()).map(Map.Entry::getKey)
                .sorted().toList();
    }

    /** The latest attempt of any item, 0 when none was retried. */
    public int latestAttempt() {
        return items.values().stream().map(Item::attempt).max(Comparator.naturalOrder()).orElse(0);
    }
}
