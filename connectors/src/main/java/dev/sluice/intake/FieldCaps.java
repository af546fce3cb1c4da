package dev.sluice.intake;

import dev.sluice.schema.Constraints;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.OutputStructure;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RoutingHints;
import dev.sluice.schema.ToolDefinition;
import java.util.List;
import java.util.Optional;

/**
 * The most characters, and the most entries, of every text field a producer sets in a PromptRequest or PromptBatch.
 * Without them a field well under {@code limits.max-record-bytes} (a 600,000-character tenant) is copied into
 * rejects, keys, metrics and route explanations until an output no longer fits its topic. Prompt text and message
 * contents are bounded by {@link IntakeLimits#maxPromptChars()} instead, and message roles by
 * {@link PromptValidator#ROLES}. A request over a cap is rejected {@code INVALID_FIELD}, naming the field and cap.
 */
public final class FieldCaps {

    /** {@code tenant}: a tenant names topics ({@code <prefix>.prompts.<tenant>}), which allow it 1 to 64 characters. */
    public static final int TENANT_CHARS = 64;
    /** {@code request_id}, {@code run_id}, {@code item_id}, {@code batch_id}. */
    public static final int ID_CHARS = 256;
    /**
     * {@code source_language}, {@code target_language}: BCP 47 tags, which RFC 5646 §4.4.1 asks implementations to
     * support up to at least 35 characters.
     */
    public static final int LANGUAGE_CHARS = 35;
    /**
     * Each name in the routing hints and constraints: {@code preferred_model}, {@code preferred_family},
     * {@code size}, each of {@code allowed_licenses} and {@code capabilities}.
     */
    public static final int NAME_CHARS = 128;
    /** Entries of {@code hints.allowed_licenses} and of {@code constraints.capabilities}. */
    public static final int MAX_NAMES = 32;
    /** Each of {@code params.stop}. */
    public static final int STOP_CHARS = 256;
    /** Entries of {@code params.stop}. */
    public static final int MAX_STOPS = 16;
    /** Entries of {@code messages}. */
    public static final int MAX_MESSAGES = 1_000;
    /**
     * {@code structure.json_schema} and {@code structure.grammar}: 16 KiB holds a schema of a few hundred properties,
     * and servers compile each one before decoding, so a larger one costs their time, not only ours.
     */
    public static final int STRUCTURE_CHARS = 16_384;
    /** {@code structure.regex}. */
    public static final int REGEX_CHARS = 1_024;
    /** Entries of {@code structure.tools}: more than a model can choose among well, as OpenAI's 128 is a ceiling. */
    public static final int MAX_TOOLS = 32;
    /** A tool's {@code description}. */
    public static final int TOOL_DESCRIPTION_CHARS = 1_024;
    /**
     * All of {@code structure.tools} together: the tools become one JSON schema the server compiles and a prompt
     * turn the model reads, so their sum is bounded, not only each tool's parameters ({@link #STRUCTURE_CHARS}).
     */
    public static final int TOOLS_CHARS = 65_536;
    /** A {@link Problem}'s message, which may quote what the producer sent. */
    public static final int MESSAGE_CHARS = 1_000;

    private FieldCaps() {}

    /**
     * {@code value} when it is within {@code cap}, else null. For a tenant or run id, which outputs may name only
     * whole: a truncated one is another tenant's or run's name, or no valid name at all.
     */
    public static String whole(String value, int cap) {
        return value == null || value.length() > cap ? null : value;
    }

    /** The first field of the request over its cap, described for the reject; empty when none is. */
    public static Optional<String> violation(PromptRequest request) {
        Check check = new Check()
                .text("request_id", request.getRequestId(), ID_CHARS)
                .text("tenant", request.getTenant(), TENANT_CHARS)
                .text("run_id", request.getRunId(), ID_CHARS)
                .text("item_id", request.getItemId(), ID_CHARS)
                .text("source_language", request.getSourceLanguage(), LANGUAGE_CHARS)
                .text("target_language", request.getTargetLanguage(), LANGUAGE_CHARS)
                .count("messages", request.getMessages(), MAX_MESSAGES);
        GenerationParams params = request.getParams();
        if (params != null) {
            check.texts("params.stop", params.getStop(), MAX_STOPS, STOP_CHARS);
        }
        Constraints constraints = request.getConstraints();
        if (constraints != null) {
            check.texts("constraints.capabilities", constraints.getCapabilities(), MAX_NAMES, NAME_CHARS);
        }
        OutputStructure structure = request.getStructure();
        if (structure != null) {
            check.text("structure.json_schema", structure.getJsonSchema(), STRUCTURE_CHARS)
                    .text("structure.regex", structure.getRegex(), REGEX_CHARS)
                    .text("structure.grammar", structure.getGrammar(), STRUCTURE_CHARS)
                    .count("structure.tools", structure.getTools(), MAX_TOOLS);
            int toolChars = 0;
            for (int i = 0; i < structure.getTools().size(); i++) {
                ToolDefinition tool = structure.getTools().get(i);
                check.text("structure.tools[" + i + "].description", tool.getDescription(), TOOL_DESCRIPTION_CHARS)
                        .text("structure.tools[" + i + "].parameters", tool.getParameters(), STRUCTURE_CHARS);
                toolChars += tool.getName().length() + tool.getParameters().length()
                        + (tool.getDescription() == null ? 0 : tool.getDescription().length());
            }
            check.total("structure.tools", toolChars, TOOLS_CHARS);
        }
        RoutingHints hints = request.getHints();
        if (hints != null) {
            check.text("hints.preferred_model", hints.getPreferredModel(), NAME_CHARS)
                    .text("hints.preferred_family", hints.getPreferredFamily(), NAME_CHARS)
                    .text("hints.size", hints.getSize(), NAME_CHARS)
                    .texts("hints.allowed_licenses", hints.getAllowedLicenses(), MAX_NAMES, NAME_CHARS);
        }
        return check.found();
    }

    /** The first field of the batch itself (not its requests) over its cap; empty when none is. */
    public static Optional<String> violation(PromptBatch batch) {
        return new Check()
                .text("PromptBatch.batch_id", batch.getBatchId(), ID_CHARS)
                .text("PromptBatch.tenant", batch.getTenant(), TENANT_CHARS)
                .text("PromptBatch.run_id", batch.getRunId(), ID_CHARS)
                .found();
    }

    /** Remembers the first field over its cap; later checks do nothing once one is found. */
    private static final class Check {
        private String found;

        Check text(String field, CharSequence value, int cap) {
            if (found == null && value != null && value.length() > cap) {
                found = "field '" + field + "' has " + value.length() + " characters, more than its cap of " + cap;
            }
            return this;
        }

        Check total(String field, int chars, int cap) {
            if (found == null && chars > cap) {
                found = "field '" + field + "' has " + chars + " characters in all, more than its cap of " + cap;
            }
            return this;
        }

        Check count(String field, List<?> values, int cap) {
            if (found == null && values.size() > cap) {
                found = "field '" + field + "' has " + values.size() + " entries, more than its cap of " + cap;
            }
            return this;
        }

        Check texts(String field, List<? extends CharSequence> values, int maxCount, int cap) {
            count(field, values, maxCount);
            for (int i = 0; i < values.size() && found == null; i++) {
                text(field + "[" + i + "]", values.get(i), cap);
            }
            return this;
        }

        Optional<String> found() {
            return Optional.ofNullable(found);
        }
    }
}
