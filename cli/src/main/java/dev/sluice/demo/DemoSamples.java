package dev.sluice.demo;

import dev.sluice.demo.SamplePrompts.Sample;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The records the demo publishes and what each request in them, or each record without a readable request id,
 * must end as. The outcomes come from the samples alone: the folder's {@value ExpectedOutcomes#FILE_NAME}, and
 * what the records the demo makes itself declare. A folder without that file (samples of one's own) gets the
 * weakest check that still catches loss and duplication: exactly one outcome of any kind each.
 *
 * @param records the records, in publishing order
 * @param expectations one per request id, and one per record in which none can be read
 * @param basis where the expected outcomes come from, for the demo's output
 */
public record DemoSamples(List<SampleRecord> records, List<Expectation> expectations, String basis) {

    public DemoSamples {
        records = List.copyOf(records);
        expectations = List.copyOf(expectations);
    }

    /**
     * Loads the samples of {@code folder} and their expected outcomes. Refuses, with every reason, samples that
     * cannot be checked: a request id twice (its outcomes could not be told apart), a sample the file declares
     * nothing for, an entry that names no sample.
     */
    public static DemoSamples load(Path folder) {
        List<Sample> samples = SamplePrompts.load(folder);
        Optional<ExpectedOutcomes> declared = ExpectedOutcomes.read(folder);
        List<Expectation> expectations = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> originById = new HashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            Sample sample = samples.get(i);
            // A record in which no request id can be read is expected as a whole, named by where it is.
            List<String> ids = sample.requestIds().isEmpty() ? Arrays.asList((String) null) : sample.requestIds();
            for (String id : ids) {
                String earlier = id == null ? null : originById.putIfAbsent(id, sample.origin());
                if (earlier != null) {
                    problems.add("request id " + id + " is in both " + earlier + " and " + sample.origin()
                            + ": the demo checks one outcome per request id");
                }
                Optional<Outcome> outcome = sample.declared() != null ? Optional.of(sample.declared())
                        : declared.flatMap(file -> file.outcomeOf(id, sample.origin()));
                Expectation expectation = new Expectation(id, i, sample.origin(), outcome.orElse(null),
                        id == null ? null : sample.jsonSchemas().get(id));
                if (outcome.isEmpty() && declared.isPresent()) {
                    problems.add(declared.get().name() + " declares no outcome for " + expectation.subject());
                }
                expectations.add(expectation);
            }
        }
        declared.ifPresent(file -> problems.addAll(file.unused()));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the samples in " + folder + " cannot be checked:\n  "
                    + String.join("\n  ", problems));
        }
        String basis = declared.map(file -> "as " + file.name() + " and the demo's own binary records declare")
                .orElse(Expectation.ANY + " meaning exactly one outcome of any kind, for " + folder + " has no "
                        + ExpectedOutcomes.FILE_NAME);
        return new DemoSamples(samples.stream().map(Sample::record).toList(), expectations, basis);
    }

    /** How many of each outcome are expected, by name ({@value Expectation#ANY} for any one). */
    public Map<String, Long> expectedCounts() {
        return expectations.stream().collect(Collectors.groupingBy(Expectation::expected, TreeMap::new,
                Collectors.counting()));
    }
}
