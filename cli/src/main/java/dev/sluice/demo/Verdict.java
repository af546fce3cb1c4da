package dev.sluice.demo;

import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whether the pipeline's outputs are exactly what the samples expect: each request id, and each record in which
 * none can be read, ends as exactly one outcome, the expected one. Outcomes are matched to expectations by request
 * id; a reject without a known request id, by the position of the record it points back at, and it is then the
 * outcome of every request of that record (the whole record was refused). Anything that matches no expectation is
 * unexpected and fails the verdict, as does anything missing, duplicated or different, and a completion of a
 * request with a JSON schema whose text is not JSON valid against it.
 */
public final class Verdict {

    /**
     * An outcome heard for an expectation, whether it was a reject of the whole record the request is in, and for a
     * completion of a request with a JSON schema, what is wrong with its text against it (null when nothing is).
     */
    private record Heard(Outcome outcome, boolean wholeRecord, String invalid) {

        Heard(Outcome outcome, boolean wholeRecord) {
            this(outcome, wholeRecord, null);
        }

        @Override
        public String toString() {
            return wholeRecord ? outcome + " (of its whole record)"
                    : invalid != null ? outcome + " not valid against its structure's JSON schema: " + invalid : outcome.toString();
        }
    }

    /** What was heard for each expectation, in the samples' order. */
    private final Map<Expectation, List<Heard>> heard = new LinkedHashMap<>();
    /** Outcomes that match no expectation, as the demo prints them. */
    private final List<String> unexpected = new ArrayList<>();

    private Verdict(List<Expectation> expectations) {
        expectations.forEach(expectation -> heard.put(expectation, new ArrayList<>()));
    }

    /**
     * Matches {@code completions} and {@code rejects} to {@code expectations}, whose records were published to
     * {@code positions} (by record index). No two expectations may name the same request id.
     */
    public static Verdict of(List<Expectation> expectations, List<RecordPosition> positions,
            List<Completion> completions, List<Reject> rejects) {
        Verdict verdict = new Verdict(expectations);
        Map<String, Expectation> byId = new HashMap<>();
        Map<RecordPosition, List<Expectation>> byRecord = new HashMap<>();
        for (Expectation expectation : expectations) {
            if (expectation.requestId() != null) {
                byId.put(expectation.requestId(), expectation);
            }
            byRecord.computeIfAbsent(positions.get(expectation.record()), p -> new ArrayList<>()).add(expectation);
        }
        for (Completion completion : completions) {
            Expectation expectation = byId.get(completion.getRequestId());
            if (expectation == null) {
                verdict.unexpected.add(Outcome.COMPLETION + " for request id " + completion.getRequestId()
                        + ", which no sample holds");
            } else {
                String invalid = expectation.jsonSchema() == null ? null
                        : SchemaConformance.problem(expectation.jsonSchema(), completion.getText()).orElse(null);
                verdict.heard.get(expectation).add(new Heard(Outcome.COMPLETION, false, invalid));
            }
        }
        for (Reject reject : rejects) {
            Expectation expectation = reject.getRequestId() == null ? null : byId.get(reject.getRequestId());
            List<Expectation> ofRecord = byRecord.get(source(reject));
            if (expectation != null) {
                verdict.heard.get(expectation).add(new Heard(Outcome.of(reject), false));
            } else if (ofRecord != null) {
                // It names no request of the samples but points back at a record, refused before its requests
                // could be read (or with an id cut to its cap): that is the outcome of each request in it.
                for (Expectation inRecord : ofRecord) {
                    verdict.heard.get(inRecord).add(new Heard(Outcome.of(reject), inRecord.requestId() != null));
                }
            } else {
                String id = reject.getRequestId() == null ? "" : " for request id " + reject.getRequestId();
                String at = source(reject) == null ? "" : " at " + source(reject);
                verdict.unexpected.add(Outcome.of(reject) + id + at + ", which no sample holds");
            }
        }
        return verdict;
    }

    /** The record a reject points back at; null for a reject of a valid request, which points at none. */
    private static RecordPosition source(Reject reject) {
        return reject.getSourceTopic() == null || reject.getSourcePartition() == null
                || reject.getSourceOffset() == null ? null
                : new RecordPosition(reject.getSourceTopic(), reject.getSourcePartition(), reject.getSourceOffset());
    }

    /** Whether every expectation has heard at least one outcome: nothing more to wait for but duplicates. */
    public boolean everyOneHeard() {
        return heard.values().stream().noneMatch(List::isEmpty);
    }

    /** Whether each expectation heard exactly its outcome, once, and nothing else was heard. */
    public boolean passed() {
        return unmet() == 0 && unexpected.isEmpty();
    }

    /** Expectations that did not hear exactly their outcome, once. */
    public int unmet() {
        return (int) heard.entrySet().stream().filter(entry -> !met(entry.getKey(), entry.getValue())).count();
    }

    /** Outcomes that match no expectation. */
    public int unexpected() {
        return unexpected.size();
    }

    /** Expectations that heard nothing. */
    public int missing() {
        return (int) heard.values().stream().filter(List::isEmpty).count();
    }

    /** Completions checked against their request's JSON schema, and how many of them were valid. */
    public String schemaChecks() {
        List<Heard> checked = heard.entrySet().stream().filter(entry -> entry.getKey().jsonSchema() != null)
                .flatMap(entry -> entry.getValue().stream()).filter(h -> h.outcome().equals(Outcome.COMPLETION))
                .toList();
        return checked.stream().filter(h -> h.invalid() == null).count() + " of " + checked.size();
    }

    /** Outcomes beyond the first for an expectation. */
    public int duplicated() {
        return heard.values().stream().mapToInt(outcomes -> Math.max(0, outcomes.size() - 1)).sum();
    }

    /**
     * One line for each expectation that did not hear exactly its outcome, once, saying what was expected and what
     * came; then one for each unexpected outcome. Empty when the verdict {@link #passed()}.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        heard.forEach((expectation, outcomes) -> {
            if (!met(expectation, outcomes)) {
                String came = outcomes.isEmpty() ? "nothing"
                        : outcomes.stream().map(Heard::toString).collect(Collectors.joining(", "));
                problems.add(expectation.subject() + ": expected " + expectation.expected() + ", got " + came);
            }
        });
        unexpected.forEach(outcome -> problems.add("unexpected: " + outcome));
        return problems;
    }

    private static boolean met(Expectation expectation, List<Heard> outcomes) {
        return outcomes.size() == 1 && expectation.admits(outcomes.get(0).outcome())
                && outcomes.get(0).invalid() == null;
    }
}
