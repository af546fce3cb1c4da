package dev.sluice.chaos;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code sluice bench chaos}: each fault scenario on one stack, one after another, each on topics of its own, with
 * the same load; a line per scenario of what went in and what came out.
 */
public final class ChaosBench {

    private final int prompts;
    private final double perSecond;
    private final double timeScale;
    private final PrintStream out;

    /**
     * @param prompts prompts offered per scenario
     * @param perSecond the rate they are offered at
     * @param timeScale how many times faster than an H100 the emulated GPUs run
     */
    public ChaosBench(int prompts, double perSecond, double timeScale, PrintStream out) {
        this.prompts = prompts;
        this.perSecond = perSecond;
        this.timeScale = timeScale;
        this.out = out;
    }

    public List<ChaosReport> run(List<ChaosScenario> scenarios) throws Exception {
        List<ChaosReport> reports = new ArrayList<>();
        try (ChaosStack stack = ChaosStack.start(timeScale)) {
            out.printf(Locale.ROOT, "%d prompts per scenario at %.0f/s; primary model on 2 replicas, a fallback,"
                    + " and a non-commercial model the tenant may not use%n", prompts, perSecond);
            out.printf(Locale.ROOT, "request timeout %d s; the long faults are multiples of it%n",
                    ChaosStack.REQUEST_TIMEOUT.toSeconds());
            out.printf("%-21s %7s %7s %-26s %5s %5s %7s %-34s %7s %9s %8s%n", "scenario", "offered", "done",
                    "rejects", "lost", "dup", "partial", "served by", "servers", "recovery", "heap");
            for (ChaosScenario scenario : scenarios) {
                ChaosReport report = new ChaosRun(stack, scenario, prompts, perSecond,
                        "chaos-" + scenario.label(), ChaosStack.REQUEST_TIMEOUT).run();
                reports.add(report);
                out.printf(Locale.ROOT, "%-21s %7d %7d %-26s %5d %5d %7d %-34s %7d %8.1fs %5.0f MB%n",
                        report.scenario(), report.offered(), report.completions(), summary(report.rejects()),
                        report.lost(), report.duplicated(), report.partial(), summary(report.models()),
                        report.servedByServer().size(), report.recoverySeconds(), report.peakHeapAfterGcMb());
            }
        }
        out.println("recovery: the longest pause in committed completions as a consumer reads them (about the"
                + " checkpoint interval without a fault); servers: how many emulated servers (replicas) finished sequences; heap: the most in"
                + " use after a full collection, sampled every 5 s (this JVM: job, broker and servers); lost, dup and"
                + " partial must be 0");
        return reports;
    }

    /**
     * The poison scenario ({@link PoisonRun}): {@code prompts} well-behaved prompts, alone and then beside
     * {@code hostilePerKind} hostile records of each kind; a line of the well-behaved tenants' outcomes, a line per
     * kind of hostile record, and the p99 ratio last.
     */
    public PoisonReport poison(int hostilePerKind) throws Exception {
        try (ChaosStack stack = ChaosStack.start(timeScale)) {
            PoisonReport report = new PoisonRun(stack, prompts, perSecond, hostilePerKind).run();
            out.printf(Locale.ROOT, "poison: %d well-behaved prompts at %.0f/s from 2 tenants, alone and beside %d"
                    + " hostile records from a third (tenancy: topic)%n", prompts, perSecond, report.hostileTotal());
            out.printf(Locale.ROOT, "well-behaved: %d offered, %d completed, %d lost, %d duplicated; job restarts: %d%n",
                    report.offered(), report.completed(), report.lost(), report.duplicated(), report.restarts());
            out.printf("%-24s %7s %9s%n", "hostile kind", "sent", "answered");
            report.hostile().forEach((kind, sent) -> out.printf(Locale.ROOT, "%-24s %7d %9d%n", kind, sent,
                    report.answered().getOrDefault(kind, 0)));
            out.printf(Locale.ROOT, "%-24s %7d %9d%n", "all", report.hostileTotal(), report.answeredTotal());
            out.printf(Locale.ROOT, "well-behaved p99 latency: %.2f s alone, %.2f s beside the hostile records;"
                    + " ratio %.2f (target <= 1.5)%n", report.baselineP99Seconds(), report.poisonP99Seconds(),
                    report.p99Ratio());
            return report;
        }
    }

    private static String summary(java.util.Map<String, Integer> counts) {
        return counts.isEmpty() ? "-" : counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
