package dev.sluice.demo;

import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import java.util.Arrays;
import java.util.Objects;

/**
 * How one request or record ended: a completion, or a reject with its reason. Written as {@code COMPLETION} or the
 * reason's name, in the demo's output and in a samples folder's {@value ExpectedOutcomes#FILE_NAME}.
 *
 * @param reason the reject's reason; null for a completion, which only {@link #COMPLETION} stands for
 */
public record Outcome(RejectReason reason) {

    public static final Outcome COMPLETION = new Outcome(null);

    public static Outcome rejected(RejectReason reason) {
        return new Outcome(Objects.requireNonNull(reason, "reason"));
    }

    public static Outcome of(Reject reject) {
        return rejected(reject.getReason());
    }

    /**
     * Reads {@code COMPLETION} or a reject reason's name. UNKNOWN is refused: the pipeline never writes it, so an
     * expectation of it could never be met.
     */
    public static Outcome parse(String name) {
        if (name.equals("COMPLETION")) {
            return COMPLETION;
        }
        boolean written = Arrays.stream(RejectReason.values())
                .anyMatch(reason -> reason != RejectReason.UNKNOWN && reason.name().equals(name));
        if (!written) {
            throw new IllegalArgumentException("'" + name + "' is no outcome: COMPLETION or a reject reason of "
                    + Arrays.stream(RejectReason.values()).filter(r -> r != RejectReason.UNKNOWN).toList());
        }
        return rejected(RejectReason.valueOf(name));
    }

    @Override
    public String toString() {
        return reason == null ? "COMPLETION" : reason.name();
    }
}
