package dev.sluice.emulator.openai;

import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.Faults;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every completion of one emulator shares.
 *
 * @param model the model and its GPU
 * @param tokenizer counts and renders tokens
 * @param faults injected faults
 * @param dialect what the server played does differently
 * @param timer runs SSE pings
 * @param finished the completions ended so far, by finish reason
 */
record Serving(EmulatedModel model, ModelTokenizer tokenizer, Faults faults, Traits dialect,
        ScheduledExecutorService timer, FinishedRequests finished) {}
