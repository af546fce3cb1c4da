package dev.sluice.bulk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects what is wrong with an input, so that one attempt reports all of it. */
final class Problems {

    private final List<String> found = new ArrayList<>();
    private final Map<String, String> firstUse = new HashMap<>();

    void add(String problem) {
        found.add(problem);
    }

    int count() {
        return found.size();
    }

    /** Records an item's id at {@code where}; a second use is a problem that names both places. */
    void uniqueId(String label, String id, String where) {
        String first = firstUse.putIfAbsent(id, where);
        if (first != null) {
            add(where + ": " + label + " '" + id + "' is also on " + first);
        }
    }

    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidInputException(found);
        }
    }
}
