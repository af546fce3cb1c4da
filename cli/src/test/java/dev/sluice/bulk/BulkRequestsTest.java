package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.TokenEstimate;
import dev.sluice.bulk.BulkRequests.RunSpec;
import dev.sluice.prompt.PromptText;
import dev.sluice.schema.ChatMessage;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link BulkRequests}. */
class BulkRequestsTest {

    private static final long DEADLINE = 1_900_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aTextThatFitsIsOneRequestThroughTheTemplate() {
        PromptTemplate template = PromptTemplate.shipped(Task.TRANSLATE, "en", "ja");
        RunSpec spec = new RunSpec("run-1", "acme", Task.TRANSLATE, "en", "ja", template, 200, DEADLINE, 4_096);
        long before = System.currentTimeMillis();

        List<PromptRequest> requests = BulkRequests.of(List.of(BulkItem.ofText(0, "sku-1", "  A teapot.\n", null)),
                spec);

        assertThat(requests).hasSize(1);
        PromptRequest request = requests.get(0);
        assertThat(request.getRequestId()).isEqualTo("run-1#0");
        assertThat(request.getRunId()).isEqualTo("run-1");
        assertThat(request.getItemIndex()).isEqualTo(0L);
        assertThat(request.getItemId()).isEqualTo("sku-1");
        assertThat(request.getChunkIndex()).isNull();
        assertThat(request.getChunkCount()).isNull();
        assertThat(request.getTenant()).isEqualTo("acme");
        assertThat(request.getTask()).isEqualTo(Task.TRANSLATE);
        assertThat(request.getSourceLanguage()).isEqualTo("en");
        assertThat(request.getTargetLanguage()).isEqualTo("ja");
        assertThat(request.getPrompt()).isEqualTo(template.render("A teapot.", "sku-1", "en", "ja", 1, 1));
        assertThat(request.getMessages()).isEmpty();
        assertThat(request.getParams().getMaxTokens()).isEqualTo(200);
        assertThat(request.getPriority()).isEqualTo(Priority.BATCH);
        assertThat(request.getDeadline()).isEqualTo(DEADLINE);
        assertThat(request.getCreatedAt()).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void withoutATemplateTheTextIsThePromptAsItIs() {
        RunSpec spec = new RunSpec("r", "t", Task.OTHER, null, null, null, 50, null, 1_000);

        PromptRequest request = BulkRequests.of(List.of(BulkItem.ofText(3, "x", "  Raw prompt.\n", 7)), spec).get(0);

        assertThat(request.getPrompt()).isEqualTo("  Raw prompt.\n");
        assertThat(request.getRequestId()).isEqualTo("r#3");
        assertThat(request.getParams().getMaxTokens()).isEqualTo(7);
        assertThat(request.getDeadline()).isNull();
    }

    @Test
    void aLongTextIsSplitIntoNumberedPartsThatEachFitTheContext() {
        PromptTemplate template = PromptTemplate.shipped(Task.SUMMARIZE, "en", null);
        RunSpec spec = new RunSpec("run-2", "acme", Task.SUMMARIZE, "en", null, template, 100, null, 400);
        String text = paragraphs(40);
        List<BulkItem> items = List.of(BulkItem.ofText(0, "doc", text, null), BulkItem.ofText(1, "short", "Hi.", null));

        List<PromptRequest> requests = BulkRequests.of(items, spec);

        List<PromptRequest> parts = requests.subList(0, requests.size() - 1);
        int count = parts.size();
        assertThat(count).isGreaterThan(3);
        for (int part = 0; part < count; part++) {
            PromptRequest request = parts.get(part);
            assertThat(request.getRequestId()).isEqualTo("run-2#0." + part);
            assertThat(request.getChunkIndex()).isEqualTo(part);
            assertThat(request.getChunkCount()).isEqualTo(count);
            assertThat(request.getItemIndex()).isEqualTo(0L);
            assertThat(request.getItemId()).isEqualTo("doc");
            assertThat(request.getPrompt()).contains("This is part " + (part + 1) + " of " + count + " ");
            assertThat(PromptText.contextNeeded(request, 0)).isLessThanOrEqualTo(400);
        }
        assertThat(requests.get(count).getRequestId()).isEqualTo("run-2#1");
        assertThat(requests.get(count).getChunkCount()).isNull();
    }

    @Test
    void thePartsOfAnUntemplatedTextJoinBackToIt() {
        RunSpec spec = new RunSpec("r", "t", Task.SUMMARIZE, null, null, null, 40, null, 200);
        String text = paragraphs(30);

        List<PromptRequest> requests = BulkRequests.of(List.of(BulkItem.ofText(0, "doc", text, null)), spec);

        assertThat(requests).hasSizeGreaterThan(1);
        assertThat(requests.stream().map(PromptRequest::getPrompt).collect(Collectors.joining())).isEqualTo(text);
    }

    @Test
    void aStretchOfWhitespaceLongerThanAPartMakesNoRequest() {
        RunSpec spec = new RunSpec("r", "t", Task.SUMMARIZE, null, null, null, 40, null, 200);
        String text = "Start." + " ".repeat(2_000) + "End.";

        List<PromptRequest> requests = BulkRequests.of(List.of(BulkItem.ofText(0, "doc", text, null)), spec);

        assertThat(requests).extracting(PromptRequest::getPrompt).allSatisfy(prompt -> assertThat(prompt).isNotBlank());
        assertThat(requests).extracting(PromptRequest::getChunkCount).containsOnly(requests.size());
    }

    @Test
    void aTranslationsPartsAreNoLongerThanItsMaxTokens() {
        String text = paragraphs(30);
        List<BulkItem> items = List.of(BulkItem.ofText(0, "doc", text, null));
        RunSpec translate = new RunSpec("r", "t", Task.TRANSLATE, "en", "de", null, 60, null, 100_000);
        RunSpec summarize = new RunSpec("r", "t", Task.SUMMARIZE, "en", "de", null, 60, null, 100_000);

        List<PromptRequest> translated = BulkRequests.of(items, translate);

        assertThat(TokenEstimate.of(text)).isGreaterThan(600);
        assertThat(translated).hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(request -> assertThat(TokenEstimate.of(request.getPrompt())).isLessThanOrEqualTo(60));
        assertThat(BulkRequests.of(items, summarize)).hasSize(1);
    }

    @Test
    void aConversationIsSentAsItIs() {
        PromptTemplate template = PromptTemplate.shipped(Task.SUMMARIZE, "en", null);
        RunSpec spec = new RunSpec("r", "t", Task.SUMMARIZE, "en", null, template, 100, DEADLINE, 150);
        List<ChatMessage> messages = List.of(new ChatMessage("system", "Be brief."),
                new ChatMessage("user", "x".repeat(2_000)));

        PromptRequest request = BulkRequests.of(List.of(BulkItem.ofMessages(5, "chat", messages, 9)), spec).get(0);

        assertThat(request.getMessages()).isEqualTo(messages);
        assertThat(request.getPrompt()).isNull();
        assertThat(request.getRequestId()).isEqualTo("r#5");
        assertThat(request.getChunkIndex()).isNull();
        assertThat(request.getItemId()).isEqualTo("chat");
        assertThat(request.getParams().getMaxTokens()).isEqualTo(9);
        assertThat(request.getPriority()).isEqualTo(Priority.BATCH);
    }

    @Test
    void anItemsModelIsAPreferenceAndItsSamplingIsItsRequestsParams() {
        RunSpec spec = new RunSpec("r", "t", Task.CHAT, null, null, null, 100, DEADLINE, 4_096);
        BulkItem.Sampling sampling = new BulkItem.Sampling(0.2f, 0.9f, 7L, List.of("END"));
        List<BulkItem> items = List.of(
                new BulkItem(0, "chat", null, List.of(new ChatMessage("user", "Hi")), null, "gpt-4o", sampling),
                new BulkItem(1, "text", "Once upon a time", null, 5, "m", BulkItem.Sampling.DEFAULT),
                BulkItem.ofText(2, "plain", "Text.", null));

        List<PromptRequest> requests = BulkRequests.of(items, spec);

        assertThat(requests.get(0).getHints().getPreferredModel()).isEqualTo("gpt-4o");
        assertThat(requests.get(0).getHints().getAllowedLicenses()).isEmpty();
        GenerationParams params = requests.get(0).getParams();
        assertThat(params.getTemperature()).isEqualTo(0.2f);
        assertThat(params.getTopP()).isEqualTo(0.9f);
        assertThat(params.getSeed()).isEqualTo(7L);
        assertThat(params.getStop()).containsExactly("END");
        assertThat(params.getMaxTokens()).isEqualTo(100);
        // A completion's prompt is a text item: with no template, the prompt as it is.
        assertThat(requests.get(1).getPrompt()).isEqualTo("Once upon a time");
        assertThat(requests.get(1).getHints().getPreferredModel()).isEqualTo("m");
        assertThat(requests.get(1).getParams().getTemperature()).isNull();
        assertThat(requests.get(2).getHints()).isNull();
    }

    @Test
    void theDigestTellsItemsApartByTheirModelAndSampling() {
        RunSpec spec = new RunSpec("r", "t", Task.CHAT, null, null, null, 100, DEADLINE, 4_096);
        List<ChatMessage> hi = List.of(new ChatMessage("user", "Hi"));
        BulkItem.Sampling cool = new BulkItem.Sampling(0.2f, null, null, List.of());

        List<String> digests = List.of(
                new BulkItem(0, "a", null, hi, null, null, BulkItem.Sampling.DEFAULT),
                new BulkItem(0, "a", null, hi, null, "m", BulkItem.Sampling.DEFAULT),
                new BulkItem(0, "a", null, hi, null, null, cool),
                new BulkItem(0, "a", null, hi, null, null, new BulkItem.Sampling(0.3f, null, null, List.of())),
                new BulkItem(0, "a", null, hi, null, null, new BulkItem.Sampling(null, null, 1L, List.of())),
                new BulkItem(0, "a", null, hi, null, null, new BulkItem.Sampling(null, null, null, List.of("x"))))
                .stream().map(item -> BulkRequests.digest(BulkRequests.of(List.of(item), spec))).toList();

        assertThat(digests).doesNotHaveDuplicates();
        assertThat(digests.get(0)).isEqualTo(BulkRequests.digest(BulkRequests.of(List.of(
                BulkItem.ofMessages(0, "a", hi, null)), spec)));
    }

    @Test
    void anItemWhoseMaxTokensLeaveNoRoomForTextIsNamed() {
        RunSpec spec = new RunSpec("r", "t", Task.SUMMARIZE, "en", null, PromptTemplate.shipped(Task.SUMMARIZE,
                "en", null), 100, null, 4_096);
        List<BulkItem> items = List.of(BulkItem.ofText(0, "fine", "Text.", null),
                BulkItem.ofText(1, "greedy", "Text.", 4_050));

        assertThatThrownBy(() -> BulkRequests.of(items, spec))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("item 1 'greedy': max tokens 4050 and template summarize-en.j2 leave no room for text in "
                        + "the model's context of 4096 tokens");
    }

    @Test
    void aTemplateWhosePartsOutgrowTheBudgetIsCaught() throws IOException {
        Path file = Files.writeString(dir.resolve("odd.j2"),
                "{% if part == 2 %}" + "Long preamble. ".repeat(100) + "{% endif %}{{ text }}");
        RunSpec spec = new RunSpec("r", "t", Task.OTHER, null, null, PromptTemplate.load(file), 50, null, 500);

        assertThatThrownBy(() -> BulkRequests.of(List.of(BulkItem.ofText(0, "doc", paragraphs(20), null)), spec))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("item 0 'doc': request r#0.1 needs ");
    }

    @Test
    void theDigestIgnoresWhenRequestsWereMadeButNotWhatTheyAsk() {
        PromptTemplate template = PromptTemplate.shipped(Task.TRANSLATE, "en", "ja");
        RunSpec spec = new RunSpec("r", "t", Task.TRANSLATE, "en", "ja", template, 100, DEADLINE, 1_000);
        List<BulkItem> items = List.of(BulkItem.ofText(0, "a", paragraphs(5), null),
                BulkItem.ofMessages(1, "b", List.of(new ChatMessage("user", "Hi")), null));
        List<PromptRequest> requests = BulkRequests.of(items, spec);
        List<PromptRequest> later = BulkRequests.of(items, spec).stream()
                .map(r -> PromptRequest.newBuilder(r).setCreatedAt(r.getCreatedAt() + 60_000).setDeadline(null).build())
                .toList();

        String digest = BulkRequests.digest(requests);

        assertThat(digest).matches("[0-9a-f]{64}").isEqualTo(BulkRequests.digest(later));
        assertThat(BulkRequests.digest(BulkRequests.of(List.of(items.get(0),
                BulkItem.ofMessages(1, "b", List.of(new ChatMessage("user", "Hi!")), null)), spec)))
                .isNotEqualTo(digest);
        assertThat(BulkRequests.digest(BulkRequests.of(items, new RunSpec("r", "t", Task.TRANSLATE, "en", "ja",
                template, 101, DEADLINE, 1_000)))).isNotEqualTo(digest);
        assertThat(BulkRequests.digest(BulkRequests.of(items, new RunSpec("r", "t", Task.TRANSLATE, "en", "de",
                PromptTemplate.shipped(Task.TRANSLATE, "en", "de"), 100, DEADLINE, 1_000)))).isNotEqualTo(digest);
        assertThat(BulkRequests.digest(requests.subList(0, requests.size() - 1))).isNotEqualTo(digest);
    }

    @Test
    void theDigestOfAnInputIsTheOneItHadWhenRunsWereSubmittedBefore() {
        RunSpec spec = new RunSpec("r", "t", Task.CHAT, null, null, null, 100, DEADLINE, 1_000);
        List<BulkItem> items = List.of(BulkItem.ofText(0, "a", paragraphs(5), 20),
                BulkItem.ofMessages(1, "b", List.of(new ChatMessage("system", "Be brief."),
                        new ChatMessage("user", "Hi")), null));

        // A resubmission compares this with the digest its run was first submitted with, perhaps by an older Sluice.
        assertThat(BulkRequests.digest(BulkRequests.of(items, spec)))
                .isEqualTo("4fcd066840d571ea80829c99053f275bea920be530ba22db0d8772f8304cf6dd");
    }

    @Test
    void aTranslationRunNeedsATargetLanguage() {
        assertThatThrownBy(() -> new RunSpec("r", "t", Task.TRANSLATE, "en", null, null, 100, null, 1_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target language");
    }

    /** Numbered paragraphs of a few sentences each, about 60 tokens a paragraph. */
    private static String paragraphs(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "Paragraph " + i + " explains one idea. It has a second sentence.\n"
                        + "And a second line that goes on for a while.\n\n")
                .collect(Collectors.joining());
    }
}
