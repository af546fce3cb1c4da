package dev.sluice.job;

import dev.sluice.gateway.Gateway;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * The requests an inference function has in gateways, by the result each will complete: Flink's async timeout
 * hands back only the result, and a request it gives up on is withdrawn from its gateway, dropped from the queue
 * or its call cancelled at the server.
 */
final class GatewayWithdrawals {

    private final Map<ResultFuture<?>, Runnable> byResult = new ConcurrentHashMap<>();

    /** The request that completes {@code result} is in {@code gateway}, as {@code answered}. */
    void entered(ResultFuture<?> result, Gateway gateway, CompletableFuture<Gateway.Answer> answered) {
        byResult.put(result, () -> gateway.withdraw(List.of(answered)));
    }

    /** The request left its gateway: answered or failed. */
    void left(ResultFuture<?> result) {
        byResult.remove(result);
    }

    /** Withdraws the request that completes {@code result} from its gateway, if it is in one. */
    void withdraw(ResultFuture<?> result) {
        Runnable withdrawal = byResult.remove(result);
        if (withdrawal != null) {
            withdrawal.run();
        }
    }
}
