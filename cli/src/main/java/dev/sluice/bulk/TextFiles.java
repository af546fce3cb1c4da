package dev.sluice.bulk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the user's text files as strict UTF-8: a replacement character would go unnoticed into every prompt. */
final class TextFiles {

    /** What spreadsheet exports and some editors put before the first line; no part of the text. */
    static final String BYTE_ORDER_MARK = "\uFEFF";

    private TextFiles() {}

    /** The file's text without a leading byte order mark, which spreadsheet exports add. */
    static String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(Problem.of(Problem.UNREADABLE_INPUT, file + " does not exist"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return decode(bytes, file.getFileName().toString());
    }

    /** A UTF-8 decoder that reports what is not UTF-8 instead of replacing it. */
    static CharsetDecoder strictUtf8() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static String decode(byte[] bytes, String name) {
        CharsetDecoder decoder = strictUtf8();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) (bytes.length * (double) decoder.maxCharsPerByte()));
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int offset = in.position();
            // The line is of this file, which may be one of a directory's, not of the input: the message says it.
            throw new InvalidInputException(Problem.of(Problem.INVALID_UTF8, name + ": not valid UTF-8 at line "
                    + lineAt(bytes, offset) + " (byte " + offset + ")"));
        }
        decoder.flush(out);
        String text = out.flip().toString();
        return text.startsWith(BYTE_ORDER_MARK) ? text.substring(BYTE_ORDER_MARK.length()) : text;
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
