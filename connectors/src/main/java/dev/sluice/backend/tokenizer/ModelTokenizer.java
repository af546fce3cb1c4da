package dev.sluice.backend.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import dev.sluice.backend.ChatTurn;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A model's own Hugging Face tokenizer ({@code tokenizer.json}, run by the Rust tokenizers library through DJL)
 * and its chat template (the Jinja {@code chat_template} of {@code tokenizer_config.json}).
 *
 * <p>DJL does not promise that one instance may encode from several threads at once, so calls are serialized.
 */
public final class ModelTokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUNDLED = "/dev/sluice/tokenizer/";
    /** Used when a model ships no chat template: ChatML, as Qwen models use. */
    private static final String CHATML = "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
            + "{{ message['content'] }}<|im_end|>\n{% endfor %}"
            + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    private final HuggingFaceTokenizer tokenizer;
    private final String chatTemplate;
    private final Jinjava jinja = Jinja.create();

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, String chatTemplate) {
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
    }

    /** Reads {@code tokenizer.json} and, if present, {@code tokenizer_config.json} from a model directory. */
    public static ModelTokenizer fromDirectory(Path directory) {
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    directory.resolve("tokenizer.json"), options());
            Path config = directory.resolve("tokenizer_config.json");
            String template = Files.exists(config) ? chatTemplate(Files.readAllBytes(config)) : CHATML;
            return new ModelTokenizer(tokenizer, template);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer in " + directory, e);
        }
    }

    /** Reads the zip archive an SGLang worker sends from {@code GetTokenizer}. */
    public static ModelTokenizer fromZip(byte[] archive) {
        Path directory = null;
        try {
            directory = Files.createTempDirectory("sluice-tokenizer");
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    Path name = Path.of(entry.getName()).getFileName();
                    if (!entry.isDirectory() && name != null) {
                        Files.copy(zip, directory.resolve(name.toString()));
                    }
                }
            }
            return fromDirectory(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokenizer archive", e);
        } finally {
            deleteQuietly(directory);
        }
    }

    /**
     * The project's own small tokenizer: byte-level BPE (every UTF-8 byte is a token, plus a few English merges)
     * with ChatML special tokens. The emulator and the tests use it, so nothing needs downloading.
     */
    public static ModelTokenizer bundled() {
        try (InputStream json = ModelTokenizer.class.getResourceAsStream(BUNDLED + "tokenizer.json");
                InputStream config = ModelTokenizer.class.getResourceAsStream(BUNDLED + "tokenizer_config.json")) {
            return new ModelTokenizer(HuggingFaceTokenizer.newInstance(json, options()),
                    chatTemplate(config.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the bundled tokenizer", e);
        }
    }

    /** The bundled tokenizer's files, zipped as an SGLang worker serves them. */
    public static byte[] bundledArchive() {
        try (var bytes = new java.io.ByteArrayOutputStream();
                var zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
                try (InputStream in = ModelTokenizer.class.getResourceAsStream(BUNDLED + name)) {
                    zip.putNextEntry(new ZipEntry(name));
                    in.transferTo(zip);
                    zip.closeEntry();
                }
            }
            zip.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip the bundled tokenizer", e);
        }
    }

    /**
     * Token ids of {@code text}, without added special tokens: templates carry their own.
     *
     * <p>Only the ids are fetched from the native encoding. DJL's {@code encode} also copies out each token's
     * string, character span, word id and masks, which costs twice as much as the encoding itself and is never
     * read here. The ids are the same, since both read them from the one encoding the Rust library makes of the
     * text: DJL's own rewriting of the text before it (a leading space, lower case, accents stripped) is off in
     * every tokenizer this class loads, as none of {@link #options()} turns it on.
     */
    public synchronized int[] encode(String text) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        long[] ids;
        try {
            ids = TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        int[] result = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            result[i] = (int) ids[i];
        }
        return result;
    }

    /** Text of {@code ids}, special tokens skipped: what a completion shows its reader. */
    public String decode(int[] ids) {
        return decode(ids, true);
    }

    /** Text of {@code ids}; with special tokens kept, a templated prompt decodes to exactly its template text. */
    public synchronized String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    /** The conversation as the model was trained to read it, ending where the assistant's answer begins. */
    public String applyChatTemplate(List<ChatTurn> messages) {
        List<Map<String, String>> turns = new ArrayList<>();
        for (ChatTurn turn : messages) {
            turns.add(Map.of("role", turn.role(), "content", turn.content()));
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", turns);
        context.put("add_generation_prompt", true);
        return jinja.render(chatTemplate, context);
    }

    /** A detokenizer for one streamed completion. */
    public IncrementalDetokenizer detokenizer() {
        return new IncrementalDetokenizer(this);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** DJL truncates to 512 tokens unless told not to: a prompt must never be cut silently. */
    private static Map<String, String> options() {
        return Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
    }

    private static String chatTemplate(byte[] tokenizerConfig) throws IOException {
        JsonNode template = JSON.readTree(tokenizerConfig).get("chat_template");
        return template != null && template.isTextual() ? template.textValue() : CHATML;
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temporary directory is harmless.
        }
    }
}
