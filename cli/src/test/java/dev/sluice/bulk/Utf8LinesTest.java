package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Utf8Lines}. */
class Utf8LinesTest {

    @Test
    void linesEndAsStringLinesEndThemAndALeadingByteOrderMarkIsDropped() throws IOException {
        String text = "\uFEFFone\ntwo\r\nthree\rfour\r\r\n\nlast";

        assertThat(texts(lines(text.getBytes(StandardCharsets.UTF_8))))
                .containsExactly("one", "two", "three", "four", "", "", "last")
                .containsExactlyElementsOf(text.substring(1).lines().toList());
        assertThat(lines("a\n".getBytes(StandardCharsets.UTF_8))).extracting(Utf8Lines.Line::text).containsExactly("a");
        assertThat(lines(new byte[0])).isEmpty();
    }

    @Test
    void aLineThatIsNotUtf8IsNamedWithItsFirstBadByteAndTheNextLinesAreStillRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("ok\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("Caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes("fine \u00e9\n".getBytes(StandardCharsets.UTF_8));

        List<Utf8Lines.Line> lines = lines(bytes.toByteArray());

        assertThat(lines).containsExactly(new Utf8Lines.Line(1, "ok", -1, false),
                new Utf8Lines.Line(2, null, 6, false), new Utf8Lines.Line(3, "fine \u00e9", -1, false));
    }

    @Test
    void aLineLongerThanAChunkIsWhole() throws IOException {
        String longLine = "\u3042".repeat(100_000);

        assertThat(texts(lines((longLine + "\nshort").getBytes(StandardCharsets.UTF_8))))
                .containsExactly(longLine, "short");
    }

    @Test
    void aLineLongerThanTheReaderHoldsIsSkippedToItsEndAndReported() throws IOException {
        byte[] bytes = ("short\n" + "x".repeat(200_000) + "\nafter").getBytes(StandardCharsets.UTF_8);
        Utf8Lines reader = new Utf8Lines(new ByteArrayInputStream(bytes), 100_000);

        assertThat(reader.next().text()).isEqualTo("short");
        assertThat(reader.next()).isEqualTo(new Utf8Lines.Line(2, null, -1, true));
        assertThat(reader.next().text()).as("the next line is read whole").isEqualTo("after");
        assertThat(reader.next()).isNull();
    }

    @Test
    void fiftyThousandLinesAreReadWithoutReadingFarAheadOfTheLineReturned() throws IOException {
        int count = 50_000;
        GeneratedLines in = new GeneratedLines(count);
        Utf8Lines lines = new Utf8Lines(in, JsonlItems.MAX_LINE_BYTES);
        long lineBytes = 0;
        long farthestAhead = 0;

        for (int i = 0; i < count; i++) {
            Utf8Lines.Line line = lines.next();
            assertThat(line.text()).isEqualTo(GeneratedLines.line(i));
            lineBytes += line.text().length() + 1;
            farthestAhead = Math.max(farthestAhead, in.served - lineBytes);
        }

        assertThat(lines.next()).isNull();
        assertThat(in.served).isEqualTo(lineBytes).isGreaterThan(7_000_000);
        // Never more than one read's chunk ahead of the line handed out: the input is not held.
        assertThat(farthestAhead).isLessThanOrEqualTo(64 * 1024);
    }

    private static List<Utf8Lines.Line> lines(byte[] bytes) throws IOException {
        Utf8Lines lines = new Utf8Lines(new ByteArrayInputStream(bytes), JsonlItems.MAX_LINE_BYTES);
        List<Utf8Lines.Line> all = new ArrayList<>();
        for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
            all.add(line);
        }
        return all;
    }

    private static List<String> texts(List<Utf8Lines.Line> lines) {
        return lines.stream().map(Utf8Lines.Line::text).toList();
    }

    /** A stream of JSON lines made as they are read, counting the bytes it has served. */
    private static final class GeneratedLines extends InputStream {

        private final int count;
        private int next;
        private byte[] current = new byte[0];
        private int position;
        long served;

        GeneratedLines(int count) {
            this.count = count;
        }

        static String line(int i) {
            return "{\"custom_id\": \"item-" + i + "\", \"text\": \"" + "words ".repeat(20) + i + "\"}";
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position == current.length) {
                if (next == count) {
                    return -1;
                }
                current = (line(next++) + "\n").getBytes(StandardCharsets.UTF_8);
                position = 0;
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, buffer, offset, n);
            position += n;
            served += n;
            return n;
        }
    }
}
