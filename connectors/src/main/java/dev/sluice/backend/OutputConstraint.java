package dev.sluice.backend;

import dev.sluice.schema.OutputStructure;
import java.util.Objects;

/**
 * The form a completion must take, handed to the server's guided decoding: each backend sends it in its protocol's
 * own field (SGLang's {@code json_schema}, {@code regex}, {@code ebnf_grammar}; TensorRT-LLM's
 * {@code guided_decoding_guide_type} and {@code guided_decoding_guide}).
 *
 * @param kind what {@code text} is
 * @param text the schema, expression or grammar, as the request gave it
 */
public record OutputConstraint(Kind kind, String text) implements java.io.Serializable {

    /** The constraint languages a request may use; at most one per request. */
    public enum Kind {
        /** A JSON Schema document: the completion is JSON valid against it. */
        JSON_SCHEMA("json_schema"),
        /** A regular expression the completion matches. */
        REGEX("regex"),
        /** An EBNF grammar the completion is a sentence of. */
        GRAMMAR("grammar");

        private final String field;

        Kind(String field) {
            this.field = field;
        }

        /** The request's field under {@code structure} that holds this kind. */
        public String field() {
            return field;
        }
    }

    public OutputConstraint {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    /**
     * The constraint a request's {@code structure} sets, or null for none. Intake has checked that at most one
     * field is set; were more set, the first of json_schema, regex, grammar, tools would win. Tools become a JSON
     * schema ({@link ToolSchema}).
     */
    public static OutputConstraint of(OutputStructure structure) {
        if (structure == null) {
            return null;
        }
        if (structure.getJsonSchema() != null) {
            return new OutputConstraint(Kind.JSON_SCHEMA, structure.getJsonSchema());
        }
        if (structure.getRegex() != null) {
            return new OutputConstraint(Kind.REGEX, structure.getRegex());
        }
        if (structure.getGrammar() != null) {
            return new OutputConstraint(Kind.GRAMMAR, structure.getGrammar());
        }
        return structure.getTools().isEmpty() ? null
                : new OutputConstraint(Kind.JSON_SCHEMA, ToolSchema.of(structure.getTools()));
    }
}
