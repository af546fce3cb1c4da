package dev.sluice.routing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * A detached Ed25519 signature over the exact bytes of a catalog document (its UTF-8 YAML, the record's value), in
 * the record header {@value #HEADER} as standard base64 of the 64 signature bytes. Base64 rather than raw bytes so
 * that command-line producers that take headers as text ({@code kcat -H}, {@code kafka-console-producer} with
 * {@code parse.headers}) can publish a document signed elsewhere, e.g. with
 * {@code openssl pkeyutl -sign -rawin -inkey catalog-signing.key -in catalog.yaml | base64 -w0}.
 */
public final class CatalogSignature {

    public static final String HEADER = "sluice-signature";
    /** Ed25519 signatures are 64 bytes (RFC 8032, section 5.1.6); their base64 is 88 characters. */
    private static final int MAX_HEADER_BYTES = 88;

    private CatalogSignature() {}

    /** The header value for {@code document}. */
    public static byte[] sign(PrivateKey key, byte[] document) {
        try {
            Signature signer = Signature.getInstance(CatalogKeys.ALGORITHM);
            signer.initSign(key);
            signer.update(document);
            return Base64.getEncoder().encode(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code header} is a valid signature of {@code document} by {@code key}; malformed ones are not. */
    public static boolean verifies(PublicKey key, byte[] document, byte[] header) {
        if (header == null || header.length > MAX_HEADER_BYTES) {
            return false;
        }
        try {
            byte[] signature = Base64.getDecoder().decode(new String(header, StandardCharsets.US_ASCII));
            Signature verifier = Signature.getInstance(CatalogKeys.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(document);
            return verifier.verify(signature);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }
}
