package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.PublishedThroughput;
import dev.sluice.serde.JsonAvro;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The {@code profile} scenario: how close the emulator's cost profile comes to the published table it was fitted to.
 * For each published row, the profile's maximum output tokens per second ({@link CostModel#maxOutputTokensPerSecond})
 * with its own active-sequence limit and with TensorRT-LLM's default of 2048, and the error of each. It times
 * nothing: it is a benchmark so that the emulator's page quotes these figures from a result, like every other.
 */
final class ProfileBench {

    /** TensorRT-LLM's default {@code max_batch_size}, the most sequences it runs at once. */
    static final int ENGINE_DEFAULT_ACTIVE = 2048;

    private final CostModel profile;
    private final PrintStream out;

    ProfileBench(CostModel profile, PrintStream out) {
        this.profile = profile;
        this.out = out;
    }

    ObjectNode run() {
        if (!profile.equals(CostModel.llama8bH100())) {
            throw new IllegalArgumentException("only " + CostModel.llama8bH100().name()
                    + " was fitted to a published table");
        }
        CostModel engineDefault = profile.withMaxActive(ENGINE_DEFAULT_ACTIVE);
        ObjectNode json = JsonAvro.mapper().createObjectNode().put("scenario", "profile")
                .put("profile", profile.name()).put("max_active", profile.maxActive());
        ArrayNode rows = json.putArray("rows");
        out.printf("%-11s %10s %10s %8s %12s %8s%n", "ISL/OSL", "published", "profile", "error",
                ENGINE_DEFAULT_ACTIVE + " active", "error");
        double worst = 0;
        for (PublishedThroughput row : PublishedThroughput.llama8bH100Fp8()) {
            double capped = profile.maxOutputTokensPerSecond(row.promptTokens(), row.outputTokens());
            double uncapped = engineDefault.maxOutputTokensPerSecond(row.promptTokens(), row.outputTokens());
            String lengths = row.promptTokens() + "/" + row.outputTokens();
            out.printf(Locale.ROOT, "%-11s %10d %10.0f %+7.1f%% %12.0f %+7.1f%%%n", lengths,
                    row.outputTokensPerSecond(), capped, row.errorPercent(profile), uncapped,
                    row.errorPercent(engineDefault));
            rows.addObject().put("isl_osl", lengths).put("published", row.outputTokensPerSecond())
                    .put("profile", Math.round(capped)).put("error_percent", round(row.errorPercent(profile)))
                    .put("engine_default", Math.round(uncapped))
                    .put("engine_default_error_percent", round(row.errorPercent(engineDefault)));
            worst = Math.max(worst, Math.abs(row.errorPercent(profile)));
        }
        json.put("largest_error_percent", round(worst));
        out.printf(Locale.ROOT, "largest error of the profile against a published row: %.1f %%%n", worst);
        return json;
    }

    private static double round(double percent) {
        return Math.round(percent * 10) / 10.0;
    }
}
