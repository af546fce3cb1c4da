package dev.sluice.bulk;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import dev.sluice.backend.TokenEstimate;
import dev.sluice.backend.tokenizer.Jinja;
import dev.sluice.schema.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Jinja template that turns one part of a bulk item's text into a prompt. Templates see {@code text},
 * {@code custom_id}, {@code source_lang} and {@code target_lang} (the codes as given, or null),
 * {@code source_language} and {@code target_language} (their names in the template's language) and {@code part}
 * and {@code parts} (from 1).
 */
public final class PromptTemplate {

    private static final Jinjava JINJA = Jinja.create();
    /** Stands for the text when measuring a rendering: digits, so that case filters leave it as it is. */
    private static final String PROBE = "7305194628";
    private static final String JAPANESE = "ja";

    private final String name;
    private final String source;
    private final Locale nameLocale;

    private PromptTemplate(String name, String source, Locale nameLocale) {
        this.name = name;
        this.source = source;
        this.nameLocale = nameLocale;
        if (!render(PROBE, "item", null, null, 1, 1).contains(PROBE)) {
            throw new InvalidInputException(Problem.of(Problem.INVALID_TEMPLATE, "template " + name + " never uses "
                    + "{{ text }}: the items' text would not reach the model"));
        }
    }

    /** The template Sluice ships for a translation or a summary, with its instructions in the right language. */
    public static PromptTemplate shipped(Task task, String sourceLang, String targetLang) {
        String file = switch (task) {
            case TRANSLATE -> {
                if (blankToNull(targetLang) == null) {
                    throw new IllegalArgumentException("a translation needs a target language");
                }
                yield isJapanese(targetLang) ? "translate-ja.j2" : "translate-en.j2";
            }
            case SUMMARIZE -> isJapanese(sourceLang) || isJapanese(targetLang) ? "summarize-ja.j2" : "summarize-en.j2";
            default -> throw new IllegalArgumentException("no template is shipped for " + task + "; give one");
        };
        try (InputStream in = PromptTemplate.class.getResourceAsStream("/templates/" + file)) {
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new PromptTemplate(file, source, file.endsWith("-ja.j2") ? Locale.JAPANESE : Locale.ENGLISH);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped template " + file, e);
        }
    }

    /** A user's template; language names in it are English. */
    public static PromptTemplate load(Path file) {
        return new PromptTemplate(file.getFileName().toString(), TextFiles.read(file), Locale.ENGLISH);
    }

    public String name() {
        return name;
    }

    public String render(String text, String customId, String sourceLang, String targetLang, int part, int parts) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("text", text);
        variables.put("custom_id", customId);
        variables.put("source_lang", blankToNull(sourceLang));
        variables.put("target_lang", blankToNull(targetLang));
        variables.put("source_language", languageName(sourceLang));
        variables.put("target_language", languageName(targetLang));
        variables.put("part", part);
        variables.put("parts", parts);
        RenderResult result = JINJA.renderForResult(source, variables);
        List<Problem> errors = result.getErrors().stream()
                .filter(error -> error.getSeverity() == TemplateError.ErrorType.FATAL)
                .map(error -> Problem.of(Problem.INVALID_TEMPLATE, "template " + name + " line "
                        + error.getLineno() + ": " + error.getMessage()))
                .toList();
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return result.getOutput();
    }

    /**
     * The most tokens one part's text may have for its prompt to stay within {@code promptTokens}, for each of
     * {@code parts} parts; below 1 when the template alone takes them. A template may use the text more than once.
     */
    public int textBudget(int promptTokens, String customId, String sourceLang, String targetLang, int parts) {
        int budget = Integer.MAX_VALUE;
        // Where part numbers lengthen a rendering only by their digits, the first and the last part bound them all.
        for (int part : new int[] {1, parts}) {
            String probed = render(PROBE, customId, sourceLang, targetLang, part, parts);
            int copies = probed.split(PROBE, -1).length - 1;
            // of(a + b) <= of(a) + of(b): the rendering's estimate is at most the overhead's plus the texts'.
            int overhead = TokenEstimate.of(probed.replace(PROBE, ""));
            budget = Math.min(budget, (promptTokens - overhead) / copies);
        }
        return budget;
    }

    private String languageName(String code) {
        String tag = blankToNull(code);
        if (tag == null) {
            return null;
        }
        String name = Locale.forLanguageTag(tag).getDisplayName(nameLocale);
        return name.isEmpty() ? tag : name;
    }

    private static boolean isJapanese(String code) {
        return code != null && Locale.forLanguageTag(code.strip()).getLanguage().equals(JAPANESE);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
