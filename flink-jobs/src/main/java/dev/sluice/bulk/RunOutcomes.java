package dev.sluice.bulk;

import dev.sluice.config.KafkaSettings;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.terminal.TopicReader;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The committed outcomes of one bulk run's requests, read from the completions and rejects topics: per item, the
 * completion of each part and the first reject. Duplicate rejects (a resubmitted request the pipeline already had)
 * are not outcomes: the first copy's is.
 */
public final class RunOutcomes {

    /**
     * What one item has so far.
     *
     * @param parts completions by part number
     * @param reject the first reject of any part, or null
     */
    public record Item(TreeMap<Integer, Completion> parts, Reject reject) {}

    private final Map<Long, Item> items = new HashMap<>();
    private final Set<String> answered = new HashSet<>();

    private RunOutcomes() {}

    /** Everything committed now for run {@code runId} of {@code tenant}. */
    public static RunOutcomes read(KafkaSettings kafka, String tenant, String runId) {
        List<Completion> completions;
        List<Reject> rejects;
        try (TopicReader<Completion> reader =
                new TopicReader<>(kafka, kafka.topics().completions(), Completion.getClassSchema(), true)) {
            completions = reader.readToEnd();
        }
        try (TopicReader<Reject> reader =
                new TopicReader<>(kafka, kafka.topics().rejects(), Reject.getClassSchema(), true)) {
            rejects = reader.readToEnd();
        }
        return of(tenant, runId, completions, rejects);
    }

    /** The outcomes of run {@code runId} of {@code tenant} among {@code completions} and {@code rejects}. */
    static RunOutcomes of(String tenant, String runId, List<Completion> completions, List<Reject> rejects) {
        RunOutcomes outcomes = new RunOutcomes();
        completions.stream().filter(c -> runId.equals(c.getRunId()) && tenant.equals(c.getTenant())
                && c.getItemIndex() != null).forEach(outcomes::add);
        rejects.stream().filter(r -> runId.equals(r.getRunId()) && tenant.equals(r.getTenant())
                && r.getItemIndex() != null && r.getReason() != RejectReason.DUPLICATE_REQUEST)
                .forEach(outcomes::add);
        return outcomes;
    }

    private void add(Completion completion) {
        answered.add(completion.getRequestId());
        Item item = items.computeIfAbsent(completion.getItemIndex(), index -> new Item(new TreeMap<>(), null));
        item.parts().putIfAbsent(completion.getChunkIndex() == null ? 0 : completion.getChunkIndex(), completion);
    }

    private void add(Reject reject) {
        answered.add(reject.getRequestId());
        items.merge(reject.getItemIndex(), new Item(new TreeMap<>(), reject),
                (had, rejected) -> had.reject() != null ? had : new Item(had.parts(), reject));
    }

    /** The item at {@code index}, or null when none of its parts has an outcome. */
    public Item item(long index) {
        return items.get(index);
    }

    /** Whether the request {@code requestId} has an outcome: a resubmission need not publish it again. */
    public boolean isAnswered(String requestId) {
        return answered.contains(requestId);
    }
}
