package dev.sluice.run;

import dev.sluice.config.KafkaSettings;
import dev.sluice.gateway.Gateway;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The bulk runs cancelled so far, shared by the operators of one TaskManager: the filter that learns of a
 * cancellation from the broadcast commands records it here, as does a {@link RunCommandFollower} that reads them
 * outside the job's data flow, without its delays; the inference operator rejects the requests of a cancelled run
 * that reach it, and those in a gateway are withdrawn from it: unsent if they wait in its queue, their calls
 * cancelled at the server if they are there.
 * Keyed by {@link RunKeys}.
 */
public final class RunCancellations {

    private static final RunCancellations SHARED = new RunCancellations();

    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<Waiting>> waiting = new ConcurrentHashMap<>();
    /** Followers of the run commands topic, by topic and bootstrap servers, with how many operators use each. */
    private final Map<String, Followed> followers = new HashMap<>();

    private record Followed(RunCommandFollower follower, int users) {}

    /** A request of a run handed to a gateway. */
    private record Waiting(Gateway gateway, CompletableFuture<Gateway.Answer> request) {}

    /** The one per JVM, as a TaskManager's operators share their gateways. */
    public static RunCancellations shared() {
        return SHARED;
    }

    /**
     * Follows the run commands topic of {@code kafka} until the returned lease is closed, with one reader per
     * topic however many operators of the JVM ask.
     */
    public synchronized AutoCloseable follow(KafkaSettings kafka) {
        String key = kafka.bootstrapServers() + "/" + kafka.topics().runCommands();
        Followed followed = followers.get(key);
        followers.put(key, followed == null ? new Followed(new RunCommandFollower(kafka, this), 1)
                : new Followed(followed.follower(), followed.users() + 1));
        return () -> unfollow(key);
    }

    private synchronized void unfollow(String key) {
        Followed followed = followers.remove(key);
        if (followed.users() > 1) {
            followers.put(key, new Followed(followed.follower(), followed.users() - 1));
        } else {
            followed.follower().close();
        }
    }

    public boolean isCancelled(String runKey) {
        return cancelled.contains(runKey);
    }

    /** Marks the run cancelled and withdraws what of it is in a gateway, queued or at a server. */
    public void cancel(String runKey) {
        cancelled.add(runKey);
        Set<Waiting> requests = waiting.remove(runKey);
        if (requests != null) {
            requests.stream()
                    .collect(Collectors.groupingBy(Waiting::gateway, Collectors.mapping(Waiting::request,
                            Collectors.toList())))
                    .forEach(Gateway::withdraw);
        }
    }

    /**
     * Watches a request of the run, handed to {@code gateway}, until {@link #finished}: withdrawn if the run is
     * cancelled before it is sent. Callers check {@link #isCancelled} first; one watched after the run was cancelled
     * all the same is withdrawn at once.
     */
    public void watch(String runKey, Gateway gateway, CompletableFuture<Gateway.Answer> request) {
        Waiting entry = new Waiting(gateway, request);
        // Added inside compute, so a concurrent finished() cannot drop the set this joins.
        waiting.compute(runKey, (key, requests) -> {
            Set<Waiting> joined = requests == null ? ConcurrentHashMap.newKeySet() : requests;
            joined.add(entry);
            return joined;
        });
        if (cancelled.contains(runKey)) {
            // Cancelled between the caller's check and now: withdraw this one, touching no other gateway.
            finished(runKey, gateway, request);
            gateway.withdraw(List.of(request));
        }
    }

    public void finished(String runKey, Gateway gateway, CompletableFuture<Gateway.Answer> request) {
        Waiting entry = new Waiting(gateway, request);
        waiting.computeIfPresent(runKey, (key, requests) -> {
            requests.remove(entry);
            return requests.isEmpty() ? null : requests;
        });
    }
}
