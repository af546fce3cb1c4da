package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import dev.sluice.intake.PromptValidator;
import dev.sluice.schema.ChatMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link BulkInput}. */
class BulkInputTest {

    @TempDir
    Path dir;

    @Test
    void jsonLinesHoldTextsAndConversations() throws IOException {
        Path file = write("items.jsonl", """
                {"custom_id": "a", "text": "First text.", "max_tokens": 40}

                {"custom_id": "b", "messages": [{"role": "system", "content": "Be brief."}, \
                {"role": "user", "content": "Hi"}]}
                """);

        List<BulkItem> items = BulkInput.read(file, null, null);

        assertThat(items).containsExactly(
                BulkItem.ofText(0, "a", "First text.", 40),
                BulkItem.ofMessages(1, "b", List.of(new ChatMessage("system", "Be brief."),
                        new ChatMessage("user", "Hi")), null));
    }

    @Test
    void anOpenAiBatchLineIsAnItemWithItsModelMaxTokensAndSampling() throws IOException {
        Path file = write("batch.ndjson", """
                {"custom_id": "req-1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", \
                "messages": [{"role": "user", "content": "Summarize: tea"}], "max_tokens": 64, "temperature": 0.2, \
                "top_p": 0.9, "seed": 7, "stop": ["END", "\\n\\n"]}}
                {"custom_id": "req-2", "body": {"messages": [{"role": "user", "content": "x"}], \
                "max_completion_tokens": 8, "stop": "END"}}
                {"custom_id": "req-3", "method": "POST", "url": "/v1/completions", "body": {"model": "m", \
                "prompt": "Once upon a time"}}
                """);

        List<BulkItem> items = BulkInput.read(file, null, null);

        assertThat(items).containsExactly(
                new BulkItem(0, "req-1", null, List.of(new ChatMessage("user", "Summarize: tea")), 64, "gpt-4o",
                        new BulkItem.Sampling(0.2f, 0.9f, 7L, List.of("END", "\n\n"))),
                new BulkItem(1, "req-2", null, List.of(new ChatMessage("user", "x")), 8, null,
                        new BulkItem.Sampling(null, null, null, List.of("END"))),
                new BulkItem(2, "req-3", "Once upon a time", null, null, "m", BulkItem.Sampling.DEFAULT));
    }

    @Test
    void openAiBatchLinesOfOtherEndpointsMethodsOrTypesAreNamed() throws IOException {
        String chat = "\"url\": \"/v1/chat/completions\"";
        String messages = "\"messages\": [{\"role\": \"user\", \"content\": \"m\"}]";
        Path file = write("batch.jsonl", String.join("\n",
                "{\"custom_id\": \"a\", \"method\": \"GET\", " + chat + ", \"body\": {" + messages + "}}",
                "{\"custom_id\": \"b\", \"url\": \"/v1/embeddings\", \"body\": {\"input\": \"m\"}}",
                "{\"custom_id\": \"c\", " + chat + "}",
                "{\"custom_id\": \"d\", \"url\": \"/v1/completions\", \"body\": {" + messages + "}}",
                "{\"custom_id\": \"e\", \"url\": \"/v1/completions\", \"body\": {\"prompt\": [\"p\"]}}",
                "{\"custom_id\": \"f\", " + chat + ", \"body\": {\"model\": 4, " + messages + "}}",
                "{\"custom_id\": \"g\", " + chat + ", \"body\": {\"temperature\": \"hot\", \"seed\": 1.5, "
                        + "\"stop\": [1], " + messages + "}}"));

        List<Problem> found = thrown(() -> BulkInput.read(file, null, null)).problems();

        assertThat(found).extracting(Problem::line, Problem::code).containsExactly(
                tuple(1, Problem.INVALID_METHOD), tuple(2, Problem.INVALID_URL), tuple(3, Problem.INVALID_BODY),
                tuple(4, Problem.INVALID_TEXT), tuple(5, Problem.INVALID_TEXT), tuple(6, Problem.INVALID_MODEL),
                tuple(7, Problem.INVALID_PARAMETER), tuple(7, Problem.INVALID_PARAMETER),
                tuple(7, Problem.INVALID_PARAMETER));
        assertThat(found).extracting(Problem::describe).containsExactly(
                "line 1: method must be POST",
                "line 2: url must be one of /v1/chat/completions, /v1/completions",
                "line 3: body is missing: a line with a url is a request, its body what it asks",
                "line 4: body.prompt is missing",
                "line 5: body.prompt must be a non-blank string",
                "line 6: body.model must be a non-blank string",
                "line 7: body.temperature must be a number",
                "line 7: body.seed must be an integer",
                "line 7: body.stop must be a string or an array of strings");
    }

    @Test
    void anEndpointIsNamedByEveryLineAndMakesAnyFileJsonLines() throws IOException {
        Path file = write("file-abc123", String.join("\n",
                "{\"custom_id\": \"a\", \"url\": \"/v1/completions\", \"body\": {\"prompt\": \"p\"}}",
                "{\"custom_id\": \"b\", \"url\": \"/v1/chat/completions\", \"body\": {\"messages\": "
                        + "[{\"role\": \"user\", \"content\": \"m\"}]}}",
                "{\"custom_id\": \"c\", \"text\": \"no url\"}"));

        List<Problem> found = problemsOf(file, new BulkInput.Rules(BulkInput.COMPLETIONS, 10));

        assertThat(found).extracting(Problem::describe).containsExactly(
                "line 2: url /v1/chat/completions is not this batch's endpoint, /v1/completions",
                "line 3: url is missing; this batch's endpoint is /v1/completions");
        assertThat(found).extracting(Problem::code).containsOnly(Problem.INVALID_URL);
    }

    @Test
    void moreItemsThanAllowedStopTheReadingWithOneProblem() throws IOException {
        Path jsonl = write("many.jsonl", String.join("\n", "{\"custom_id\": \"a\", \"text\": \"1\"}", "",
                "{\"text\": \"no id\"}", "{\"custom_id\": \"c\", \"text\": \"3\"}", "not json"));
        Path csv = write("many.csv", "text\none\ntwo\nthree\n");
        Path docs = Files.createDirectory(dir.resolve("docs"));
        for (String name : List.of("a.txt", "b.txt", "c.txt")) {
            Files.writeString(docs.resolve(name), "text");
        }
        BulkInput.Rules two = new BulkInput.Rules(null, 2);

        assertThat(problemsOf(jsonl, two)).extracting(Problem::describe).containsExactly(
                "line 3: custom_id is missing", "line 4: more than 2 lines, the most this submission takes");
        assertThat(problemsOf(jsonl, two).get(1).code()).isEqualTo(Problem.TOO_MANY_LINES);
        assertThat(problemsOf(csv, two)).extracting(Problem::describe)
                .containsExactly("more than 2 rows, the most this submission takes");
        assertThat(problemsOf(docs, two)).extracting(Problem::describe)
                .containsExactly("more than 2 files, the most this submission takes");
        assertThat(problemsOf(csv, new BulkInput.Rules(null, 3))).isEmpty();
    }

    @Test
    void everyBadJsonLineIsReportedWithItsNumber() throws IOException {
        Path file = write("bad.jsonl", String.join("\n",
                "{\"custom_id\": \"a\", \"text\": \"ok\"}",
                "{\"text\": \"no id\"}",
                "{\"custom_id\": \"c\", \"text\": ",
                "[1, 2]",
                "{\"custom_id\": \"e\", \"text\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"m\"}]}",
                "{\"custom_id\": \"f\", \"messages\": [{\"role\": \"robot\", \"content\": \"m\"}]}",
                "{\"custom_id\": \"g\", \"text\": \"t\", \"max_tokens\": 0}",
                "{\"custom_id\": \"a\", \"text\": \"again\"}",
                "{\"custom_id\": \"i\", \"text\": \"  \"}",
                "{\"custom_id\": \"j\", \"body\": {\"model\": \"m\"}}",
                "{\"custom_id\": \"k\", \"messages\": []}"));

        List<Problem> found = thrown(() -> BulkInput.read(file, null, null)).problems();
        List<String> problems = found.stream().map(Problem::describe).toList();

        assertThat(found).extracting(Problem::line, Problem::code).containsExactly(
                tuple(2, Problem.MISSING_CUSTOM_ID), tuple(3, Problem.INVALID_JSON), tuple(4, Problem.INVALID_JSON),
                tuple(5, Problem.INVALID_ITEM), tuple(6, Problem.INVALID_MESSAGES),
                tuple(7, Problem.INVALID_MAX_TOKENS), tuple(8, Problem.DUPLICATE_CUSTOM_ID),
                tuple(9, Problem.INVALID_TEXT), tuple(10, Problem.INVALID_MESSAGES),
                tuple(11, Problem.INVALID_MESSAGES));
        assertThat(found.get(1).message()).startsWith("not valid JSON at column ");
        assertThat(problems.get(1)).startsWith("line 3: not valid JSON at column ");
        assertThat(problems).containsExactly(
                "line 2: custom_id is missing",
                problems.get(1),
                "line 4: expected a JSON object",
                "line 5: set exactly one of text and messages",
                "line 6: messages[0].role must be one of " + PromptValidator.ROLES,
                "line 7: max_tokens must be a positive integer, got 0",
                "line 8: custom_id 'a' is also on line 1",
                "line 9: text must be a non-blank string",
                "line 10: body.messages is missing",
                "line 11: messages must be a non-empty array");
    }

    @Test
    void aJsonLineThatIsNotUtf8IsNamedAndTheOtherLinesAreStillChecked() throws IOException {
        byte[] first = "\uFEFF{\"custom_id\": \"a\", \"text\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8);
        String second = "{\"custom_id\": \"b\", \"text\": \"Caf\u00e9\"}\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(first);
        bytes.writeBytes(second.getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes("{\"text\": \"no id\"}\n".getBytes(StandardCharsets.UTF_8));
        Path file = Files.write(dir.resolve("latin1.jsonl"), bytes.toByteArray());

        List<Problem> found = thrown(() -> BulkInput.read(file, null, null)).problems();

        assertThat(found).extracting(Problem::line, Problem::code)
                .containsExactly(tuple(2, Problem.INVALID_UTF8), tuple(3, Problem.MISSING_CUSTOM_ID));
        assertThat(found.get(0).describe()).isEqualTo("line 2: not valid UTF-8 (byte "
                + (first.length + second.indexOf('\u00e9')) + " of the file)");
    }

    @Test
    void theMessageListsTwentyProblemsAndCountsTheRest() throws IOException {
        String lines = IntStream.range(0, 25).mapToObj(i -> "{\"text\": \"t\"}").collect(Collectors.joining("\n"));

        assertThatThrownBy(() -> BulkInput.read(write("many.jsonl", lines), null, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("line 1: custom_id is missing\n")
                .hasMessageContaining("line 20: custom_id is missing\nand 5 more")
                .hasMessageNotContaining("line 21");
        assertThat(problems(() -> BulkInput.read(dir.resolve("many.jsonl"), null, null))).hasSize(25);
    }

    @Test
    void csvFieldsMayHoldQuotedCommasQuotesAndLineBreaks() throws IOException {
        Path file = write("tickets.csv", "\uFEFFcustom_id,text\n"
                + "t-1,\"Refund, please\"\n"
                + "t-2,\"Line one\nline two, \"\"quoted\"\"\"\n"
                + "t-3,plain\n");

        assertThat(BulkInput.read(file, null, null)).containsExactly(
                BulkItem.ofText(0, "t-1", "Refund, please", null),
                BulkItem.ofText(1, "t-2", "Line one\nline two, \"quoted\"", null),
                BulkItem.ofText(2, "t-3", "plain", null));
    }

    @Test
    void csvColumnsMayBeNamedAndIdsDefaultToRowNumbers() throws IOException {
        Path file = write("tickets.csv", "ticket_id,subject,body\nT-9,Late,Where is it?\nT-7,Broken,It broke.\n");

        assertThat(BulkInput.read(file, "body", "ticket_id")).extracting(BulkItem::customId, BulkItem::text)
                .containsExactly(tuple("T-9", "Where is it?"),
                        tuple("T-7", "It broke."));
        assertThat(BulkInput.read(file, "subject", null)).extracting(BulkItem::customId)
                .containsExactly("row-1", "row-2");
    }

    @Test
    void aMissingCsvColumnIsReportedWithTheHeadersColumns() throws IOException {
        Path file = write("tickets.csv", "ticket_id,subject,body\nT-1,a,b\n");

        assertThatThrownBy(() -> BulkInput.read(file, null, "id"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("column 'text' is not in the header, which has: ticket_id, subject, body\n"
                        + "column 'id' is not in the header, which has: ticket_id, subject, body");
    }

    @Test
    void badCsvRowsAreReportedWithTheirNumbers() throws IOException {
        Path file = write("tickets.csv", "custom_id,text\na,fine\nb,\n,no id\na,again\nc,one,two\n");

        assertThat(thrown(() -> BulkInput.read(file, null, null)).problems())
                .extracting(Problem::line, Problem::code).containsExactly(tuple(null, Problem.INVALID_TEXT),
                        tuple(null, Problem.MISSING_CUSTOM_ID), tuple(null, Problem.DUPLICATE_CUSTOM_ID),
                        tuple(null, Problem.INVALID_CSV));
        assertThat(problems(() -> BulkInput.read(file, null, null))).containsExactly(
                "row 2: the text in column 'text' is empty",
                "row 3: the id in column 'custom_id' is empty",
                "row 4: id 'a' is also on row 1",
                "row 5: 3 fields where the header has 2 (a field with a comma needs quotes)");
    }

    @Test
    void aDirectoryGivesItsVisibleFilesInNameOrder() throws IOException {
        write("b.txt", "Second\r\nfile.\n");
        write("a.md", "First file.");
        write(".hidden", "skipped");
        Files.createDirectory(dir.resolve("nested"));
        Files.writeString(dir.resolve("nested").resolve("c.txt"), "skipped");

        assertThat(BulkInput.read(dir, "ignored", "ignored")).containsExactly(
                BulkItem.ofText(0, "a.md", "First file.", null),
                BulkItem.ofText(1, "b.txt", "Second\r\nfile.\n", null));
    }

    @Test
    void aFileThatIsNotUtf8IsNamedWithTheLine() throws IOException {
        write("good.txt", "Fine.");
        Files.write(dir.resolve("latin1.txt"), "Line one\nCaf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        write("blank.txt", " \n");

        assertThatThrownBy(() -> BulkInput.read(dir, null, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("blank.txt: the file is empty\nlatin1.txt: not valid UTF-8 at line 2 (byte 12)");
    }

    @Test
    void anUnknownFormatNamesTheSupportedOnes() throws IOException {
        assertThatThrownBy(() -> BulkInput.read(write("items.json", "[]"), null, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("items.json: unsupported input; give a .jsonl, .ndjson or .csv file, "
                        + "or a directory of text files");
    }

    @Test
    void anInputWithoutItemsIsRefused() throws IOException {
        assertThatThrownBy(() -> BulkInput.read(write("empty.jsonl", "\n  \n"), null, null))
                .isInstanceOf(InvalidInputException.class).hasMessage("empty.jsonl holds no items");
        assertThatThrownBy(() -> BulkInput.read(write("empty.csv", "text\n"), null, null))
                .isInstanceOf(InvalidInputException.class).hasMessage("empty.csv holds no items");
        Path empty = Files.createDirectory(dir.resolve("none"));
        assertThatThrownBy(() -> BulkInput.read(empty, null, null))
                .isInstanceOf(InvalidInputException.class).hasMessage("none holds no items");
        assertThatThrownBy(() -> BulkInput.read(dir.resolve("absent.jsonl"), null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageEndingWith("absent.jsonl does not exist");
    }

    @Test
    void theShippedSamplesRead() {
        Path samples = Path.of("..", "config", "samples", "bulk");

        List<BulkItem> catalogue = BulkInput.read(samples.resolve("catalogue.jsonl"), null, null);
        List<BulkItem> tickets = BulkInput.read(samples.resolve("tickets.csv"), "body", "ticket_id");
        List<BulkItem> docs = BulkInput.read(samples.resolve("docs"), null, null);

        assertThat(catalogue).hasSize(20).first().extracting(BulkItem::customId).isEqualTo("sku-1001");
        assertThat(catalogue).filteredOn(item -> !item.isText()).hasSize(1);
        assertThat(tickets).hasSize(15).anySatisfy(item -> assertThat(item.text()).contains(",").contains("\n"));
        assertThat(docs).extracting(BulkItem::customId)
                .containsExactly("release-note.txt", "tiered-storage-design.txt");
        assertThat(docs.get(1).text().length()).isBetween(40_000, 60_000);
    }

    /** The problems of reading {@code input} under {@code rules}, in order. */
    private static List<Problem> problemsOf(Path input, BulkInput.Rules rules) {
        Problems problems = new Problems();
        BulkInput.open(input, null, null, rules).forEach(problems, item -> { });
        try {
            problems.throwIfAny();
            return List.of();
        } catch (InvalidInputException e) {
            return e.problems();
        }
    }

    /** The problems as the command line prints them. */
    private static List<String> problems(ThrowingCallable read) {
        return thrown(read).problems().stream().map(Problem::describe).toList();
    }

    private static InvalidInputException thrown(ThrowingCallable read) {
        InvalidInputException thrown = catchThrowableOfType(InvalidInputException.class, read);
        assertThat(thrown).isNotNull();
        return thrown;
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
