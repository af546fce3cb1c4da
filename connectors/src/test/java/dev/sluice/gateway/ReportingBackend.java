package dev.sluice.gateway;

import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ManualBackend} whose server reports its load as an in-flight batching server would: the requests of its
 * unanswered calls run up to its slots, and the rest wait.
 */
final class ReportingBackend extends ManualBackend implements ReportsLoad {
    private final int slots;

    ReportingBackend(int slots) {
        this.slots = slots;
    }

    /** Requests in calls not answered yet. */
    int outstanding() {
        int outstanding = 0;
        // A call is recorded before its answer: one the backend is still recording is not counted yet.
        int recorded = Math.min(calls.size(), answers.size());
        for (int call = 0; call < recorded; call++) {
            outstanding += answers.get(call).isDone() ? 0 : calls.get(call).size();
        }
        return outstanding;
    }

    @Override
    public boolean reportsLoad() {
        return true;
    }

    @Override
    public CompletableFuture<ServerLoad> load() {
        int outstanding = outstanding();
        return CompletableFuture.completedFuture(new ServerLoad(Math.min(slots, outstanding),
                Math.max(0, outstanding - slots), slots, 0, 0, 0));
    }
}
