package dev.sluice.bulk;

import java.util.List;

/** A bulk input or prompt template that cannot be used, with every problem found, so all are fixed in one go. */
public final class InvalidInputException extends RuntimeException {

    /** More would scroll the first ones away; the rest are counted. */
    static final int LISTED = 20;

    private final List<Problem> problems;

    public InvalidInputException(List<Problem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidInputException(Problem problem) {
        this(List.of(problem));
    }

    /** Every problem, beyond those the message lists. */
    public List<Problem> problems() {
        return problems;
    }

    /** The first {@link #LISTED} problems as described, a line each, and how many more there are. */
    static String describe(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid input needs a problem");
        }
        String listed = String.join("\n", problems.subList(0, Math.min(LISTED, problems.size())).stream()
                .map(Problem::describe).toList());
        return problems.size() <= LISTED ? listed : listed + "\nand " + (problems.size() - LISTED) + " more";
    }
}
