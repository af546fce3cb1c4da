package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link TritonTensors}. */
class TritonTensorsTest {

    @Test
    void bytesElementsCarryALittleEndianLengthBeforeTheirUtf8Bytes() {
        ByteString raw = TritonTensors.encodeStrings(List.of("日本", "a"));

        byte[] japanese = "日本".getBytes(StandardCharsets.UTF_8);
        assertThat(japanese).hasSize(6);
        assertThat(raw.toByteArray()).containsExactly(
                6, 0, 0, 0, japanese[0], japanese[1], japanese[2], japanese[3], japanese[4], japanese[5],
                1, 0, 0, 0, 'a');
    }

    @Test
    void bytesRoundTripKeepsMultiByteTextAndEmptyElements() {
        List<String> values = List.of("こんにちは、世界", "", "emoji 🚀");

        assertThat(TritonTensors.decodeStrings(TritonTensors.encodeStrings(values))).isEqualTo(values);
    }

    @Test
    void bytesDecodingRejectsALengthPastTheEnd() {
        ByteString raw = ByteString.copyFrom(new byte[] {9, 0, 0, 0, 'a'});

        assertThatThrownBy(() -> TritonTensors.decodeStrings(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds");
    }

    @Test
    void fixedWidthValuesAreLittleEndian() {
        assertThat(TritonTensors.encodeInts(new int[] {1, 256}).toByteArray())
                .containsExactly(1, 0, 0, 0, 0, 1, 0, 0);
        assertThat(TritonTensors.encodeLongs(new long[] {2}).toByteArray())
                .containsExactly(2, 0, 0, 0, 0, 0, 0, 0);
        assertThat(TritonTensors.encodeBools(new boolean[] {true, false}).toByteArray()).containsExactly(1, 0);
        assertThat(TritonTensors.decodeFloats(TritonTensors.encodeFloats(new float[] {0.25f}))).containsExactly(0.25f);
        assertThat(TritonTensors.decodeInts(TritonTensors.encodeInts(new int[] {-7, 42}))).containsExactly(-7, 42);
    }
}
