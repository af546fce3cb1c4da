package dev.sluice.emulator.metrics;

/** What an emulated server exports on its metrics port: its state at the moment of a scrape, in its own names. */
@FunctionalInterface
public interface ServerMetrics {

    /** Writes every family this server exports onto {@code page}. */
    void writeTo(MetricsPage page);
}
