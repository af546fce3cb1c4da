package dev.sluice.serve;

import java.util.List;

/** The endpoints a batch may name: those whose requests a bulk run serves. */
final class BatchEndpoints {

    static final String CHAT = "/v1/chat/completions";
    static final String COMPLETIONS = "/v1/completions";
    static final List<String> SUPPORTED = List.of(CHAT, COMPLETIONS);

    /** The one completion window the hosted API accepts. */
    static final String WINDOW = "24h";

    private BatchEndpoints() {}
}
