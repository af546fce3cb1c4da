package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link CatalogSignature} and {@link CatalogKeys}. */
class CatalogSignatureTest {

    private static final KeyPair OPERATOR = CatalogKeys.generate();
    private static final byte[] DOCUMENT = "models: []\n# 日本\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesForItsDocumentAndKeyOnly() {
        byte[] header = CatalogSignature.sign(OPERATOR.getPrivate(), DOCUMENT);

        assertThat(CatalogSignature.verifies(OPERATOR.getPublic(), DOCUMENT, header)).isTrue();
        byte[] edited = Arrays.copyOf(DOCUMENT, DOCUMENT.length + 1);
        edited[DOCUMENT.length] = ' ';
        assertThat(CatalogSignature.verifies(OPERATOR.getPublic(), edited, header)).isFalse();
        assertThat(CatalogSignature.verifies(CatalogKeys.generate().getPublic(), DOCUMENT, header)).isFalse();
    }

    @Test
    void theHeaderIsTheBase64OfTheSixtyFourSignatureBytes() {
        byte[] header = CatalogSignature.sign(OPERATOR.getPrivate(), DOCUMENT);

        assertThat(Base64.getDecoder().decode(header)).hasSize(64);
    }

    @Test
    void malformedHeadersDoNotVerifyAndDoNotThrow() {
        byte[] header = CatalogSignature.sign(OPERATOR.getPrivate(), DOCUMENT);
        byte[] flipped = header.clone();
        flipped[3] = (byte) (flipped[3] == 'A' ? 'B' : 'A');

        assertThat(CatalogSignature.verifies(OPERATOR.getPublic(), DOCUMENT, null)).isFalse();
        assertThat(CatalogSignature.verifies(OPERATOR.getPublic(), DOCUMENT, flipped)).isFalse();
        assertThat(CatalogSignature.verifies(OPERATOR.getPublic(), DOCUMENT, "not base64!".getBytes())).isFalse();
        assertThat(CatalogSignature.verifies(OPERATOR.getPublic(), DOCUMENT, "AAAA".getBytes())).isFalse();
        assertThat(CatalogSignature.verifies(OPERATOR.getPublic(), DOCUMENT, new byte[100_000])).isFalse();
    }

    @Test
    void aPairWrittenAsPemReadsBackAndSigns(@TempDir Path dir) throws Exception {
        Path privateFile = CatalogKeys.write(OPERATOR, dir.resolve("keys"));
        Path publicFile = dir.resolve("keys").resolve(CatalogKeys.PUBLIC_FILE);

        assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        if (Files.getFileStore(privateFile).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile)))
                    .isEqualTo("rw-------");
        }
        byte[] header = CatalogSignature.sign(CatalogKeys.readPrivate(privateFile), DOCUMENT);
        assertThat(CatalogSignature.verifies(CatalogKeys.readPublic(publicFile), DOCUMENT, header)).isTrue();
        assertThat(CatalogKeys.readPublic(publicFile).getEncoded()).isEqualTo(OPERATOR.getPublic().getEncoded());
    }

    @Test
    void anExistingPairIsNeverReplaced(@TempDir Path dir) throws Exception {
        CatalogKeys.write(OPERATOR, dir);
        String before = Files.readString(dir.resolve(CatalogKeys.PRIVATE_FILE));

        assertThatThrownBy(() -> CatalogKeys.write(CatalogKeys.generate(), dir))
                .hasMessageContaining("already holds a catalog key pair");
        assertThat(Files.readString(dir.resolve(CatalogKeys.PRIVATE_FILE))).isEqualTo(before);
    }

    @Test
    void aFileThatIsNotTheKeyIsRefusedWithoutQuotingIt(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "hunter2\n");
        CatalogKeys.write(OPERATOR, dir.resolve("keys"));

        assertThatThrownBy(() -> CatalogKeys.readPublic(secret))
                .hasMessageContaining("no PEM block").hasMessageNotContaining("hunter2");
        // A private key where the public one belongs: the labels differ.
        assertThatThrownBy(() -> CatalogKeys.readPublic(dir.resolve("keys").resolve(CatalogKeys.PRIVATE_FILE)))
                .hasMessageContaining("BEGIN PUBLIC KEY");
    }
}
