package dev.sluice.gateway;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One server behind a gateway: its backend, whether it is ready, its own adaptive limit, its circuit breaker, what
 * the gateway has in flight there, and, where the server reports it, its load. Mutable state is guarded by the
 * gateway's lock; the readiness and the load report are written by a probe and a poller thread.
 */
final class Replica {

    /** Server slots batch work leaves free for interactive requests, where the server runs requests as they come. */
    static final int RESERVED_FOR_INTERACTIVE = 8;
    /**
     * Requests a server that says how many it runs may hold waiting beyond its free slots while several tenants'
     * work arrives, and batch work's share of that while interactive work arrives: enough to fill the slots that
     * free between two load reports (at a full batch the modelled GPU finishes about one sequence per 5 ms, a report
     * comes every {@value #LOAD_POLL_MILLIS} ms), few enough that what waits there, beyond the gateway's priorities,
     * fair queue and other replicas, stays little.
     */
    static final int QUEUED_AHEAD = 8;
    /**
     * The same for one tenant's batch work alone, which no order at the gateway would change: enough that the server
     * never idles a slot for want of a request. A request stays counted as unreported for up to two polls
     * ({@link #startPolling}), so what was sent after one report is still deducted at the next, and answers that end
     * together free slots by the dozen: with {@value #QUEUED_AHEAD} the emulated GPU's batch often fell short of
     * full between two reports, with this many it seldom did (docs/benchmarks.md, saturation).
     */
    static final int QUEUED_AHEAD_ALONE = 32;
    /**
     * The same for interactive requests themselves. While they arrive no batch work waits at the server
     * ({@link #bulkRoom}), so one sent to a server whose slots are full waits there only for the next slot an answer
     * frees, about a step at a full batch; held at the gateway it would wait for the next report to show that slot,
     * and a report still counts what was sent up to two polls before it. The slots they may wait for are those
     * batch work leaves them and those its answers free, a few per step.
     */
    static final int QUEUED_AHEAD_INTERACTIVE = 32;
    static final long LOAD_POLL_MILLIS = 20;
    /** How early before its deadline gRPC may end a call that ran out of time: timers are not exact. */
    private static final long CALL_DEADLINE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    final InferenceBackend backend;
    final ReadinessProbe readiness;
    final AdaptiveLimit limit;
    final CircuitBreaker breaker;
    int inFlight;
    /** A moving average of how long its answered calls took, 0 until one is; written by calls' callbacks. */
    private volatile long usualCallNanos;
    /** Until when, a {@link System#nanoTime()} instant, the server asked to be sent nothing; 0 for never. */
    private volatile long heldOffUntilNanos;
    private volatile ServerLoad load;
    /** Requests and batch requests sent to this replica, ever; and how many of them the load report counts. */
    private long sent;
    private long bulkSent;
    private Sent reported = new Sent(0, 0);
    private Sent askedBefore = new Sent(0, 0);

    /** Counts of requests and of batch requests sent, at some moment. */
    private record Sent(long requests, long bulk) {}
    private final int maxInFlight;
    private Thread poller;

    Replica(InferenceBackend backend, ReadinessProbe readiness, GatewayOptions options) {
        this.backend = backend;
        this.readiness = readiness;
        this.limit = new AdaptiveLimit(options.initialLimit(), options.minLimit(), options.maxLimit());
        this.maxInFlight = options.maxLimit();
        this.breaker = CircuitBreaker.of(backend.endpoint(), breakerConfig(options.resilience()));
    }

    /**
     * One sample per server call, whatever its batch size. Only retryable failures (unavailable, overloaded, timed
     * out) count against the server: a permanent one is the request's fault and shows the server answering.
     */
    private static CircuitBreakerConfig breakerConfig(ResilienceOptions resilience) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(resilience.breakerWindow())
                .minimumNumberOfCalls(resilience.breakerWindow())
                .failureRateThreshold(resilience.failureRatePercent())
                .waitDurationInOpenState(resilience.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(failure -> failure instanceof BackendException backendFailure
                        && backendFailure.isRetryable())
                .build();
    }

    /**
     * Whether the circuit lets a call through now, without taking the permission: an open circuit whose wait is
     * over turns half-open here, and a half-open one admits only while its probe is not out.
     */
    boolean admits() {
        long heldOffUntil = heldOffUntilNanos;
        if (heldOffUntil != 0 && heldOffUntil - System.nanoTime() > 0) {
            return false;
        }
        if (!breaker.tryAcquirePermission()) {
            return false;
        }
        breaker.releasePermission();
        return true;
    }

    /**
     * The server answered that it is overloaded or unavailable and asked to be left alone for {@code wait} (HTTP's
     * {@code Retry-After}): nothing is sent here until then, whatever the circuit says.
     */
    void holdOff(Duration wait) {
        heldOffUntilNanos = System.nanoTime() + wait.toNanos();
    }

    /** A call here was answered after {@code elapsedNanos}. */
    void answeredAfter(long elapsedNanos) {
        long usual = usualCallNanos;
        // Racy between callbacks, and no matter: an estimate that follows the server's pace is all it needs be.
        usualCallNanos = usual == 0 ? elapsedNanos : usual + (elapsedNanos - usual) / 5;
    }

    /**
     * Whether a call that failed after {@code elapsedNanos}, given {@code budgetNanos} by its requests' own
     * deadlines, ran out of that time having had less than calls here usually take to be answered: the requests
     * came too late, which says nothing of the server's health. A call with as much time as usual that still gets
     * no answer, as from a server that hangs, is the server's failure.
     */
    boolean ranOutOfTooShortATime(long budgetNanos, long elapsedNanos) {
        long usual = usualCallNanos;
        return usual > 0 && budgetNanos < usual && elapsedNanos >= budgetNanos - CALL_DEADLINE_SLACK_NANOS;
    }

    boolean isReady() {
        return readiness.state() == ReadinessProbe.State.READY;
    }

    /**
     * Requests this replica may take now, with {@code traffic} arriving. Where the server reports how many it runs
     * and how many wait, that decides: its free slots plus a few to queue ({@value #QUEUED_AHEAD},
     * {@value #QUEUED_AHEAD_ALONE} for one tenant's batch work alone, {@value #QUEUED_AHEAD_INTERACTIVE} while
     * interactive work arrives, of which batch work may take none), less what the report may not hold yet, so the
     * server's own queue is kept just full and it never has to hold more than it can run (capacity-aware admission).
     * The gateway's count of its calls in flight cannot tell this: a unary call of many prompts stays open until its
     * longest completion ends while the server has already freed the slots of the others. The adaptive limit, learnt
     * from latency, decides where the server reports nothing; the gateway's own most in flight bounds both.
     */
    synchronized int room(Traffic traffic) {
        ServerLoad report = load;
        if (report == null || report.maxRunning() == 0) {
            return limit.limit() - inFlight;
        }
        int queuedAhead = switch (traffic) {
            case BATCH -> QUEUED_AHEAD_ALONE;
            case TENANTS -> QUEUED_AHEAD;
            case INTERACTIVE -> QUEUED_AHEAD_INTERACTIVE;
        };
        int serverRoom = report.maxRunning() - report.running() - report.waiting() + queuedAhead
                - (int) (sent - reported.requests());
        return Math.min(maxInFlight - inFlight, serverRoom);
    }

    /**
     * Batch requests this replica may take now, with {@code traffic} arriving: its room, unless interactive requests
     * are arriving. Then it leaves slots free for them, as the servers here run requests as they come (none that
     * Sluice calls orders its queue by a request's priority; see docs/backends.md): without a load report, the last
     * eighth (at most {@value #RESERVED_FOR_INTERACTIVE}) of the limit; with one, {@value #RESERVED_FOR_INTERACTIVE}
     * of the server's slots and none of its queue, counting what it has queued as taken, since an interactive
     * request behind queued work would wait for all of it; and where the server reports what waits but not how many
     * it runs, batch work goes only while fewer than that wait.
     */
    synchronized int bulkRoom(Traffic traffic) {
        int room = room(traffic);
        if (traffic != Traffic.INTERACTIVE) {
            return room;
        }
        ServerLoad report = load;
        if (report == null) {
            return room - Math.min(RESERVED_FOR_INTERACTIVE, limit.limit() / 8);
        }
        if (report.maxRunning() == 0) {
            return Math.min(room - Math.min(RESERVED_FOR_INTERACTIVE, limit.limit() / 8),
                    RESERVED_FOR_INTERACTIVE - report.waiting() - (int) (bulkSent - reported.bulk()));
        }
        return room(Traffic.TENANTS) - QUEUED_AHEAD - RESERVED_FOR_INTERACTIVE;
    }

    synchronized void sent(int requests, int bulk) {
        inFlight += requests;
        sent += requests;
        bulkSent += bulk;
    }

    /** Polls the server's load report, if it gives one; {@code onReport} runs under no lock after each. */
    void startPolling(Runnable onReport) {
        if (!(backend instanceof ReportsLoad reports) || !reports.reportsLoad()) {
            return;
        }
        poller = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Sent asking;
                synchronized (this) {
                    asking = new Sent(sent, bulkSent);
                }
                try {
                    ServerLoad report = reports.load().get(LOAD_POLL_MILLIS * 10, TimeUnit.MILLISECONDS);
                    synchronized (this) {
                        load = report;
                        // What was sent while the report was on its way may be missing from it, and so may what
                        // was sent just before asking and is still on its way into the server's scheduler: a
                        // request counts as reported from the report asked for after the next one.
                        reported = askedBefore;
                        askedBefore = asking;
                    }
                    onReport.run();
                    Thread.sleep(LOAD_POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // No report this time: hold no batch work back on a guess, and ask again later. The next report
                    // is asked for after this attempt, so what was sent before it counts as reported then.
                    synchronized (this) {
                        load = null;
                        askedBefore = asking;
                    }
                    try {
                        Thread.sleep(LOAD_POLL_MILLIS * 10);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }, "gateway-load-" + backend.endpoint());
        poller.setDaemon(true);
        poller.start();
    }

    void stopPolling() {
        if (poller != null) {
            poller.interrupt();
        }
    }
}
