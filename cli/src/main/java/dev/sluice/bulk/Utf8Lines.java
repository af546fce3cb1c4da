package dev.sluice.bulk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.util.Arrays;

/**
 * Reads a stream a line at a time as strict UTF-8, holding one line, never the whole stream. Lines end at
 * {@code \n}, {@code \r\n} or {@code \r}, as {@link String#lines()} splits them; a byte order mark before the first
 * line is dropped. Lines are split as bytes and each decoded alone (a line break is never part of a UTF-8 sequence),
 * so a line that is not UTF-8 is known by its number and the next lines are still read: a decoding reader would
 * fail a whole buffer of lines at once.
 */
final class Utf8Lines {

    /**
     * One line.
     *
     * @param number its number, from 1
     * @param text its text without the line break; null when it is not UTF-8
     * @param badByte where in the stream, from 0, the line's first byte that is not UTF-8 is; -1 when none is
     * @param tooLong the line has more bytes than the reader holds: its text is null, and it was skipped unread
     */
    record Line(int number, String text, long badByte, boolean tooLong) {

        boolean isUtf8() {
            return text != null;
        }
    }

    private static final int CHUNK_BYTES = 64 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final CharsetDecoder decoder = TextFiles.strictUtf8();
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private int position;
    private int limit;
    /** Where in the stream the chunk starts. */
    private long chunkStart;
    private byte[] line = new byte[256];
    private int lineLength;
    private int number;
    /** The last line ended at a {@code \r}: a {@code \n} right after it ends no other line. */
    private boolean afterCarriageReturn;
    private boolean ended;
    private boolean tooLong;

    /**
     * @param maxLineBytes the longest line held: a longer one is skipped to its end and reported, so one hostile line
     *     cannot take the reader's memory
     */
    Utf8Lines(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null after the last. */
    Line next() throws IOException {
        if (ended) {
            return null;
        }
        long lineStart = chunkStart + position;
        lineLength = 0;
        tooLong = false;
        while (true) {
            if (position == limit && !fill()) {
                ended = true;
                if (lineLength == 0) {
                    // After a final line break there is no line, as String.lines() has none there.
                    return null;
                }
                break;
            }
            if (afterCarriageReturn) {
                afterCarriageReturn = false;
                if (chunk[position] == '\n') {
                    position++;
                    lineStart++;
                    continue;
                }
            }
            int end = lineBreak();
            append(position, end);
            if (end < limit) {
                afterCarriageReturn = chunk[end] == '\r';
                position = end + 1;
                break;
            }
            position = limit;
        }
        number++;
        return tooLong ? new Line(number, null, -1, true) : decode(lineStart);
    }

    /** Reads the next chunk; false at the end of the stream. */
    private boolean fill() throws IOException {
        chunkStart += limit;
        position = 0;
        limit = Math.max(0, in.read(chunk));
        return limit > 0;
    }

    private int lineBreak() {
        for (int i = position; i < limit; i++) {
            if (chunk[i] == '\n' || chunk[i] == '\r') {
                return i;
            }
        }
        return limit;
    }

    private void append(int from, int to) {
        int length = to - from;
        if (tooLong || lineLength + length > maxLineBytes) {
            tooLong = true;
            return;
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
        }
        System.arraycopy(chunk, from, line, lineLength, length);
        lineLength += length;
    }

    private Line decode(long lineStart) {
        ByteBuffer bytes = ByteBuffer.wrap(line, 0, lineLength);
        // UTF-8 never has more chars than bytes.
        CharBuffer chars = CharBuffer.allocate(lineLength);
        decoder.reset();
        CoderResult result = decoder.decode(bytes, chars, true);
        if (result.isError()) {
            return new Line(number, null, lineStart + bytes.position(), false);
        }
        decoder.flush(chars);
        String text = chars.flip().toString();
        if (number == 1 && text.startsWith(TextFiles.BYTE_ORDER_MARK)) {
            text = text.substring(TextFiles.BYTE_ORDER_MARK.length());
        }
        return new Line(number, text, -1, false);
    }
}
