package dev.sluice.bench;

import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.chaos.ChaosBench;
import dev.sluice.chaos.ChaosScenario;
import dev.sluice.chaos.PoisonReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.emulator.CostModel;
import dev.sluice.routing.Catalog;
import dev.sluice.gateway.GatewayOptions;
import dev.sluice.serde.JsonAvro;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice bench SCENARIO}: a benchmark that prints its numbers, its ratio line last, and writes JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark against emulated servers and print ratios against its baseline, measured "
                + "side by side, and write its result with its provenance. Scenarios: " + BenchCommand.SCENARIOS
                + "; or report: render the docs' benchmark blocks from the newest results.")
public final class BenchCommand implements Callable<Integer> {

    static final String SCENARIOS =
            "saturation, priority, fairness, prefix, overhead, memory, chaos, bulk, batch, batch-upload or profile";

    private static final String POISON = "poison";

    @Parameters(index = "0",
            description = "scenario: " + SCENARIOS + "; or report")
    String scenario;

    @Option(names = "--prompts", description = "prompts offered; chaos: per fault; overhead: measured, after half "
            + "as many to warm up (default: the scenario's, the size of its figures in docs/benchmarks.md)")
    Integer prompts;

    @Option(names = "--time-scale", description = "emulated GPUs run this many times faster than modelled "
            + "(default: the scenario's, the speed of its figures in docs/benchmarks.md)")
    Double timeScale;

    @Option(names = "--profile", defaultValue = "llama-3.1-8b-h100-trtllm-fp8",
            description = "emulator cost profile (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--max-batch-size", defaultValue = "64",
            description = "the gateway's largest batch per call (default: ${DEFAULT-VALUE})")
    int maxBatchSize;

    @Option(names = "--protocol", defaultValue = "triton", description = "saturation: the clients' protocol, "
            + "triton (gRPC) or openai (HTTP, beside Sluice over gRPC) (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--ml-predict-concurrency", split = ",", defaultValue = "10,32,64,128,256,512",
            description = "saturation: the values of ML_PREDICT's max-concurrent-operations per subtask to sweep, each "
                    + "ordered and unordered; 10, the default, runs in any case (default: ${DEFAULT-VALUE})")
    List<Integer> mlPredictConcurrency;

    @Option(names = "--long-prefix", description = "prefix: system prompts of about 2,100 tokens, not 840, where a "
            + "cache miss costs a long prefill")
    boolean longPrefix;

    @Option(names = "--results", defaultValue = "bench-results",
            description = "folder for the JSON results (default: ${DEFAULT-VALUE}); report: the folder it reads, "
                    + "${env:SLUICE_HOME:-.}/docs/bench-results unless given")
    Path results;

    @Option(names = "--docs", defaultValue = "${env:SLUICE_HOME:-.}/docs",
            description = "report: the page whose bench-report blocks it renders, or a folder of pages "
                    + "(default: ${DEFAULT-VALUE})")
    Path docs;

    @Option(names = "--check", description = "report: change nothing; exit 1 when a block differs from its result")
    boolean check;

    @Spec
    CommandSpec spec;

    private GatewayOptions gateway() {
        GatewayOptions defaults = GatewayOptions.ofDefaults();
        return new GatewayOptions(maxBatchSize, defaults.maxBatchTokens(), defaults.maxQueueDelay(),
                defaults.initialLimit(), defaults.minLimit(), defaults.maxLimit(), defaults.prefixGrouping());
    }

    @Option(names = "--faults", split = ",", description = "chaos: the fault scenarios to run (default: all of "
            + "none, task-failure, savepoint-rescale, backend-outage, slow-backend, broker-restart, stream-cut, "
            + "long-outage, replica-down-at-start, mutual-failover, long-broker-outage, "
            + POISON + ")")
    List<String> faults;

    @Option(names = "--hostile-per-kind", defaultValue = "75", description = "chaos poison: hostile records of each "
            + "cheap kind, a twentieth of it of each heavy kind (default: ${DEFAULT-VALUE}, about 1,400 in all)")
    int hostilePerKind;

    @Option(names = "--rate", defaultValue = "60", description = "chaos: prompts offered per second "
            + "(default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--config", description = "bulk, batch, batch-upload: the demo's configuration, whose catalog "
            + "it serves (default: ${DEFAULT-VALUE})", defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    /** A translation run of {@code --prompts} items through the demo stack, against the same prompts unrun. */
    private ObjectNode bulk() throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        return new BulkBench(settings, Catalog.load(settings.catalogPath(config)), prompts, timeScale, System.out)
                .run();
    }

    /** One OpenAI batch file of {@code --prompts} requests through {@code bulk submit} and through the batch API. */
    private ObjectNode batch() throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        return new BatchBench(settings, Catalog.load(settings.catalogPath(config)), prompts, timeScale, System.out)
                .run();
    }

    /**
     * Every fault scenario unless {@code --faults} names some; {@code --prompts} per scenario. {@code poison} runs
     * apart from the others, on a stack of its own: it compares two runs rather than one against its offer.
     */
    private ObjectNode chaos() throws Exception {
        boolean poison = faults == null || faults.contains(POISON);
        List<ChaosScenario> chosen = faults == null ? List.of(ChaosScenario.values())
                : faults.stream().filter(fault -> !fault.equals(POISON)).map(ChaosScenario::named).toList();
        ChaosBench bench = new ChaosBench(prompts, rate, timeScale, System.out);
        ObjectNode json = JsonAvro.mapper().createObjectNode().put("scenario", "chaos").put("prompts", prompts)
                .put("per_second", rate);
        if (!chosen.isEmpty()) {
            json.set("reports", JsonAvro.mapper().valueToTree(bench.run(chosen)));
        }
        if (poison) {
            PoisonReport report = bench.poison(hostilePerKind);
            json.set("poison", JsonAvro.mapper().valueToTree(report));
            json.put("poison_p99_ratio", report.p99Ratio());
        }
        return json;
    }

    /** Fills in the size and speed the command line left out with the scenario's own. */
    void applyScenarioDefaults() {
        ScenarioDefaults defaults = ScenarioDefaults.of(scenario);
        if (prompts == null) {
            prompts = defaults.prompts();
        }
        if (timeScale == null) {
            timeScale = defaults.timeScale();
        }
    }

    /** The docs' pages, and the README beside the docs folder, whose table of targets is rendered too. */
    private List<Path> pagesWithFigures() throws IOException {
        List<Path> pages = new ArrayList<>(BenchReport.pages(docs));
        Path readme = docs.toAbsolutePath().normalize().resolveSibling("README.md");
        if (Files.isDirectory(docs) && Files.isRegularFile(readme)) {
            pages.add(readme);
        }
        return pages;
    }

    /** Renders the docs' blocks from the newest results, or with {@code --check} says whether they are current. */
    private int report() throws IOException {
        Path from = spec.commandLine().getParseResult().hasMatchedOption("--results") ? results
                : Path.of(System.getenv().getOrDefault("SLUICE_HOME", "."), "docs", "bench-results");
        Map<String, JsonNode> newest = BenchReport.newest(from);
        Set<String> unplaced = new TreeSet<>(newest.keySet());
        boolean current = true;
        for (Path page : pagesWithFigures()) {
            String text = Files.readString(page);
            String rendered = BenchTargets.update(BenchReport.update(text, newest), newest);
            BenchReport.scenarios(text).forEach(unplaced::remove);
            if (check) {
                current &= rendered.equals(text);
                if (!rendered.equals(text)) {
                    System.out.println(page + ": some bench-report blocks differ from the results in " + from
                            + "; run ./sluice bench report");
                }
            } else if (!rendered.equals(text)) {
                Files.writeString(page, rendered);
                System.out.println(page + ": rendered " + BenchReport.scenarios(text) + " from " + from);
            }
        }
        if (!unplaced.isEmpty()) {
            System.out.println("results with no bench-report block in " + docs + ": " + unplaced);
        }
        if (check && current) {
            System.out.println(docs + ": every bench-report block matches its result in " + from);
        }
        return current ? 0 : 1;
    }

    @Override
    public Integer call() throws Exception {
        if (scenario.equals("report")) {
            return report();
        }
        Provenance provenance = new Provenance(spec.commandLine().getParseResult().originalArgs(),
                Path.of(System.getenv().getOrDefault("SLUICE_HOME", ".")));
        applyScenarioDefaults();
        ObjectNode result = switch (scenario) {
            case "saturation" -> new SaturationBench(CostModel.named(profile), timeScale, prompts, gateway(),
                    Protocol.parse(protocol), mlPredictConcurrency, System.out).run();
            case "priority" -> new PriorityBench(CostModel.named(profile), timeScale, prompts, gateway(),
                    System.out).run();
            case "fairness" -> new FairnessBench(CostModel.named(profile), timeScale, prompts, gateway(),
                    System.out).run();
            case "prefix" -> new PrefixBench(CostModel.named(profile), timeScale, prompts, gateway(), longPrefix,
                    System.out).run();
            case "overhead" -> new OverheadBench(prompts, System.out).run();
            case "profile" -> new ProfileBench(CostModel.named(profile), System.out).run();
            case "memory" -> new MemoryBench(prompts, System.out).run();
            case "chaos" -> chaos();
            case "bulk" -> bulk();
            case "batch" -> batch();
            case "batch-upload" -> new UploadBench(config, prompts, System.out).run();
            default -> throw new IllegalStateException("a scenario with defaults and no run: " + scenario);
        };
        result.set("provenance", provenance.finish());
        result.put("finished_at", Instant.now().toString());
        Files.createDirectories(results);
        Path file = results.resolve(scenario + "-" + Instant.now().toEpochMilli() + ".json");
        Files.writeString(file, JsonAvro.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        System.out.println("results: " + file);
        return 0;
    }
}
