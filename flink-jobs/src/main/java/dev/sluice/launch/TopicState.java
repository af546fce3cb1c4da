package dev.sluice.launch;

import dev.sluice.config.TopicSpec;
import java.util.List;
import java.util.Objects;

/**
 * One of Sluice's topics as the cluster has it, set against its {@link TopicSpec}.
 *
 * @param spec what it should be
 * @param presence whether it exists, and whether this command created it
 * @param problems why it cannot serve, a line each naming the topic; empty when it can
 */
public record TopicState(TopicSpec spec, Presence presence, List<String> problems) {

    /** Whether the topic exists. */
    public enum Presence { MISSING, PRESENT, CREATED }

    public TopicState {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(presence, "presence");
        problems = List.copyOf(problems);
    }

    public static TopicState missing(TopicSpec spec) {
        return new TopicState(spec, Presence.MISSING, List.of("topic " + spec.name() + " is missing"));
    }

    /** Still missing after {@code create} tried, with Kafka's reason. */
    public static TopicState notCreated(TopicSpec spec, Throwable reason) {
        return new TopicState(spec, Presence.MISSING,
                List.of("topic " + spec.name() + " is missing: not created: " + reason.getMessage()));
    }

    public static TopicState created(TopicSpec spec) {
        return new TopicState(spec, Presence.CREATED, List.of());
    }

    /** Exists, but does not serve as specified: some of its configuration differs. */
    public boolean wrong() {
        return presence != Presence.MISSING && !problems.isEmpty();
    }

    /** What {@code sluice topics create} prints for it: what it did, or what is wrong. */
    public List<String> createLines() {
        return switch (presence) {
            case CREATED -> List.of("created " + spec.name() + " (" + spec.describe() + ")");
            case PRESENT -> problems.isEmpty() ? List.of("present " + spec.name()) : problems;
            case MISSING -> problems;
        };
    }
}
