package dev.sluice.bulk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import dev.sluice.serde.JsonAvro;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Writes a bulk run's results in input order, one JSON line per item served, and its errors to a file of their
 * own, one line per item that was not: rejected (with the pipeline's reason), cancelled, or without an outcome.
 * An item split in parts is served when every part is, and its text is the parts' answers in order, a blank line
 * between them. An item retried is reported by its latest attempt ({@link RunOutcomes}): one line per item.
 */
public final class RunResultsWriter {

    /** What a collected run amounts to, and the exit code that says it. */
    public enum Verdict {
        /** Every item served. */
        COMPLETE(0),
        /** Some items served, some not. */
        PARTIAL(3),
        /** No item served, or the run failed validation or ended before it was submitted. */
        FAILED(4);

        public final int exitCode;

        Verdict(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    /**
     * @param items items in the run
     * @param served items in the results file
     * @param errors items in the errors file
     * @param verdict what that amounts to
     */
    public record Summary(int items, int served, int errors, Verdict verdict) {}

    /** The form of the lines: this writer's own, or another API's, such as the Batch API's. */
    public interface Lines {

        /** The results line of item {@code index}, every part of which has a completion. */
        ObjectNode served(long index, Collection<Completion> parts);

        /** The errors line of item {@code index}, which was not served; {@code item} null when it has no outcome. */
        ObjectNode unserved(long index, RunOutcomes.Item item, RunStatus status);
    }

    /** Sluice's lines, as {@code sluice bulk collect} writes them. */
    public static final Lines BULK = new Lines() {
        @Override
        public ObjectNode served(long index, Collection<Completion> parts) {
            return RunResultsWriter.served(index, parts);
        }

        @Override
        public ObjectNode unserved(long index, RunOutcomes.Item item, RunStatus status) {
            return error(index, item, status);
        }
    };

    private RunResultsWriter() {}

    public static Summary write(RunState state, RunOutcomes outcomes, Path results, Path errors) throws IOException {
        return write(state, outcomes, results, errors, BULK);
    }

    /** Writes the run's lines in the form {@code lines} gives them. */
    public static Summary write(RunState state, RunOutcomes outcomes, Path results, Path errors, Lines lines)
            throws IOException {
        ObjectMapper json = JsonAvro.mapper();
        int total = state.getTotalItems() == null ? 0 : state.getTotalItems();
        int served = 0;
        try (BufferedWriter out = Files.newBufferedWriter(results, StandardCharsets.UTF_8);
                BufferedWriter err = Files.newBufferedWriter(errors, StandardCharsets.UTF_8)) {
            for (long index = 0; index < total; index++) {
                RunOutcomes.Item item = outcomes.item(index);
                // Served once every part has a completion, even if a later copy of a part was rejected.
                if (item != null && item.isServed()) {
                    out.write(json.writeValueAsString(lines.served(index, item.parts().values())));
                    out.newLine();
                    served++;
                } else {
                    err.write(json.writeValueAsString(lines.unserved(index, item, state.getStatus())));
                    err.newLine();
                }
            }
        }
        // A run cancelled or failed before it was submitted has no items, and nothing served.
        Verdict verdict = state.getStatus() == RunStatus.FAILED || state.getTotalItems() == null || served == 0
                ? Verdict.FAILED
                : served == total ? Verdict.COMPLETE : Verdict.PARTIAL;
        return new Summary(total, served, total - served, verdict);
    }

    private static ObjectNode served(long index, Collection<Completion> parts) {
        ServedItem served = ServedItem.of(parts);
        ObjectNode line = JsonAvro.mapper().createObjectNode();
        line.put("custom_id", served.customId());
        line.put("index", index);
        line.put("text", served.text());
        line.put("model", served.models());
        // What the licence asks of whoever uses this text: every part's model's, once each.
        line.put("license", served.license());
        ArrayNode obligations = line.putArray("obligations");
        served.obligations().forEach(obligations::add);
        line.put("finish_reason", served.finishReason());
        line.put("prompt_tokens", served.promptTokens());
        line.put("completion_tokens", served.completionTokens());
        line.put("parts", served.parts());
        return line;
    }

    private static ObjectNode error(long index, RunOutcomes.Item item, RunStatus status) {
        ObjectNode line = JsonAvro.mapper().createObjectNode();
        Reject reject = item == null ? null : item.reject();
        line.put("custom_id", reject != null ? reject.getItemId()
                : item != null ? item.parts().firstEntry().getValue().getItemId() : null);
        line.put("index", index);
        if (reject != null) {
            line.put("reason", reject.getReason().name());
            line.put("message", reject.getMessage());
        } else if (item != null) {
            line.put("reason", "INCOMPLETE");
            line.put("message", item.parts().size() + " of " + item.partCount() + " parts answered");
        } else {
            line.put("reason", "NO_OUTCOME");
            line.put("message", "no outcome yet; the run is " + status.name().toLowerCase(java.util.Locale.ROOT));
        }
        return line;
    }
}
