package dev.sluice.backend.sglang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.OutputConstraint.Kind;
import dev.sluice.proto.sglang.runtime.SamplingParams;
import org.junit.jupiter.api.Test;

/** Tests that both SGLang protocols carry a request's constraint in their own SamplingParams field. */
class SamplingParamsConstraintTest {

    private static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"sku\"]}";

    private static GenerationRequest constrained(Kind kind, String text) {
        return GenerationRequest.of("r", "Extract the order", 64).withConstraint(new OutputConstraint(kind, text));
    }

    @Test
    void theSchedulerProtocolSetsTheConstraintsOneofField() {
        SamplingDefaults defaults = SamplingDefaults.semantic();

        var schema = defaults.toProto(constrained(Kind.JSON_SCHEMA, SCHEMA));
        var regex = defaults.toProto(constrained(Kind.REGEX, "[0-9]{3}"));
        var grammar = defaults.toProto(constrained(Kind.GRAMMAR, "root ::= [0-9]+"));

        assertThat(schema.getJsonSchema()).isEqualTo(SCHEMA);
        assertThat(schema.getConstraintCase().getNumber()).isEqualTo(14);
        assertThat(regex.getRegex()).isEqualTo("[0-9]{3}");
        assertThat(regex.getConstraintCase().getNumber()).isEqualTo(13);
        assertThat(grammar.getEbnfGrammar()).isEqualTo("root ::= [0-9]+");
        assertThat(grammar.getConstraintCase().getNumber()).isEqualTo(15);
        assertThat(defaults.toProto(GenerationRequest.of("r", "free text", 64)).getConstraintCase().getNumber())
                .as("no constraint set").isZero();
    }

    @Test
    void theNativeProtocolSetsJsonSchemaOrRegexAndRefusesAGrammar() {
        SamplingParams schema = SglangNativeBackend.sampling(constrained(Kind.JSON_SCHEMA, SCHEMA));
        SamplingParams regex = SglangNativeBackend.sampling(constrained(Kind.REGEX, "[0-9]{3}"));
        SamplingParams free = SglangNativeBackend.sampling(GenerationRequest.of("r", "free text", 64));

        assertThat(schema.hasJsonSchema()).isTrue();
        assertThat(schema.getJsonSchema()).isEqualTo(SCHEMA);
        assertThat(schema.hasRegex()).isFalse();
        assertThat(regex.getRegex()).isEqualTo("[0-9]{3}");
        assertThat(regex.hasJsonSchema()).isFalse();
        assertThat(free.hasJsonSchema() || free.hasRegex()).isFalse();
        assertThatThrownBy(() -> SglangNativeBackend.sampling(constrained(Kind.GRAMMAR, "root ::= [0-9]+")))
                .isInstanceOf(BackendException.class).hasMessageContaining("no grammar field");
    }
}
