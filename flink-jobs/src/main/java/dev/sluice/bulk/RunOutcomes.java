package dev.sluice.bulk;

import dev.sluice.config.KafkaSettings;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.terminal.TopicReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * @param reject the first reject of any part, or null; an item whose every part has a completion is served all
     *     the same (the reject was of a later copy)
     */
    public record Item(TreeMap<Integer, Completion> parts, Reject reject) {}

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
        Item item = items.computeIfAbsent(completion.getItemIndex(), index -> new Item(new TreeMap<>(), null));
        item.parts().putIfAbsent(completion.getChunkIndex() == null ? 0 : completion.getChunkIndex(), completion);
    }

    private void add(Reject reject) {
        items.merge(reject.getItemIndex(), new Item(new TreeMap<>(), reject),
                (had, rejected) -> had.reject() != null ? had : new Item(had.parts(), reject));
    }

    /** The item at {@code index}, or null when none of its parts has an outcome. */
    public Item item(long index) {
        return items.get(index);
    }
}
