package dev.sluice.backend.sglang;

import java.util.List;

/** Cuts generated text at the first stop string, for servers that leave stop strings to the client. */
final class StopStrings {

    private StopStrings() {}

    /** The position where the first stop string starts, or -1. */
    static int find(String text, List<String> stops) {
        int first = -1;
        for (String stop : stops) {
            int at = stop.isEmpty() ? -1 : text.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }
}
