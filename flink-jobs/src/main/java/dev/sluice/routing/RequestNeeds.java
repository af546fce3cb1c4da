package dev.sluice.routing;

import dev.sluice.backend.TokenEstimate;
import dev.sluice.prompt.PromptText;
import dev.sluice.schema.Constraints;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RoutingHints;
import dev.sluice.schema.Task;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What a request needs from a model and what it prefers, read from its structured fields only: the prompt text is
 * measured for length and script, never read for instructions, so no prompt can steer routing or policy.
 *
 * @param prompt the prompt as a text-in model reads it, for a model's own tokenizer to count
 * @param estimatedPromptTokens its tokens as estimated without a tokenizer
 * @param answerTokens the most tokens it may generate
 * @param minContext the context it asks of a model ({@code constraints.min_context}); 0 for none
 * @param capabilities capabilities the model must have
 * @param benchmark the published benchmark it is ranked on: HumanEval for code, Japanese MT-Bench for other Japanese
 *     work, MMLU for everything else
 * @param japanese the request is in, or asks for, Japanese
 * @param allowedLicenses the request's own narrowing of licences; empty for none
 * @param preferredModel a model the request prefers, or null
 * @param preferredFamily a family the request prefers, or null
 * @param sizeClass {@code hints.size} ({@code edge} or {@code light}), or null
 * @param maxParamsB the most parameters, in billions, a model of that size class may have; null for no limit
 */
public record RequestNeeds(String prompt, int estimatedPromptTokens, int answerTokens, int minContext,
        Set<String> capabilities, Benchmark benchmark, boolean japanese,
        Set<String> allowedLicenses, String preferredModel, String preferredFamily, String sizeClass,
        Double maxParamsB) {

    /**
     * The largest model of each size class, by total parameters (what a device must hold): edge is the article's
     * 1-3B on-device class, up to 4B so that Llama 3.2 3B (3.21B) is in it; light is its local class, up to 14B.
     */
    static final Map<String, Double> MAX_PARAMS_B = Map.of("edge", 4.0, "light", 14.0);

    public static RequestNeeds of(PromptRequest request, int defaultMaxTokens) {
        Constraints constraints = request.getConstraints();
        RoutingHints hints = request.getHints();
        Set<String> capabilities = new LinkedHashSet<>();
        int minContext = 0;
        if (constraints != null) {
            capabilities.addAll(constraints.getCapabilities());
            if (constraints.getMinContext() != null) {
                minContext = constraints.getMinContext();
            }
        }
        String prompt = PromptText.render(request);
        GenerationParams params = request.getParams();
        int answerTokens = params == null || params.getMaxTokens() == null ? defaultMaxTokens : params.getMaxTokens();
        boolean japanese = isJapanese(request);
        String size = hints == null || hints.getSize() == null ? null : hints.getSize().toLowerCase(Locale.ROOT);
        Benchmark benchmark = request.getTask() == Task.CODE ? Benchmark.HUMANEVAL
                : japanese ? Benchmark.JAPANESE_MT_BENCH : Benchmark.MMLU;
        return new RequestNeeds(prompt, TokenEstimate.of(prompt), answerTokens, minContext, Set.copyOf(capabilities), benchmark, japanese,
                hints == null ? Set.of() : Set.copyOf(hints.getAllowedLicenses()),
                hints == null ? null : hints.getPreferredModel(),
                hints == null ? null : hints.getPreferredFamily(), size, size == null ? null : MAX_PARAMS_B.get(size));
    }

    /**
     * Tokens the request needs in a model's context: its prompt as the model's tokenizer counts it where given, else
     * as estimated, plus its answer; at least what it asks for.
     */
    public int contextTokens(OptionalInt promptTokens) {
        return Math.max(minContext, promptTokens.orElse(estimatedPromptTokens) + answerTokens);
    }

    private static boolean isJapanese(PromptRequest request) {
        if (startsWithJa(request.getSourceLanguage()) || startsWithJa(request.getTargetLanguage())) {
            return true;
        }
        return PromptText.render(request).codePoints().anyMatch(c ->
                Character.UnicodeScript.of(c) == Character.UnicodeScript.HIRAGANA
                        || Character.UnicodeScript.of(c) == Character.UnicodeScript.KATAKANA);
    }

    private static boolean startsWithJa(String language) {
        return language != null && language.toLowerCase(Locale.ROOT).startsWith("ja");
    }
}
