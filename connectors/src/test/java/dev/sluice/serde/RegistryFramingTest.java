package dev.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tests for {@link RegistryFraming}. */
class RegistryFramingTest {

    @Test
    void theHeaderIsTheMagicByteAndTheIdBigEndian() {
        byte[] framed = RegistryFraming.frame(0x01020304, new byte[] {42, 43});

        assertThat(framed).containsExactly(0, 1, 2, 3, 4, 42, 43);
        assertThat(RegistryFraming.isFramed(framed)).isTrue();
        assertThat(RegistryFraming.schemaId(framed)).hasValue(0x01020304);
    }

    @Test
    void theLargestIdAndAnEmptyBodyRoundTrip() {
        byte[] framed = RegistryFraming.frame(Integer.MAX_VALUE, new byte[0]);

        assertThat(framed).hasSize(RegistryFraming.HEADER_LENGTH);
        assertThat(RegistryFraming.schemaId(framed)).hasValue(Integer.MAX_VALUE);
    }

    @Test
    void sluicesOtherEncodingsAreNotFramed() {
        byte[] singleObject = {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] json = "{\"tenant\":\"acme\"}".getBytes(StandardCharsets.UTF_8);
        byte[] indentedJson = " \n{}".getBytes(StandardCharsets.UTF_8);

        for (byte[] bytes : new byte[][] {singleObject, json, indentedJson, new byte[0]}) {
            assertThat(RegistryFraming.isFramed(bytes)).isFalse();
            assertThat(RegistryFraming.schemaId(bytes)).isEmpty();
        }
    }

    @Test
    void aTruncatedHeaderIsFramedButHasNoId() {
        byte[] truncated = {0, 0, 0, 7};

        assertThat(RegistryFraming.isFramed(truncated)).isTrue();
        assertThat(RegistryFraming.schemaId(truncated)).isEmpty();
    }

    @Test
    void aNegativeIdIsNoId() {
        byte[] negative = {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1};

        assertThat(RegistryFraming.schemaId(negative)).isEmpty();
        assertThatThrownBy(() -> RegistryFraming.frame(-1, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
