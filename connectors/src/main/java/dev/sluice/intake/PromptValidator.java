package dev.sluice.intake;

import dev.sluice.backend.OutputConstraint;
import dev.sluice.schema.ChatMessage;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.OutputStructure;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.Task;
import dev.sluice.schema.ToolDefinition;
import dev.sluice.serde.Truncation;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Checks one decoded request against the field rules and the intake limits. */
public final class PromptValidator {

    /** The message roles a request may use. */
    public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
    /** A tool's name, as OpenAI and the chat templates take a function's. */
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** The size classes {@code hints.size} may name; routing holds each to its largest model. */
    public static final Set<String> SIZES = Set.of("edge", "light");
    /** The most characters of a producer's value a reject message quotes. */
    private static final int QUOTED_CHARS = 64;

    private final IntakeLimits limits;

    public PromptValidator(IntakeLimits limits) {
        this.limits = limits;
    }

    /** The first problem found, or empty when the request is fit to route. */
    public Optional<Problem> check(PromptRequest request) {
        // Caps first: no later check, and no reject, may have to handle a field of unbounded length.
        Optional<String> oversized = FieldCaps.violation(request);
        if (oversized.isPresent()) {
            return problem(request, RejectReason.INVALID_FIELD, oversized.get());
        }
        String id = request.getRequestId();
        String tenant = request.getTenant();
        if (id.isBlank()) {
            return problem(request, RejectReason.INVALID_FIELD,
                    "request_id must be 1.." + FieldCaps.ID_CHARS + " characters");
        }
        if (tenant.isBlank() || tenant.contains("/")) {
            // Outputs are keyed tenant/request_id: a slash in the tenant would make two keys one.
            return problem(request, RejectReason.INVALID_FIELD, "tenant must not be blank or contain '/'");
        }
        if (containsControl(id) || containsControl(tenant) || containsUnpairedSurrogate(id)
                || containsUnpairedSurrogate(tenant)) {
            // They make the output key: an unpaired surrogate becomes '?' in UTF-8, and two keys one.
            return problem(request, RejectReason.INVALID_FIELD,
                    "request_id and tenant must not contain control characters or unpaired surrogates");
        }
        boolean hasPrompt = request.getPrompt() != null;
        boolean hasMessages = !request.getMessages().isEmpty();
        if (hasPrompt == hasMessages) {
            return problem(request, RejectReason.INVALID_FIELD, "set exactly one of prompt and messages");
        }
        long chars = hasPrompt ? request.getPrompt().length() : 0;
        for (ChatMessage message : request.getMessages()) {
            if (!ROLES.contains(message.getRole())) {
                return problem(request, RejectReason.INVALID_FIELD,
                        "message role '" + quoted(message.getRole()) + "' is not one of " + ROLES);
            }
            chars += message.getContent().length();
        }
        if (chars > limits.maxPromptChars()) {
            return problem(request, RejectReason.TOO_LARGE,
                    "prompt of " + chars + " characters exceeds the limit of " + limits.maxPromptChars());
        }
        if (chars == 0 || (hasPrompt && request.getPrompt().isBlank())) {
            return problem(request, RejectReason.INVALID_FIELD, "prompt is empty");
        }
        if (anyText(request, PromptValidator::containsControl)) {
            return problem(request, RejectReason.INVALID_FIELD,
                    "prompt contains control characters other than tab and line breaks");
        }
        if (anyText(request, PromptValidator::containsUnpairedSurrogate)) {
            return problem(request, RejectReason.INVALID_FIELD,
                    "prompt contains an unpaired surrogate, which is not valid Unicode");
        }
        String size = request.getHints() == null ? null : request.getHints().getSize();
        if (size != null && !SIZES.contains(size.toLowerCase(Locale.ROOT))) {
            // A size class is a hard limit on the model: one routing cannot read must not route as if absent.
            return problem(request, RejectReason.INVALID_FIELD,
                    "hints.size '" + quoted(size) + "' is not one of " + new TreeSet<>(SIZES));
        }
        if (request.getTask() == Task.TRANSLATE && request.getTargetLanguage() == null) {
            return problem(request, RejectReason.INVALID_FIELD, "a translate request needs target_language");
        }
        return checkRunItem(request).or(() -> checkParams(request)).or(() -> checkStructure(request));
    }

    /** One constraint at most, none empty, and a JSON schema that is a JSON object. */
    private static Optional<Problem> checkStructure(PromptRequest request) {
        OutputStructure structure = request.getStructure();
        if (structure == null) {
            return Optional.empty();
        }
        long set = Stream.of(structure.getJsonSchema(), structure.getRegex(), structure.getGrammar())
                .filter(Objects::nonNull).count();
        if (set + (structure.getTools().isEmpty() ? 0 : 1) > 1) {
            // Servers take one constraint (SGLang's is a oneof), and tools become one: which to drop is not ours.
            return problem(request, RejectReason.INVALID_FIELD,
                    "structure sets more than one of json_schema, regex, grammar and tools");
        }
        Optional<Problem> tools = checkTools(request, structure.getTools());
        if (tools.isPresent()) {
            return tools;
        }
        OutputConstraint constraint = OutputConstraint.of(structure);
        if (constraint == null) {
            return Optional.empty();
        }
        if (constraint.text().isBlank()) {
            return problem(request, RejectReason.INVALID_FIELD, "structure." + constraint.kind().field()
                    + " is empty");
        }
        // Tools' schema is built from parameters checked above; its added nesting is Sluice's, not the producer's.
        if (structure.getJsonSchema() != null) {
            try {
                JsonSchemaText.parse(constraint.text());
            } catch (IllegalArgumentException e) {
                return problem(request, RejectReason.INVALID_FIELD,
                        "structure.json_schema is not a JSON object: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Each tool has a unique name a function may have, and parameters that are a JSON object. */
    private static Optional<Problem> checkTools(PromptRequest request, List<ToolDefinition> tools) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            ToolDefinition tool = tools.get(i);
            if (!TOOL_NAME.matcher(tool.getName()).matches() || !names.add(tool.getName())) {
                return problem(request, RejectReason.INVALID_FIELD, "structure.tools[" + i
                        + "].name must be 1..64 letters, digits, _ or -, unlike the other tools' names");
            }
            try {
                JsonSchemaText.parse(tool.getParameters());
            } catch (IllegalArgumentException e) {
                return problem(request, RejectReason.INVALID_FIELD,
                        "structure.tools[" + i + "].parameters is not a JSON object: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** A bulk run's item names its run, and a part of an item says which of how many parts it is. */
    private static Optional<Problem> checkRunItem(PromptRequest request) {
        boolean inRun = request.getRunId() != null;
        if (!inRun && (request.getItemIndex() != null || request.getItemId() != null)) {
            return problem(request, RejectReason.INVALID_FIELD, "item_index and item_id need a run_id");
        }
        if (inRun && (request.getRunId().isBlank()
                || containsControl(request.getRunId()) || containsUnpairedSurrogate(request.getRunId()))) {
            return problem(request, RejectReason.INVALID_FIELD,
                    "run_id must be 1.." + FieldCaps.ID_CHARS + " characters without control characters");
        }
        if (request.getItemIndex() != null && request.getItemIndex() < 0) {
            return problem(request, RejectReason.INVALID_FIELD, "item_index must be 0 or more");
        }
        Integer index = request.getChunkIndex();
        Integer count = request.getChunkCount();
        if ((index == null) != (count == null) || (count != null && (request.getItemIndex() == null || count < 1
                || index < 0 || index >= count))) {
            return problem(request, RejectReason.INVALID_FIELD, "chunk_index and chunk_count go together, on an "
                    + "item of a run, with 0 <= chunk_index < chunk_count");
        }
        return Optional.empty();
    }

    private Optional<Problem> checkParams(PromptRequest request) {
        GenerationParams params = request.getParams();
        if (params == null) {
            return Optional.empty();
        }
        Integer maxTokens = params.getMaxTokens();
        if (maxTokens != null && (maxTokens <= 0 || maxTokens > limits.maxTokensCeiling())) {
            return problem(request, RejectReason.INVALID_FIELD,
                    "max_tokens must be in 1.." + limits.maxTokensCeiling() + ", got " + maxTokens);
        }
        Float temperature = params.getTemperature();
        if (temperature != null && !(temperature >= 0f && temperature <= 2f)) {
            return problem(request, RejectReason.INVALID_FIELD, "temperature must be in 0..2, got " + temperature);
        }
        Float topP = params.getTopP();
        if (topP != null && !(topP > 0f && topP <= 1f)) {
            return problem(request, RejectReason.INVALID_FIELD, "top_p must be in (0, 1], got " + topP);
        }
        return Optional.empty();
    }

    /** A producer's value as a message may quote it. */
    static String quoted(String value) {
        return Truncation.text(value, QUOTED_CHARS);
    }

    private static boolean anyText(PromptRequest request, Predicate<String> test) {
        if (request.getPrompt() != null && test.test(request.getPrompt())) {
            return true;
        }
        return request.getMessages().stream().anyMatch(m -> test.test(m.getContent()));
    }

    private static boolean containsControl(String text) {
        return text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t');
    }

    /** A JSON escape of half a surrogate pair makes one; it has no UTF-8 form, so the server would see a "?". */
    private static boolean containsUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Problem> problem(PromptRequest request, RejectReason reason, String message) {
        return Optional.of(Problem.of(request, reason, message));
    }
}
