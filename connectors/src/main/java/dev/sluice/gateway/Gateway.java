package dev.sluice.gateway;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.TokenEstimate;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Between the pipeline and one model's servers: requests queue here, interactive ones ahead of batch work and,
 * within each, tenants' requests in turn by the tokens each has been served per its weight ({@link FairQueue}), and
 * leave in batches (up to a size, a token budget, or once the oldest has waited the longest queue delay) for a
 * replica that has fewer requests in flight than its {@link AdaptiveLimit} allows. With prefix grouping each request
 * is bound for the replica its prefix hashes to (where that replica's prefix cache holds it) unless that replica
 * cannot take it now or is far busier than the least loaded one ({@link #imbalanced}), which then takes it: prefix
 * affinity with a load bound, as SGLang's gateway does. A batch holds the requests bound for its
 * replica among the next {@value #PLACEMENT_WINDOW} of a tenant's queue, passing over those bound elsewhere, which
 * their own replica's batch takes: first those whose prefix hashes to it, then, for the room they leave, those it
 * takes for a replica that cannot. Its requests are ordered by their opening text and then their length, so those
 * sharing a prefix travel together. A request whose deadline passes in the queue is failed with
 * {@link DeadlineExceededException} and never sent; a request sent carries its deadline, and the backend bounds
 * its call by the time left. Its caller may {@link #withdraw} requests: those waiting leave the queue, and a call
 * whose requests are all withdrawn is cancelled, so the server stops working for them. Batch
 * work leaves room for interactive requests at each replica ({@link Replica#bulkRoom}) while interactive requests
 * are arriving, keeps each server's queue short while several tenants' work is, and takes it all otherwise
 * ({@link Traffic}).
 *
 * <p>Readiness: the gateway starts at once and checks each replica's readiness on a thread of its own
 * ({@link ReadinessProbe}), again after a backoff while it is not ready; a replica is sent calls once it is. As on
 * a gRPC channel, requests wait while some replica's first check is still out, and go to the ready replicas; when
 * no replica is ready and none is still being checked for the first time, they fail at once, retryably, so the
 * caller may fail them over to another model.
 *
 * <p>Failures: a request whose call fails retryably is queued again after an exponential backoff with jitter, for
 * another replica where one will take it, up to {@link ResilienceOptions#maxAttempts()} tries and never past its
 * deadline. Each replica has a circuit breaker: one that fails most of its recent calls gets nothing until, after
 * {@link ResilienceOptions#openFor()}, a single probe call finds it well again. While every circuit is open,
 * requests wait in the queue for one to close, up to their deadlines.
 *
 * <p>Locking: the decision to fail a request is taken under the lock, the failing itself after it is released
 * (a {@link Failure} collected and completed once unlocked), as grpc-java's delayed transport copies its pending
 * streams under its lock and starts them outside it. A caller's callback runs where its future completes, and may
 * well submit elsewhere: the inference function fails a request over to the next model's gateway from it. Two
 * gateways completing under their own locks, each calling into the other, would take the two locks in opposite
 * order and deadlock.
 */
public final class Gateway implements AutoCloseable {

    private static final int PREFIX_CHARS = 64;
    /**
     * How many more requests in flight, and how many times as many, the prefix's replica may have than the least
     * loaded before it is passed over: the defaults of SGLang's cache-aware gateway ({@code --balance-abs-threshold
     * 64}, {@code --balance-rel-threshold 1.5}). Both must be exceeded, so two busy replicas a few dozen apart, as
     * answers that end together leave them, keep their prefixes.
     */
    static final int BALANCE_ABS = 64;
    static final double BALANCE_REL = 1.5;
    /**
     * How far into a tenant's queue a batch looks for requests bound for its replica. Without the look past the
     * first, a batch would carry the prefixes of every replica, as they arrive, to whichever replica the first is
     * bound for, and every replica's cache would hold every prefix.
     */
    static final int PLACEMENT_WINDOW = 256;
    /**
     * How long a kind of traffic ({@link Traffic}) counts as arriving after its last request: the first request of a
     * spell is the only one that finds batch work where the spell's reserve would have been.
     */
    static final long SPELL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final List<Replica> replicas;
    private final GatewayOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final FairQueue<Pending> interactive = new FairQueue<>(Pending::share);
    private final FairQueue<Pending> bulk = new FairQueue<>(Pending::share);
    /** Requests waiting out a backoff before they are queued again, soonest first. */
    private final PriorityQueue<Pending> backingOff =
            new PriorityQueue<>(Comparator.comparingLong(Pending::notBeforeNanos));
    private final IntervalFunction backoff;
    /** Withdrawn while at a server or on their way: not to be retried or queued again when their call ends. */
    private final Set<CompletableFuture<Answer>> withdrawnInFlight =
            Collections.newSetFromMap(new IdentityHashMap<>());
    /** The call each request at a server travels in: cancelled once all of its requests are withdrawn. */
    private final Map<CompletableFuture<Answer>, InFlight> inFlight = new IdentityHashMap<>();
    private final Thread dispatcher;
    /** Readiness checks block for up to their deadline, so each replica may have a thread; idle ones end. */
    private final ScheduledThreadPoolExecutor probes;
    /** Until when, {@link System#nanoTime()} instants, interactive requests and several tenants count as arriving. */
    private long interactiveUntilNanos = System.nanoTime();
    private long tenantsUntilNanos = System.nanoTime();
    /** The tenant of the last batch request submitted. */
    private String lastBatchTenant;
    private long calls;
    /** Batches sent, by how many requests they held: the index is the batch size. */
    private final long[] batchSizes;
    private long dispatched;
    private long retries;
    private boolean closed;

    public Gateway(InferenceBackend backend, GatewayOptions options) {
        this(List.of(backend), options);
    }

    /** A gateway over replicas of one model, each a server of its own. */
    public Gateway(List<InferenceBackend> backends, GatewayOptions options) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a gateway needs at least one replica");
        }
        this.options = options;
        this.batchSizes = new long[options.maxBatchSize() + 1];
        ResilienceOptions resilience = options.resilience();
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(resilience.initialBackoff(), 2.0, 0.5,
                resilience.maxBackoff());
        String name = "gateway-" + backends.get(0).endpoint();
        this.probes = new ScheduledThreadPoolExecutor(backends.size(), runnable -> {
            Thread thread = new Thread(runnable, name + "-probe");
            thread.setDaemon(true);
            return thread;
        });
        probes.setKeepAliveTime(1, TimeUnit.SECONDS);
        probes.allowCoreThreadTimeOut(true);
        this.replicas = backends.stream()
                .map(backend -> new Replica(backend, new ReadinessProbe(backend, probes, backoff, this::wake), options))
                .toList();
        this.dispatcher = new Thread(this::dispatch, name);
        this.dispatcher.setDaemon(true);
        this.dispatcher.start();
        replicas.forEach(replica -> replica.readiness.start());
        replicas.forEach(replica -> replica.startPolling(this::wake));
    }

    private void wake() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A request in the gateway. {@code home} is the index of the replica its prefix hashes to. {@code attempt}
     * counts the calls that failed it so far; a retry waits until {@code notBeforeNanos} and goes elsewhere than
     * {@code failedAt} where it can.
     */
    private record Pending(GenerationRequest request, boolean interactive, Share share, long deadlineNanos,
            long enqueuedNanos, int tokens, int home, CompletableFuture<Answer> result, int attempt,
            long notBeforeNanos, Replica failedAt) {

        Pending retry(long notBefore, Replica replica) {
            return new Pending(request, interactive, share, deadlineNanos, enqueuedNanos, tokens, home, result,
                    attempt + 1, notBefore, replica);
        }
    }

    /**
     * A request's result and when it left the queue.
     *
     * @param result the server's answer
     * @param sentNanos {@link System#nanoTime()} when its batch was sent
     * @param batchSize requests sent with it
     * @param retries calls that failed it before the one that answered
     * @param protocol the protocol of the replica that answered ({@link InferenceBackend#protocol()}): replicas of
     *     one model may speak different ones
     * @param endpoint where that replica is
     */
    public record Answer(GenerationResult result, long sentNanos, int batchSize, int retries, String protocol,
            String endpoint) {}

    /** A server call and the requests it carries. */
    private record InFlight(List<Pending> group, CompletableFuture<List<GenerationResult>> answer) {}

    /** A request to fail once the lock is released, with {@code cause}. */
    private record Failure(CompletableFuture<Answer> result, Throwable cause) {
        void complete() {
            result.completeExceptionally(cause);
        }
    }

    /**
     * Queues a request; {@code deadlineNanos} is a {@link System#nanoTime()} instant, 0 for none. Every request
     * submitted so shares alike ({@link Share#DEFAULT}).
     */
    public CompletableFuture<Answer> submit(GenerationRequest request, boolean isInteractive,
            long deadlineNanos) {
        return submit(request, isInteractive, deadlineNanos, Share.DEFAULT);
    }

    /**
     * Queues a request of {@code share}'s tenant: while tenants wait at once, each is served tokens in proportion
     * to its weight ({@link FairQueue}), interactive requests still ahead of batch work.
     */
    public CompletableFuture<Answer> submit(GenerationRequest request, boolean isInteractive, long deadlineNanos,
            Share share) {
        // Stamped on the request, so the server call is bounded by the time it has left, and a server that
        // schedules by priority can put it first.
        Pending pending = new Pending(request.withDeadlineNanos(deadlineNanos).withInteractive(isInteractive),
                isInteractive, share, deadlineNanos,
                System.nanoTime(),
                TokenEstimate.of(request.prompt()) + request.maxTokens(),
                Math.floorMod(prefix(request.prompt()).hashCode(), replicas.size()), new CompletableFuture<>(), 0, 0,
                null);
        boolean queued;
        lock.lock();
        try {
            queued = !closed;
            if (queued) {
                (isInteractive ? interactive : bulk).add(pending);
                if (isInteractive) {
                    interactiveUntilNanos = pending.enqueuedNanos + SPELL_NANOS;
                } else {
                    if (lastBatchTenant != null && !lastBatchTenant.equals(share.tenant())) {
                        tenantsUntilNanos = pending.enqueuedNanos + SPELL_NANOS;
                    }
                    lastBatchTenant = share.tenant();
                }
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        if (!queued) {
            pending.result.completeExceptionally(BackendException.retryable("gateway closed", null));
        }
        return pending.result;
    }

    /**
     * Takes out of the queue those of {@code requests} (futures {@link #submit} returned) that have not been sent,
     * failing each with a {@link CancellationException}. Those at a server already are not retried or queued
     * again; a call all of whose requests are withdrawn is cancelled, so the server stops working for them, and
     * they fail with a {@link CancellationException}. A cancelled call counts neither for nor against its
     * replica's circuit. Returns how many were taken out of the queue.
     */
    public int withdraw(Collection<? extends CompletableFuture<Answer>> requests) {
        Set<CompletableFuture<Answer>> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        wanted.addAll(requests);
        List<Pending> taken = new ArrayList<>();
        Set<InFlight> abandoned = Collections.newSetFromMap(new IdentityHashMap<>());
        lock.lock();
        try {
            Predicate<Pending> withdrawn = pending -> wanted.contains(pending.result) && taken.add(pending);
            interactive.removeIf(withdrawn);
            bulk.removeIf(withdrawn);
            backingOff.removeIf(withdrawn);
            taken.forEach(pending -> wanted.remove(pending.result));
            wanted.stream().filter(request -> !request.isDone()).forEach(withdrawnInFlight::add);
            wanted.stream().map(inFlight::get).filter(call -> call != null && allWithdrawn(call))
                    .forEach(abandoned::add);
        } finally {
            lock.unlock();
        }
        // Outside the lock: the callers' callbacks run on this thread, and so may a cancelled call's.
        taken.forEach(pending -> pending.result.completeExceptionally(new CancellationException("withdrawn")));
        abandoned.forEach(call -> call.answer.cancel(false));
        return taken.size();
    }

    /** Under the lock: whether every request of {@code call} was withdrawn. */
    private boolean allWithdrawn(InFlight call) {
        return call.group.stream().allMatch(pending -> withdrawnInFlight.contains(pending.result));
    }

    /**
     * The gateway's state now.
     *
     * @param queued requests waiting
     * @param inFlight requests at the server
     * @param limit requests the server may have
     * @param calls server calls made
     * @param requests requests sent in them
     * @param retries requests queued again after a retryable failure
     * @param openCircuits replicas whose circuit is open or half-open
     * @param readyReplicas replicas whose server passed its readiness check
     */
    public record Stats(int queued, int inFlight, int limit, long calls, long requests, long retries,
            int openCircuits, int readyReplicas) {
        public double meanBatch() {
            return calls == 0 ? 0 : (double) requests / calls;
        }
    }

    /** Batches sent so far, by size: element {@code n} counts those of {@code n} requests (element 0 is 0). */
    public long[] batchSizes() {
        lock.lock();
        try {
            return batchSizes.clone();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether some replica may take calls now or soon: its server is ready, or its first readiness check has not
     * ended, and its circuit lets calls through (or will let a probe through now).
     */
    public boolean isAvailable() {
        return replicas.stream().anyMatch(r -> r.readiness.state() != ReadinessProbe.State.NOT_READY && r.admits());
    }

    /** The shortest context any replica says it serves: a request routed by it fits whichever replica takes it. */
    public OptionalInt servedContext() {
        return replicas.stream().map(r -> r.backend.servedContext()).filter(OptionalInt::isPresent)
                .mapToInt(OptionalInt::getAsInt).min();
    }

    /** {@code text}'s tokens by the model's tokenizer, where a replica's backend holds it. */
    public OptionalInt countTokens(String text) {
        for (Replica replica : replicas) {
            OptionalInt count = replica.backend.countTokens(text);
            if (count.isPresent()) {
                return count;
            }
        }
        return OptionalInt.empty();
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(interactive.size() + bulk.size() + backingOff.size(),
                    replicas.stream().mapToInt(r -> r.inFlight).sum(),
                    replicas.stream().mapToInt(r -> r.limit.limit()).sum(), calls, dispatched, retries,
                    (int) replicas.stream().filter(r -> r.breaker.getState() != CircuitBreaker.State.CLOSED).count(),
                    (int) replicas.stream().filter(Replica::isReady).count());
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        while (true) {
            Dispatch next = nextBatch();
            if (next == null) {
                return;
            }
            next.failed.forEach(Failure::complete);
            if (next.replica != null) {
                send(next.replica, next.batch);
            }
        }
    }

    /** What the dispatcher does once it has released the lock: fail {@code failed}, then send {@code batch}. */
    private record Dispatch(Replica replica, List<Pending> batch, List<Failure> failed) {}

    /**
     * Waits for a batch worth sending and a replica to take it, or for requests to fail (their deadline passed, or
     * no replica is ready); null once closed.
     */
    private Dispatch nextBatch() {
        List<Failure> failed = new ArrayList<>();
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                requeueDue(now);
                expire(interactive, now, failed);
                expire(bulk, now, failed);
                if (everyReplicaFailedItsCheck()) {
                    drain(notReady(), failed);
                }
                if (!failed.isEmpty()) {
                    return new Dispatch(null, List.of(), failed);
                }
                Pending head = interactive.isEmpty() ? bulk.peek() : interactive.peek();
                Traffic traffic = traffic(now);
                Replica replica = head == null ? null : choose(head, traffic);
                int room = replica == null ? 0 : replica.room(traffic);
                int bulkRoom = replica == null ? 0 : Math.max(0, replica.bulkRoom(traffic));
                if (head == null || replica == null || room <= 0 || (interactive.isEmpty() && bulkRoom == 0)) {
                    if (head == null && backingOff.isEmpty()) {
                        changed.await();
                    } else if (head == null) {
                        changed.awaitNanos(backingOff.peek().notBeforeNanos - now);
                    } else {
                        changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(Replica.LOAD_POLL_MILLIS));
                    }
                    continue;
                }
                int most = Math.min(room, options.maxBatchSize());
                int queued = interactive.size() + Math.min(bulk.size(), bulkRoom);
                long waited = now - head.enqueuedNanos;
                long delay = options.maxQueueDelay().toNanos();
                if (queued < most && waited < delay) {
                    changed.awaitNanos(delay - waited);
                    continue;
                }
                return new Dispatch(replica, take(replica, most, bulkRoom, traffic), List.of());
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: what is arriving now, interactive requests before several tenants' batch work, which counts as
     * arriving while more than one tenant's waits here, too.
     */
    private Traffic traffic(long now) {
        if (!interactive.isEmpty() || interactiveUntilNanos - now > 0) {
            return Traffic.INTERACTIVE;
        }
        return tenantsUntilNanos - now > 0 || bulk.tenantsWaiting() > 1 ? Traffic.TENANTS : Traffic.BATCH;
    }

    /** Whether every replica failed its last readiness check: none is ready, and none is awaiting its first. */
    private boolean everyReplicaFailedItsCheck() {
        return replicas.stream().allMatch(r -> r.readiness.state() == ReadinessProbe.State.NOT_READY);
    }

    private BackendException notReady() {
        return BackendException.retryable("no replica is ready: "
                + replicas.stream().map(r -> r.readiness.failure()).collect(Collectors.joining("; ")), null);
    }

    /** Under the lock: empties every queue into {@code failed}, each request failing with {@code cause}. */
    private void drain(Throwable cause, List<Failure> failed) {
        Consumer<Pending> fail = pending -> failed.add(new Failure(pending.result, cause));
        interactive.drainTo(fail);
        bulk.drainTo(fail);
        backingOff.forEach(fail);
        backingOff.clear();
    }

    /**
     * Among ready replicas with room and a closed (or probing) circuit, and other than the one a retry failed at
     * if another will do: the replica {@code request} is bound for ({@link #place}); null when none will take it.
     */
    private Replica choose(Pending request, Traffic traffic) {
        List<Replica> usable = usable(traffic);
        if (usable.size() > 1 && request.failedAt != null) {
            usable = usable.stream().filter(r -> r != request.failedAt).toList();
        }
        return place(replicas.get(request.home), usable);
    }

    /** Ready replicas with room for {@code traffic} and a closed (or probing) circuit. */
    private List<Replica> usable(Traffic traffic) {
        return replicas.stream().filter(r -> r.isReady() && r.room(traffic) > 0 && r.admits()).toList();
    }

    /**
     * Of {@code usable}: where a request whose prefix hashes to {@code home} goes, home itself unless it is far
     * busier than the least loaded, which takes the request then, as it does every request without prefix grouping;
     * null when none is.
     */
    private Replica place(Replica home, List<Replica> usable) {
        Replica leastLoaded = usable.stream().min(Comparator.comparingInt(r -> r.inFlight)).orElse(null);
        if (leastLoaded == null || !options.prefixGrouping()) {
            return leastLoaded;
        }
        return usable.contains(home) && !imbalanced(home.inFlight, leastLoaded.inFlight) ? home : leastLoaded;
    }

    /** Whether a replica with {@code busier} requests in flight is far busier than one with {@code lighter}. */
    static boolean imbalanced(int busier, int lighter) {
        return busier - lighter > BALANCE_ABS && busier > BALANCE_REL * lighter;
    }

    /** Puts retries whose backoff is over back at the head of their queue: they are older than what waits there. */
    private void requeueDue(long now) {
        while (!backingOff.isEmpty() && backingOff.peek().notBeforeNanos <= now) {
            Pending due = backingOff.poll();
            (due.interactive ? interactive : bulk).addFirst(due);
        }
    }

    /**
     * Under the lock: up to {@code most} requests for {@code replica}, {@code mostBulk} of them batch work, among
     * them the queue's head, which {@link #choose} bound for it, unless the replica's own requests fill the batch.
     * With prefix grouping over several replicas, requests whose prefix hashes to the replica come first, and only
     * then those it takes because their own replica cannot: a replica that takes another's prefix caches it in
     * place of one of its own, so it does so only for room its own requests leave.
     */
    private List<Pending> take(Replica replica, int most, int mostBulk, Traffic traffic) {
        boolean placing = options.prefixGrouping() && replicas.size() > 1;
        // Where each home's requests go during this take, worked out once: the batch tests many requests, some at each
        // of its slots.
        List<Replica> usable = placing ? usable(traffic) : List.of();
        Replica[] destination = placing
                ? replicas.stream().map(home -> place(home, usable)).toArray(Replica[]::new) : new Replica[0];
        Predicate<Pending> boundHere = pending ->
                (pending.failedAt == null ? destination[pending.home] : choose(pending, traffic)) == replica;
        Predicate<Pending> homeHere = pending -> replicas.get(pending.home) == replica && boundHere.test(pending);
        List<Pending> batch = new ArrayList<>();
        int tokens = 0;
        int bulkTaken = 0;
        for (Predicate<Pending> wanted : placing ? List.of(homeHere, boundHere) : List.<Predicate<Pending>>of(
                pending -> true)) {
            while (batch.size() < most) {
                FairQueue<Pending> queue = interactive.isEmpty() ? bulk : interactive;
                if (queue == bulk && bulkTaken >= mostBulk) {
                    break;
                }
                int budget = batch.isEmpty() ? Integer.MAX_VALUE : options.maxBatchTokens() - tokens;
                Pending next = queue.poll(pending -> pending.tokens <= budget && wanted.test(pending),
                        placing ? PLACEMENT_WINDOW : 1);
                if (next == null) {
                    break;
                }
                queue.reserve(next.share, next.tokens);
                batch.add(next);
                tokens += next.tokens;
                bulkTaken += queue == bulk ? 1 : 0;
            }
        }
        if (options.prefixGrouping()) {
            // Shared prefixes side by side, and within them similar lengths, which finish together.
            batch.sort(Comparator.<Pending, String>comparing(p -> prefix(p.request.prompt()))
                    .thenComparingInt(p -> p.tokens));
        }
        replica.sent(batch.size(), bulkTaken);
        calls++;
        batchSizes[batch.size()]++;
        dispatched += batch.size();
        return batch;
    }

    private static String prefix(String prompt) {
        return prompt.substring(0, Math.min(PREFIX_CHARS, prompt.length()));
    }

    private static void expire(FairQueue<Pending> queue, long now, List<Failure> failed) {
        queue.removeIf(pending -> {
            boolean expired = pending.deadlineNanos != 0 && now >= pending.deadlineNanos;
            if (expired) {
                failed.add(new Failure(pending.result, new DeadlineExceededException("deadline passed after "
                        + TimeUnit.NANOSECONDS.toMillis(now - pending.enqueuedNanos) + " ms in the gateway's queue")));
            }
            return expired;
        });
    }

    /** Sends a dispatched batch in as many calls as the backend needs; each call's fate is its own requests'. */
    private void send(Replica replica, List<Pending> batch) {
        long started = System.nanoTime();
        int perCall = Math.max(1, replica.backend.maxBatchPerCall());
        for (int from = 0; from < batch.size(); from += perCall) {
            call(replica, batch.subList(from, Math.min(from + perCall, batch.size())), started, batch.size());
        }
    }

    private void call(Replica replica, List<Pending> group, long started, int batchSize) {
        if (!replica.breaker.tryAcquirePermission()) {
            // The circuit opened since the batch was taken: the requests were not tried, so this costs no attempt.
            release(replica, group, this::requeueUntried);
            return;
        }
        CompletableFuture<List<GenerationResult>> answer;
        try {
            answer = replica.backend.generate(group.stream().map(Pending::request).toList());
        } catch (RuntimeException e) {
            // A backend that throws instead of failing its future must not stop the dispatcher or leak slots.
            answer = CompletableFuture.failedFuture(e);
        }
        if (track(new InFlight(group, answer))) {
            // Every request was withdrawn on its way here.
            answer.cancel(false);
        }
        CompletableFuture<List<GenerationResult>> call = answer;
        answer.whenComplete((results, failure) -> {
            long elapsed = System.nanoTime() - started;
            if (call.isCancelled()) {
                // Abandoned by us, not failed by the server: the breaker's permission is returned unused.
                replica.breaker.releasePermission();
                release(replica, group, pending -> {
                    withdrawnInFlight.remove(pending.result);
                    settle(pending, 0);
                    return new Failure(pending.result, new CancellationException("withdrawn"));
                });
                return;
            }
            Throwable outcome = failure != null ? failure : miscounted(replica, results, group.size());
            if (outcome == null) {
                replica.breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                replica.answeredAfter(elapsed);
                int tokens = results.stream().mapToInt(GenerationResult::completionTokens).max().orElse(1);
                replica.limit.onSample(elapsed, tokens, group.size(), false);
                for (int i = 0; i < group.size(); i++) {
                    Pending pending = group.get(i);
                    pending.result.complete(new Answer(results.get(i), started, batchSize, pending.attempt,
                            replica.backend.protocol(), replica.backend.endpoint()));
                }
                Map<Pending, GenerationResult> served = new IdentityHashMap<>();
                for (int i = 0; i < group.size(); i++) {
                    served.put(group.get(i), results.get(i));
                }
                release(replica, group, pending -> {
                    withdrawnInFlight.remove(pending.result);
                    GenerationResult result = served.get(pending);
                    settle(pending, result.promptTokens() + result.completionTokens());
                    return null;
                });
            } else {
                Throwable cause = outcome instanceof CompletionException && outcome.getCause() != null
                        ? outcome.getCause() : outcome;
                boolean retryable = cause instanceof BackendException backendFailure && backendFailure.isRetryable();
                if (retryable && replica.ranOutOfTooShortATime(budgetNanos(group, started), elapsed)) {
                    // Its requests' own deadlines ended it: the breaker judges servers, not late requests. The
                    // limit still takes the sample: a server too busy to answer in time is overloaded.
                    replica.breaker.releasePermission();
                } else {
                    replica.breaker.onError(elapsed, TimeUnit.NANOSECONDS, cause);
                }
                if (retryable) {
                    replica.limit.onSample(elapsed, 1, group.size(), true);
                    ((BackendException) cause).retryAfter().ifPresent(replica::holdOff);
                }
                release(replica, group, pending -> {
                    settle(pending, 0);
                    if (withdrawnInFlight.remove(pending.result)) {
                        return new Failure(pending.result, new CancellationException("withdrawn"));
                    }
                    return retryable ? retryOrFail(pending, replica, (BackendException) cause)
                            : new Failure(pending.result, cause);
                });
            }
        });
    }

    /** The time from {@code started} to the earliest deadline among {@code group}, which its call carried. */
    private static long budgetNanos(List<Pending> group, long started) {
        // Differences of nanoTime instants only, as nanoTime requires.
        return group.stream().filter(pending -> pending.deadlineNanos != 0)
                .mapToLong(pending -> pending.deadlineNanos - started).min().orElse(Long.MAX_VALUE);
    }

    /** Records the requests of {@code call} as travelling in it; whether all of them are withdrawn already. */
    private boolean track(InFlight call) {
        lock.lock();
        try {
            call.group.forEach(pending -> inFlight.put(pending.result, call));
            return allWithdrawn(call);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the slots of {@code group} at {@code replica} and, under the same lock, settles each of its requests
     * with {@code settle}; the failures it returns are completed once the lock is released.
     */
    private void release(Replica replica, List<Pending> group, Function<Pending, Failure> settle) {
        List<Failure> failed = new ArrayList<>();
        lock.lock();
        try {
            replica.inFlight -= group.size();
            for (Pending pending : group) {
                inFlight.remove(pending.result);
                Failure failure = settle.apply(pending);
                if (failure != null) {
                    failed.add(failure);
                }
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
        failed.forEach(Failure::complete);
    }

    /**
     * Under the lock: {@code pending}, reserved against its tenant's fair share when it left the queue, is answered
     * with {@code servedTokens} (0 when its call failed or was withdrawn).
     */
    private void settle(Pending pending, int servedTokens) {
        (pending.interactive ? interactive : bulk).settle(pending.share, pending.tokens, servedTokens);
    }

    /** Under the lock: back in the queue as it was, no backoff and no attempt spent; else its failure. */
    private Failure requeueUntried(Pending pending) {
        settle(pending, 0);
        if (withdrawnInFlight.remove(pending.result)) {
            return new Failure(pending.result, new CancellationException("withdrawn"));
        }
        if (closed) {
            return new Failure(pending.result, BackendException.retryable("gateway closed", null));
        }
        (pending.interactive ? interactive : bulk).addFirst(pending);
        return null;
    }

    /**
     * Under the lock: queues a failed request again after its backoff (and returns null), or returns its failure
     * when its tries are spent or its deadline would pass first.
     */
    private Failure retryOrFail(Pending pending, Replica failedAt, BackendException cause) {
        int attempts = pending.attempt + 1;
        // No sooner than the backoff, nor than the server asked where it said (another replica may take it then).
        long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(backoff.apply(attempts)),
                cause.retryAfter().map(Duration::toNanos).orElse(0L));
        long notBefore = System.nanoTime() + wait;
        if (closed) {
            return new Failure(pending.result, cause);
        }
        if (attempts >= options.resilience().maxAttempts()) {
            return new Failure(pending.result, BackendException.retryable(
                    "failed " + attempts + " times, last: " + cause.getMessage(), cause));
        }
        if (pending.deadlineNanos != 0 && notBefore >= pending.deadlineNanos) {
            return new Failure(pending.result, new DeadlineExceededException("deadline would pass before retry "
                    + attempts + "; last failure: " + cause.getMessage()));
        }
        retries++;
        backingOff.add(pending.retry(notBefore, failedAt));
        return null;
    }

    /**
     * A failure when a backend answers a call with another number of results than it was sent, or with a missing
     * one; else null. Caught here, before the answer is used, so the call's slots always come back.
     */
    private static BackendException miscounted(Replica replica, List<GenerationResult> results, int sent) {
        if (results == null || results.size() != sent) {
            return BackendException.permanent(replica.backend.endpoint() + " answered "
                    + (results == null ? 0 : results.size()) + " results for " + sent + " requests", null);
        }
        return results.contains(null) ? BackendException.permanent(
                replica.backend.endpoint() + " answered without a result for some of " + sent + " requests", null)
                : null;
    }

    @Override
    public void close() {
        BackendException closing = BackendException.retryable("gateway closed", null);
        List<Failure> failed = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            drain(closing, failed);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        failed.forEach(Failure::complete);
        probes.shutdownNow();
        replicas.forEach(Replica::stopPolling);
    }
}
