package dev.sluice.emulator.openai;

import java.util.List;

/**
 * A server's health check: the paths it answers on ({@code GET} and {@code HEAD}), and the bodies it sends when
 * serving (200) and when down (503).
 *
 * @param paths the health paths
 * @param up the 200 body
 * @param down the 503 body
 */
record Health(List<String> paths, Body up, Body down) {

    /**
     * A response body.
     *
     * @param text the body, empty for none
     * @param contentType its media type, or null without a body
     */
    record Body(String text, String contentType) {
        static final Body EMPTY = new Body("", null);

        static Body json(String text) {
            return new Body(text, "application/json");
        }

        static Body plain(String text) {
            return new Body(text, "text/plain; charset=utf-8");
        }
    }

    /** Empty bodies both ways, as vLLM, SGLang and TGI's 200 send. */
    static Health empty(String... paths) {
        return new Health(List.of(paths), Body.EMPTY, Body.EMPTY);
    }
}
