package dev.sluice.gateway;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One priority class of a gateway's queue, shared fairly between tenants by tokens: each tenant waits in a queue
 * of its own, first in first out, and the next request is the head of the waiting tenant that has been served the
 * fewest tokens per unit of its weight, as the virtual token counter does (Sheng et al., "Fairness in Serving Large
 * Language Models", OSDI 2024). The counter has two parts: the tokens served, counted when a request's answer comes
 * (its prompt and completion tokens, nothing for a failed call), and the tokens reserved by requests at a server,
 * their prompt and most possible completion tokens, counted when they leave the queue, so that a tenant with much
 * in flight waits behind one with little. A tenant that starts waiting is lifted to the lowest tokens served among
 * those already waiting (or, when none waits, to the one served last), so time spent idle earns no credit to
 * starve others with later. Not thread-safe: the gateway's lock guards it.
 *
 * @param <T> the queued requests
 */
final class FairQueue<T> {

    private final Function<T, Share> shareOf;
    /** The waiting tenants' requests; a tenant with none has no entry. */
    private final Map<String, Deque<T>> waiting = new LinkedHashMap<>();
    /** Tokens served per unit of weight, by tenant. */
    private final Map<String, Double> served = new HashMap<>();
    /** Tokens reserved by requests at a server, per unit of weight, by tenant. */
    private final Map<String, Double> reserved = new HashMap<>();
    /** The tenant whose request left last: the floor for one that starts waiting when no other waits. */
    private String lastServed;
    private int size;

    FairQueue(Function<T, Share> shareOf) {
        this.shareOf = shareOf;
    }

    /** Queues {@code request} behind its tenant's others. */
    void add(T request) {
        queueOf(shareOf.apply(request).tenant()).addLast(request);
        size++;
    }

    /** Queues {@code request} ahead of its tenant's others: a retry, older than what waits. */
    void addFirst(T request) {
        queueOf(shareOf.apply(request).tenant()).addFirst(request);
        size++;
    }

    /** The next request to serve, or null when none waits. */
    T peek() {
        Deque<T> next = next();
        return next == null ? null : next.peekFirst();
    }

    /** Takes the next request to serve out of the queue; null when none waits. See {@link #reserve}. */
    T poll() {
        return poll(request -> true, 1);
    }

    /**
     * Takes out of the queue the first of the next tenant's first {@code window} requests that {@code wanted}
     * accepts; null when none does, or none waits. See {@link #reserve}.
     */
    T poll(Predicate<T> wanted, int window) {
        Deque<T> next = next();
        if (next == null) {
            return null;
        }
        Iterator<T> requests = next.iterator();
        for (int seen = 0; seen < window && requests.hasNext(); seen++) {
            T request = requests.next();
            if (wanted.test(request)) {
                requests.remove();
                size--;
                lastServed = shareOf.apply(request).tenant();
                if (next.isEmpty()) {
                    waiting.remove(lastServed);
                }
                return request;
            }
        }
        return null;
    }

    /** Counts {@code tokens} against {@code share}'s tenant for a request of it that left the queue for a server. */
    void reserve(Share share, int tokens) {
        reserved.merge(share.tenant(), tokens / share.weight(), Double::sum);
    }

    /**
     * A request of {@code share}'s tenant that {@link #reserve reserved} {@code reservedTokens} has its answer, with
     * {@code servedTokens} served: 0 for a failed or withdrawn call, which is then as if never sent.
     */
    void settle(Share share, int reservedTokens, int servedTokens) {
        reserved.merge(share.tenant(), -reservedTokens / share.weight(), Double::sum);
        served.merge(share.tenant(), servedTokens / share.weight(), Double::sum);
    }

    /** Removes the requests {@code remove} accepts; whether any were. */
    boolean removeIf(Predicate<T> remove) {
        boolean removed = false;
        for (Iterator<Deque<T>> queues = waiting.values().iterator(); queues.hasNext(); ) {
            Deque<T> queue = queues.next();
            int before = queue.size();
            if (queue.removeIf(remove)) {
                removed = true;
                size -= before - queue.size();
                if (queue.isEmpty()) {
                    queues.remove();
                }
            }
        }
        return removed;
    }

    /** Hands every request to {@code into} and empties the queue. */
    void drainTo(Consumer<T> into) {
        waiting.values().forEach(queue -> queue.forEach(into));
        waiting.clear();
        size = 0;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** How many tenants have requests waiting. */
    int tenantsWaiting() {
        return waiting.size();
    }

    /**
     * The queue of the waiting tenant with the fewest tokens served and reserved per weight; ties go to the tenant
     * that has waited longest.
     */
    private Deque<T> next() {
        Deque<T> best = null;
        double lowest = Double.MAX_VALUE;
        for (Map.Entry<String, Deque<T>> entry : waiting.entrySet()) {
            double counter = served.getOrDefault(entry.getKey(), 0.0) + reserved.getOrDefault(entry.getKey(), 0.0);
            if (counter < lowest) {
                lowest = counter;
                best = entry.getValue();
            }
        }
        return best;
    }

    private Deque<T> queueOf(String tenant) {
        Deque<T> queue = waiting.get(tenant);
        if (queue == null) {
            // Starts waiting: no lower than the least served of those waiting already, or than the last one served
            // when none waits, so that a tenant idle while another was served cannot starve it on its return.
            double floor = waiting.keySet().stream().mapToDouble(other -> served.getOrDefault(other, 0.0)).min()
                    .orElse(lastServed == null ? 0.0 : served.getOrDefault(lastServed, 0.0));
            served.merge(tenant, floor, Math::max);
            queue = new ArrayDeque<>();
            waiting.put(tenant, queue);
        }
        return queue;
    }
}
