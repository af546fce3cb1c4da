package dev.sluice.bulk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what is wrong with an input, so that one attempt reports all of it; and the ids seen so far, the one
 * thing about an input's items that must be kept from one item to the next.
 */
final class Problems {

    private final List<Problem> found = new ArrayList<>();
    private final Map<String, Integer> firstUse = new HashMap<>();

    void add(Problem problem) {
        found.add(problem);
    }

    void at(int line, String code, String message) {
        add(Problem.at(line, code, message));
    }

    void addAll(List<Problem> problems) {
        found.addAll(problems);
    }

    int count() {
        return found.size();
    }

    /**
     * Records an item's id as used at {@code place} (a line or a row number); returns the place of its first use
     * when this is a second one, else null.
     */
    Integer earlierUse(String id, int place) {
        return firstUse.putIfAbsent(id, place);
    }

    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidInputException(found);
        }
    }
}
