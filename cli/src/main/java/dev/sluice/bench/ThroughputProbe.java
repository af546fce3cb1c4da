package dev.sluice.bench;

import dev.sluice.emulator.InflightBatchingEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples an emulated GPU's output-token counter on a timer, so a benchmark can measure the steady state: the
 * slope between the moments 10 % and 90 % of the run's tokens were out, leaving ramp-up and tail aside.
 */
final class ThroughputProbe implements AutoCloseable {

    private record Sample(long nanos, long tokens) {}

    private final InflightBatchingEngine engine;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ThroughputProbe(InflightBatchingEngine engine) {
        this.engine = engine;
        this.thread = new Thread(this::sample, "throughput-probe");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void sample() {
        while (running) {
            synchronized (samples) {
                samples.add(new Sample(System.nanoTime(), engine.stats().outputTokens()));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Output tokens per second of model time between 10 % and 90 % of the tokens. */
    double steadyTokensPerSecond(double timeScale) {
        synchronized (samples) {
            long total = samples.get(samples.size() - 1).tokens();
            Sample from = first(total / 10);
            Sample to = first(total * 9 / 10);
            double wallSeconds = Math.max(1e-9, (to.nanos() - from.nanos()) / 1e9);
            return (to.tokens() - from.tokens()) / (wallSeconds * timeScale);
        }
    }

    private Sample first(long tokens) {
        for (Sample sample : samples) {
            if (sample.tokens() >= tokens) {
                return sample;
            }
        }
        return samples.get(samples.size() - 1);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        samples.add(new Sample(System.nanoTime(), engine.stats().outputTokens()));
    }
}
