package dev.sluice.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.bulk.BulkInput;
import dev.sluice.bulk.RunOutcomes;
import dev.sluice.bulk.RunResultsWriter;
import dev.sluice.bulk.ServedItem;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunStatus;
import dev.sluice.schema.ToolCall;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A batch's output and error lines as the Batch API writes them: {@code id}, {@code custom_id}, and a
 * {@code response} with the status code, the request id and a body in the endpoint's own format with its
 * {@code usage}, or an {@code error} where no request was answered (cancelled, expired, never reached). A reject is
 * answered as a server would refuse the request: a status code for its reason and an error body naming the reason.
 * Each served body also says under which licence its text was made ({@code sluice.license}, {@code obligations}),
 * which the hosted API has no need for and clients ignore.
 */
final class BatchLines implements RunResultsWriter.Lines {

    private final String endpoint;
    private final long created;
    private final Set<String> models = new TreeSet<>();
    private long promptTokens;
    private long cachedTokens;
    private long completionTokens;

    /**
     * @param endpoint the batch's endpoint: the body's format
     * @param created Unix seconds, the bodies' {@code created}
     */
    BatchLines(String endpoint, long created) {
        this.endpoint = endpoint;
        this.created = created;
    }

    @Override
    public ObjectNode served(long index, Collection<Completion> parts) {
        ServedItem item = ServedItem.of(parts);
        models.addAll(List.of(item.models().split(",")));
        promptTokens += item.promptTokens();
        cachedTokens += item.cachedTokens();
        completionTokens += item.completionTokens();
        ObjectNode body = ApiJson.MAPPER.createObjectNode();
        boolean chat = BulkInput.CHAT_COMPLETIONS.equals(endpoint);
        body.put("id", (chat ? "chatcmpl-" : "cmpl-") + FileStore.randomHex());
        body.put("object", chat ? "chat.completion" : "text_completion");
        body.put("created", created);
        body.put("model", item.models());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", item.toolCalls().isEmpty() ? item.text() : null);
            if (!item.toolCalls().isEmpty()) {
                toolCalls(message.putArray("tool_calls"), item);
            }
        } else {
            choice.put("text", item.text());
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", item.toolCalls().isEmpty() ? item.finishReason() : "tool_calls");
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", item.promptTokens());
        usage.put("completion_tokens", item.completionTokens());
        usage.put("total_tokens", item.promptTokens() + item.completionTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", item.cachedTokens());
        ObjectNode sluice = body.putObject("sluice");
        sluice.put("license", item.license());
        item.obligations().forEach(sluice.putArray("obligations")::add);
        sluice.put("parts", item.parts());
        return line(item.customId(), response(200, item.requestId(), body));
    }

    @Override
    public ObjectNode unserved(long index, RunOutcomes.Item item, RunStatus status) {
        Reject reject = item == null ? null : item.reject();
        if (reject != null && reject.getReason() != RejectReason.CANCELLED) {
            ObjectNode body = ApiJson.MAPPER.createObjectNode();
            ObjectNode error = body.putObject("error");
            error.put("message", reject.getMessage());
            error.put("type", statusOf(reject.getReason()) < 500 ? "invalid_request_error" : "server_error");
            error.putNull("param");
            error.put("code", reject.getReason().name().toLowerCase(Locale.ROOT));
            return line(reject.getItemId(), response(statusOf(reject.getReason()), reject.getRequestId(), body));
        }
        String customId = reject != null ? reject.getItemId()
                : item != null ? item.parts().firstEntry().getValue().getItemId() : null;
        ObjectNode line = line(customId, null);
        ObjectNode error = line.putObject("error");
        if (status == RunStatus.CANCELLED || reject != null) {
            error.put("code", "batch_cancelled");
            error.put("message", "This request was not executed because the batch was cancelled.");
        } else if (status == RunStatus.EXPIRED) {
            error.put("code", "batch_expired");
            error.put("message", "This request could not be executed before the completion window expired.");
        } else {
            error.put("code", "incomplete");
            error.put("message", item == null ? "no outcome for item " + index
                    : item.parts().size() + " of " + item.partCount() + " parts of the request were answered");
        }
        return line;
    }

    /** The tokens of the lines served so far. */
    Batch.Usage usage() {
        return Batch.Usage.of(promptTokens, cachedTokens, completionTokens);
    }

    /** The models that served the lines so far, comma-separated, or null when none did. */
    String models() {
        return models.isEmpty() ? null : String.join(",", models);
    }

    /** The status code a server would have refused the request with, for the reason Sluice rejected it. */
    static int statusOf(RejectReason reason) {
        return switch (reason) {
            case DECODE_ERROR, SCHEMA_MISMATCH, INVALID_FIELD, DUPLICATE_REQUEST, STRUCTURE_UNSUPPORTED -> 400;
            case POLICY_DENIED, TENANT_MISMATCH -> 403;
            case NO_ELIGIBLE_MODEL -> 404;
            case TOO_LARGE -> 413;
            case BUDGET_EXCEEDED, QUOTA_EXCEEDED -> 429;
            case DEADLINE_EXCEEDED -> 504;
            case BACKEND_FAILED -> 503;
            case CANCELLED, UNKNOWN -> 500;
        };
    }

    private static void toolCalls(ArrayNode calls, ServedItem item) {
        for (ToolCall call : item.toolCalls()) {
            ObjectNode entry = calls.addObject();
            entry.put("id", call.getId());
            entry.put("type", "function");
            ObjectNode function = entry.putObject("function");
            function.put("name", call.getName());
            function.put("arguments", call.getArguments());
        }
    }

    private static ObjectNode response(int statusCode, String requestId, ObjectNode body) {
        ObjectNode response = ApiJson.MAPPER.createObjectNode();
        response.put("status_code", statusCode);
        response.put("request_id", requestId);
        response.set("body", body);
        return response;
    }

    private static ObjectNode line(String customId, ObjectNode response) {
        ObjectNode line = ApiJson.MAPPER.createObjectNode();
        line.put("id", "batch_req_" + FileStore.randomHex());
        line.put("custom_id", customId);
        line.set("response", response);
        if (response != null) {
            line.putNull("error");
        }
        return line;
    }
}
