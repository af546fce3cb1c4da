package dev.sluice.launch;

import java.nio.file.Path;
import java.util.List;

/**
 * What a look at Sluice's topics found, and the exit code {@code sluice topics} returns for it: the state after the
 * command, so that {@code create} and {@code check} agree on what a code means.
 *
 * @param states every topic looked at
 */
public record TopicReport(List<TopicState> states) {

    /** Every topic present as specified. */
    public static final int OK = 0;
    /** Some topic is missing: {@code create} makes it. */
    public static final int MISSING = 3;
    /** Some topic exists but not as specified: {@code create} changes no existing topic, so it is the operator's. */
    public static final int WRONG = 4;

    /** The exit codes of {@code topics create} and {@code topics check}, for their help. */
    public static final String EXIT_OK = OK + ":every topic present as specified";
    public static final String EXIT_ERROR = "1:an error, on one line: the configuration, or the Kafka cluster "
            + "could not be reached or refused (rerun with --debug for the stack trace)";
    public static final String EXIT_USAGE = "2:invalid command line";
    public static final String EXIT_MISSING = MISSING + ":some topic is missing (create: could not be created)";
    public static final String EXIT_WRONG = WRONG + ":some topic exists but not as specified (fewer partitions or "
            + "replicas, another cleanup.policy, a shorter retention.ms); fix it by hand, create changes no existing "
            + "topic";

    public TopicReport {
        states = List.copyOf(states);
    }

    /** A line per problem, topic by topic. */
    public List<String> problems() {
        return states.stream().flatMap(state -> state.problems().stream()).toList();
    }

    public int exitCode() {
        if (states.stream().anyMatch(TopicState::wrong)) {
            return WRONG;
        }
        return problems().isEmpty() ? OK : MISSING;
    }

    /**
     * The problems as the one line a command that needs the topics stops with: the first problem, how many more,
     * and which command repairs them or lists them.
     */
    public String oneLine(Path config) {
        List<String> problems = problems();
        String more = problems.size() == 1 ? "" : " (and " + (problems.size() - 1) + " more)";
        String remedy = exitCode() == MISSING
                ? "create " + (problems.size() == 1 ? "it" : "them") + " with: sluice topics create --config " + config
                : "see: sluice topics check --config " + config;
        return problems.get(0) + more + "; " + remedy;
    }
}
