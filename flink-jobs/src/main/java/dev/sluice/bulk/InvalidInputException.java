package dev.sluice.bulk;

import java.util.List;

/** A bulk input or prompt template that cannot be used, with every problem found, so all are fixed in one go. */
public final class InvalidInputException extends RuntimeException {

    /** More would scroll the first ones away; the rest are counted. */
    static final int LISTED = 20;

    private final List<String> problems;

    public InvalidInputException(List<String> problems) {
        super(message(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid input needs a problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidInputException(String problem) {
        this(List.of(problem));
    }

    /** Every problem, beyond those the message lists. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        String listed = String.join("\n", problems.subList(0, Math.min(LISTED, problems.size())));
        return problems.size() <= LISTED ? listed : listed + "\nand " + (problems.size() - LISTED) + " more";
    }
}
