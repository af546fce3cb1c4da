package dev.sluice.bench;

/**
 * What a scenario runs unless told otherwise: the size and modelled speed of its figures in docs/benchmarks.md, so
 * that {@code ./sluice bench SCENARIO} alone measures what the page says it does. Each size is large enough that
 * start-up and the last answers do not decide the ratio, and each speed slow enough that on 2 cores the modelled GPU,
 * not the machine's CPUs, sets the pace (the result's {@code cpu_bound} says when it did not).
 *
 * @param prompts prompts offered; for chaos, per fault scenario
 * @param timeScale how many times faster than modelled the emulated GPUs run
 */
record ScenarioDefaults(int prompts, double timeScale) {

    /** The defaults of {@code scenario}: one of {@link BenchCommand#SCENARIOS}. */
    static ScenarioDefaults of(String scenario) {
        return switch (scenario) {
            // Offers every prompt at once: the first batch and the drain need a long run between them.
            case "saturation" -> new ScenarioDefaults(6_000, 1);
            // Batch work that outlasts the probes (PriorityBench.PROBES at its interval) on the fastest server.
            case "priority" -> new ScenarioDefaults(3_000, 1);
            case "fairness" -> new ScenarioDefaults(2_000, 1);
            // Cache hits make a request so cheap that at full speed 2 cores cannot tokenize and send enough of them
            // to keep the GPUs' batches full (the result's gpu_busy figures say so): a quarter of the modelled speed.
            case "prefix" -> new ScenarioDefaults(3_000, 0.25);
            case "overhead" -> new ScenarioDefaults(OverheadBench.DEFAULT_PROMPTS, 1);
            // A steady span long enough that readings scattering by megabytes leave the slope a small standard error.
            case "memory" -> new ScenarioDefaults(3_000_000, 1);
            // Faults take wall-clock time to notice and recover from; the offered rate, not the GPU, sets the pace.
            case "chaos" -> new ScenarioDefaults(600, 10);
            case "bulk", "batch" -> new ScenarioDefaults(10_000, 1);
            case "batch-upload" -> new ScenarioDefaults(50_000, 1);
            case "profile" -> new ScenarioDefaults(0, 1);
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "': use "
                    + BenchCommand.SCENARIOS);
        };
    }
}
