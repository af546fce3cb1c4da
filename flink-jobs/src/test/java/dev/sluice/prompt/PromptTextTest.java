package dev.sluice.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.schema.ChatMessage;
import dev.sluice.schema.OutputStructure;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.schema.ToolDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link PromptText}. */
class PromptTextTest {

    private static final OutputStructure TOOLS = OutputStructure.newBuilder().setTools(List.of(
            new ToolDefinition("get_weather", "today's weather", "{\"type\": \"object\"}"))).build();
    private static final String TOOL_LIST = "[{\"name\":\"get_weather\",\"description\":\"today's weather\","
            + "\"parameters\":{\"type\":\"object\"}}]";

    @Test
    void withoutToolsAPromptGoesAsItIsAndMessagesAsRoleLines() {
        PromptRequest prompt = request().setPrompt("hello").build();
        PromptRequest chat = request().setMessages(List.of(new ChatMessage("system", "be brief"),
                new ChatMessage("user", "hello"))).build();

        assertThat(PromptText.render(prompt)).isEqualTo("hello");
        assertThat(PromptText.toGeneration(prompt, 16).messages()).isEmpty();
        assertThat(PromptText.render(chat)).isEqualTo("system: be brief\nuser: hello\nassistant:");
        assertThat(PromptText.toGeneration(chat, 16).constraint()).isNull();
    }

    /** The model sees its tools; the prompt becomes the user's turn, and the server gets the calls' schema. */
    @Test
    void toolsLeadAPromptInASystemTurn() {
        GenerationRequest generation = PromptText.toGeneration(request().setPrompt("rain in Osaka?")
                .setStructure(TOOLS).build(), 16);

        assertThat(generation.messages()).extracting(ChatTurn::role).containsExactly("system", "user");
        assertThat(generation.messages().get(0).content()).contains("one call of one of these tools")
                .endsWith("Tools: " + TOOL_LIST);
        assertThat(generation.messages().get(1).content()).isEqualTo("rain in Osaka?");
        assertThat(generation.prompt()).startsWith("system: ").contains(TOOL_LIST)
                .endsWith("\nuser: rain in Osaka?\nassistant:");
        assertThat(generation.constraint().kind()).isEqualTo(OutputConstraint.Kind.JSON_SCHEMA);
        assertThat(generation.constraint().text()).contains("\"const\":\"get_weather\"");
    }

    /** Templates take one system message, first: the tools join the conversation's own. */
    @Test
    void toolsJoinAConversationsOwnSystemMessage() {
        List<ChatTurn> turns = PromptText.toGeneration(request().setStructure(TOOLS).setMessages(List.of(
                new ChatMessage("system", "be brief"), new ChatMessage("user", "rain?"))).build(), 16).messages();

        assertThat(turns).extracting(ChatTurn::role).containsExactly("system", "user");
        assertThat(turns.get(0).content()).startsWith("be brief\n\n").endsWith(TOOL_LIST);
    }

    /** Routing counts the tools: a request with them needs more context than one without. */
    @Test
    void theToolsCountTowardsTheContextNeeded() {
        PromptRequest plain = request().setPrompt("rain in Osaka?").build();
        PromptRequest withTools = PromptRequest.newBuilder(plain).setStructure(TOOLS).build();

        assertThat(PromptText.contextNeeded(withTools, 16)).isGreaterThan(PromptText.contextNeeded(plain, 16) + 20);
    }

    private static PromptRequest.Builder request() {
        return PromptRequest.newBuilder().setRequestId("r").setTenant("acme").setTask(Task.CHAT);
    }
}
