package dev.sluice.chaos;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The heap in use after a full collection, sampled every few seconds while a scenario runs: what the work held
 * (queued, in flight, held through an outage) costs, without the garbage a young heap carries between
 * collections. The full collections pause this JVM for a fraction of a second each, well under the pauses the
 * scenarios measure.
 */
public final class HeapWatch implements AutoCloseable {

    private static final Duration EVERY = Duration.ofSeconds(5);

    private final Thread sampler;
    private volatile double peakMb;

    private HeapWatch() {
        sampler = new Thread(this::sample, "heap-watch");
        sampler.setDaemon(true);
    }

    /** Starts sampling now. */
    public static HeapWatch start() {
        HeapWatch watch = new HeapWatch();
        watch.peakMb = heapAfterGcMb();
        watch.sampler.start();
        return watch;
    }

    /** Collects all the garbage it can and returns the heap still in use, in megabytes. */
    public static double heapAfterGcMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1e6;
    }

    private void sample() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(EVERY.toMillis());
                peakMb = Math.max(peakMb, heapAfterGcMb());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The most heap in use after a collection, among the samples so far and one taken now. */
    public double peakMb() {
        return Math.max(peakMb, heapAfterGcMb());
    }

    @Override
    public void close() throws InterruptedException {
        sampler.interrupt();
        sampler.join();
    }
}
