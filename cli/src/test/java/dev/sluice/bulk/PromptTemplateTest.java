package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.TokenEstimate;
import dev.sluice.schema.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link PromptTemplate}. */
class PromptTemplateTest {

    @TempDir
    Path dir;

    @Test
    void aTranslationIntoJapaneseIsAskedInJapanese() {
        PromptTemplate template = PromptTemplate.shipped(Task.TRANSLATE, "en", "ja");

        String prompt = template.render("Thank you for your order.", "sku-1", "en", "ja", 1, 1);

        assertThat(template.name()).isEqualTo("translate-ja.j2");
        assertThat(prompt).startsWith("次の英語の文章を日本語に翻訳してください。").endsWith("\n\nThank you for your order.");
    }

    @Test
    void aTranslationIntoAnotherLanguageIsAskedInEnglish() {
        PromptTemplate template = PromptTemplate.shipped(Task.TRANSLATE, "ja", "en");

        assertThat(template.name()).isEqualTo("translate-en.j2");
        assertThat(template.render("ご注文ありがとうございます。", "a", "ja", "en", 1, 1))
                .startsWith("Translate the following Japanese text into English.")
                .contains("Output only the translation")
                .endsWith("\n\nご注文ありがとうございます。");
        assertThat(PromptTemplate.shipped(Task.TRANSLATE, null, "pt-BR").render("Hi", "a", null, "pt-BR", 1, 1))
                .startsWith("Translate the following text into Portuguese (Brazil).");
    }

    @Test
    void aSummaryIsAskedInJapaneseWhenEitherLanguageIsJapanese() {
        assertThat(PromptTemplate.shipped(Task.SUMMARIZE, "ja", null).name()).isEqualTo("summarize-ja.j2");
        assertThat(PromptTemplate.shipped(Task.SUMMARIZE, "en", "ja-JP").name()).isEqualTo("summarize-ja.j2");
        assertThat(PromptTemplate.shipped(Task.SUMMARIZE, "en", "fr").name()).isEqualTo("summarize-en.j2");
        assertThat(PromptTemplate.shipped(Task.SUMMARIZE, "ja", "en").render("本文", "a", "ja", "en", 1, 1))
                .startsWith("次の日本語の文章を英語で要約してください。");
        assertThat(PromptTemplate.shipped(Task.SUMMARIZE, "en", null).render("Body", "a", "en", null, 1, 1))
                .startsWith("Summarize the following English text. ");
    }

    @Test
    void aPartOfALongerDocumentSaysWhichPartItIs() {
        PromptTemplate english = PromptTemplate.shipped(Task.SUMMARIZE, "en", "en");
        PromptTemplate japanese = PromptTemplate.shipped(Task.TRANSLATE, "en", "ja");

        assertThat(english.render("Body", "a", "en", "en", 2, 3)).contains("This is part 2 of 3 of a longer document");
        assertThat(english.render("Body", "a", "en", "en", 1, 1)).doesNotContain("part");
        assertThat(japanese.render("Body", "a", "en", "ja", 2, 3)).contains("全3部中の第2部");
        assertThat(japanese.render("Body", "a", "en", "ja", 1, 1)).doesNotContain("部中");
    }

    @Test
    void onlyTranslationsAndSummariesHaveShippedTemplatesAndATranslationNeedsATarget() {
        assertThatThrownBy(() -> PromptTemplate.shipped(Task.TRANSLATE, "en", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target language");
        assertThatThrownBy(() -> PromptTemplate.shipped(Task.TRANSLATE, "en", " "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromptTemplate.shipped(Task.CHAT, "en", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CHAT");
    }

    @Test
    void aUserTemplateSeesEveryVariable() throws IOException {
        PromptTemplate template = PromptTemplate.load(write("all.j2", "{{ custom_id }}|{{ source_lang }}|"
                + "{{ target_lang }}|{{ source_language }}|{{ target_language }}|{{ part }}/{{ parts }}|{{ text }}"));

        assertThat(template.render("Hello", "sku-1", "en", "de", 2, 3))
                .isEqualTo("sku-1|en|de|English|German|2/3|Hello");
        assertThat(template.render("Hello", "sku-1", null, "ja", 1, 1)).isEqualTo("sku-1||ja||Japanese|1/1|Hello");
    }

    @Test
    void aTextThatLooksLikeATemplateIsRenderedAsWritten() {
        PromptTemplate template = PromptTemplate.shipped(Task.SUMMARIZE, "en", null);

        assertThat(template.render("Use {{ custom_id }} and {% raw %}", "sku-1", "en", null, 1, 1))
                .endsWith("\n\nUse {{ custom_id }} and {% raw %}");
    }

    @Test
    void aTemplateThatNeverUsesTheTextIsRefused() throws IOException {
        Path file = write("lost.j2", "Translate into {{ target_language }}.{% if false %}{{ text }}{% endif %}");

        assertThatThrownBy(() -> PromptTemplate.load(file))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("lost.j2")
                .hasMessageContaining("never uses {{ text }}");
    }

    @Test
    void aTemplateWithASyntaxErrorIsRefusedWithItsLine() throws IOException {
        Path file = write("broken.j2", "Line one\n{% if %}{{ text }}{% endif %}");

        assertThatThrownBy(() -> PromptTemplate.load(file))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("broken.j2 line 2");
    }

    @Test
    void aMissingTemplateFileIsNamed() {
        assertThatThrownBy(() -> PromptTemplate.load(dir.resolve("absent.j2")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("absent.j2 does not exist");
    }

    @Test
    void theTextBudgetKeepsTheRenderingWithinThePromptTokensForEveryUseOfTheText() throws IOException {
        PromptTemplate template = PromptTemplate.load(write("twice.j2", "Part {{ part }}/{{ parts }}: {{ text }}\n"
                + "Again: {{ text }}"));

        int budget = template.textBudget(100, "a", null, null, 12);
        // Japanese is the densest script the estimate knows: one token a character.
        String fits = "あ".repeat(budget);
        String over = fits + "あ";

        // "Part 12/12: \nAgain: " is 6 tokens (20 ASCII characters); each of the two copies gets half of the other 94.
        assertThat(budget).isEqualTo(47);
        assertThat(TokenEstimate.of(template.render(fits, "a", null, null, 12, 12))).isLessThanOrEqualTo(100);
        assertThat(TokenEstimate.of(template.render(over, "a", null, null, 12, 12))).isGreaterThan(100);
    }

    @Test
    void theTextBudgetAllowsForTheShippedTemplatesPartNotice() {
        PromptTemplate template = PromptTemplate.shipped(Task.SUMMARIZE, "en", null);

        assertThat(template.textBudget(1_000, "a", "en", null, 2))
                .isLessThan(template.textBudget(1_000, "a", "en", null, 1));
        assertThat(template.textBudget(10, "a", "en", null, 1)).isLessThan(1);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
