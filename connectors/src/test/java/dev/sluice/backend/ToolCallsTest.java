package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.ToolCall;
import dev.sluice.schema.ToolDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link ToolCalls}. */
class ToolCallsTest {

    private static final List<ToolDefinition> TOOLS = List.of(
            new ToolDefinition("get_weather", null, "{\"type\":\"object\"}"),
            new ToolDefinition("add", null, "{\"type\":\"object\"}"));

    @Test
    void aCallOfADeclaredToolIsReadBackWithCompactArgumentsAndAStableId() {
        List<ToolCall> calls = ToolCalls.of("req-1", TOOLS, " {\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}\n");

        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.getName()).isEqualTo("add");
            assertThat(call.getArguments()).isEqualTo("{\"a\":1,\"b\":2}");
            assertThat(call.getId()).matches("call_[0-9a-f]{12}");
        });
        assertThat(ToolCalls.of("req-1", TOOLS, "{\"name\":\"get_weather\",\"arguments\":{}}").get(0).getId())
                .as("the same request's call keeps its id across retries").isEqualTo(calls.get(0).getId());
        assertThat(ToolCalls.of("req-2", TOOLS, "{\"name\":\"add\",\"arguments\":{}}").get(0).getId())
                .isNotEqualTo(calls.get(0).getId());
    }

    /** A server's text that is not exactly one call of a declared tool yields no call, never a guessed one. */
    @ParameterizedTest
    @ValueSource(strings = {
            "It is sunny.",
            "{\"name\": \"sub\", \"arguments\": {}}",
            "{\"name\": \"add\", \"arguments\": \"{}\"}",
            "{\"name\": \"add\"}",
            "{\"name\": \"add\", \"arguments\": {}, \"extra\": 1}",
            "{\"name\": \"add\", \"arguments\": {}} and more",
            "[{\"name\": \"add\", \"arguments\": {}}]",
            "{\"name\": \"add\", \"arguments\": {\"a\": 1}"})
    void anythingElseIsNoCall(String text) {
        assertThat(ToolCalls.of("req-1", TOOLS, text)).isEmpty();
    }

    @Test
    void deepTextIsRefusedWithinBoundsAndARequestWithoutToolsHasNoCalls() {
        String deep = "{\"name\": \"add\", \"arguments\": " + "{\"a\": ".repeat(10_000) + "1" + "}".repeat(10_001);

        assertThat(ToolCalls.of("req-1", TOOLS, deep)).isEmpty();
        assertThat(ToolCalls.of("req-1", List.of(), "{\"name\": \"add\", \"arguments\": {}}")).isEmpty();
    }
}
