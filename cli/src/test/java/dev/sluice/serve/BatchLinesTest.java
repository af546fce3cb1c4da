package dev.sluice.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bulk.BulkInput;
import dev.sluice.bulk.RunOutcomes;
import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExplanation;
import dev.sluice.schema.RunStatus;
import dev.sluice.schema.ToolCall;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The output and error lines of a batch, in the Batch API's form. */
class BatchLinesTest {

    @Test
    void aServedChatRequestIsAChatCompletionWithItsUsageAndLicence() {
        BatchLines lines = new BatchLines(BulkInput.CHAT_COMPLETIONS, 1_700_000_000L);

        JsonNode line = lines.served(0, List.of(completion("a", "first", 0, 2), completion("a", "second", 1, 2)));

        assertThat(line.get("id").asText()).startsWith("batch_req_");
        assertThat(line.get("custom_id").asText()).isEqualTo("a");
        assertThat(line.get("error").isNull()).isTrue();
        JsonNode response = line.get("response");
        assertThat(response.get("status_code").asInt()).isEqualTo(200);
        assertThat(response.get("request_id").asText()).isEqualTo("run#0.0");
        JsonNode body = response.get("body");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("created").asLong()).isEqualTo(1_700_000_000L);
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("first\n\nsecond");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(6);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(10);
        assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(2);
        assertThat(body.at("/sluice/license").asText()).isEqualTo("apache-2.0");
        assertThat(lines.usage()).isEqualTo(Batch.Usage.of(4, 2, 6));
        assertThat(lines.models()).isEqualTo("m");
    }

    @Test
    void aPromptIsATextCompletionAndAToolCallKeepsItsCalls() {
        JsonNode text = new BatchLines(BulkInput.COMPLETIONS, 0).served(0, List.of(completion("a", "x", null,
                null)));
        assertThat(text.at("/response/body/object").asText()).isEqualTo("text_completion");
        assertThat(text.at("/response/body/choices/0/text").asText()).isEqualTo("x");

        Completion call = Completion.newBuilder(completion("b", "", null, null))
                .setToolCalls(List.of(new ToolCall("call_1", "lookup", "{\"q\":1}"))).build();
        JsonNode tool = new BatchLines(BulkInput.CHAT_COMPLETIONS, 0).served(1, List.of(call));
        assertThat(tool.at("/response/body/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(tool.at("/response/body/choices/0/message/content").isNull()).isTrue();
        assertThat(tool.at("/response/body/choices/0/message/tool_calls/0/function/name").asText())
                .isEqualTo("lookup");
    }

    @Test
    void aRejectIsAnsweredAsAServerRefusalAndACancelledRequestAsABatchError() {
        BatchLines lines = new BatchLines(BulkInput.CHAT_COMPLETIONS, 0);

        JsonNode refused = lines.unserved(0, item(RejectReason.POLICY_DENIED), RunStatus.COMPLETED);
        assertThat(refused.at("/response/status_code").asInt()).isEqualTo(403);
        assertThat(refused.at("/response/body/error/code").asText()).isEqualTo("policy_denied");
        assertThat(refused.at("/response/body/error/message").asText()).isEqualTo("not for this tenant");
        assertThat(refused.get("custom_id").asText()).isEqualTo("a");

        JsonNode unhealthy = lines.unserved(0, item(RejectReason.BACKEND_FAILED), RunStatus.COMPLETED);
        assertThat(unhealthy.at("/response/status_code").asInt()).isEqualTo(503);
        assertThat(unhealthy.at("/response/body/error/type").asText()).isEqualTo("server_error");

        JsonNode cancelled = lines.unserved(0, item(RejectReason.CANCELLED), RunStatus.CANCELLED);
        assertThat(cancelled.get("response").isNull()).isTrue();
        assertThat(cancelled.at("/error/code").asText()).isEqualTo("batch_cancelled");
        assertThat(cancelled.get("custom_id").asText()).isEqualTo("a");

        JsonNode expired = lines.unserved(3, null, RunStatus.EXPIRED);
        assertThat(expired.at("/error/code").asText()).isEqualTo("batch_expired");
        assertThat(lines.usage()).isEqualTo(Batch.Usage.of(0, 0, 0));
        assertThat(lines.models()).isNull();
    }

    private static RunOutcomes.Item item(RejectReason reason) {
        return new RunOutcomes.Item(0, new TreeMap<>(), Reject.newBuilder().setRequestId("run#0").setTenant("acme")
                .setReason(reason).setMessage("not for this tenant").setRejectedAt(0).setRunId("run")
                .setItemIndex(0L).setItemId("a").build());
    }

    private static Completion completion(String customId, String text, Integer part, Integer parts) {
        return Completion.newBuilder().setRequestId("run#0" + (part == null ? "" : "." + part)).setRunId("run")
                .setItemIndex(0L).setItemId(customId).setChunkIndex(part).setChunkCount(parts).setTenant("acme")
                .setModelId("m").setBackend("triton").setEndpoint("e").setText(text).setFinishReason("stop")
                .setPromptTokens(2).setCompletionTokens(3).setCachedTokens(1)
                .setTimings(new CompletionTimings(0L, 0L, 0L, 0L)).setRoute(new RouteExplanation("test", List.of()))
                .setLicense("apache-2.0").setObligations(List.of()).build();
    }
}
