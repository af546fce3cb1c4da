package dev.sluice.routing;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Objects;

/**
 * Decides whether a document from the catalog topic may replace the catalog in force. In order, cheapest and most
 * hostile first: the topic must be on (a public key configured), the document at most {@value #MAX_DOCUMENT_BYTES}
 * bytes, signed by the operator ({@link CatalogSignature}), strict UTF-8, a catalog that parses within
 * {@link dev.sluice.config.Yaml}'s limits, and within {@link CatalogUpdateRules}. Nothing unsigned is ever parsed.
 * Serializable, holding the key's encoding, so it travels in the job graph: TaskManagers read no key file.
 */
public final class CatalogGate implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The largest document read; Kafka's default {@code max.message.bytes} is about the same. */
    public static final int MAX_DOCUMENT_BYTES = 1 << 20;
    private static final String SOURCE = "catalog topic";

    /** Why a document was refused; each is a label value of the refusal metric. */
    public enum Reason {
        /** No public key is configured: the catalog topic is off. */
        TOPIC_OFF,
        TOO_LARGE,
        UNSIGNED,
        BAD_SIGNATURE,
        NOT_UTF8,
        UNPARSEABLE,
        /** Signed and well formed, but it changes what only the catalog file may ({@link CatalogUpdateRules}). */
        NOT_ALLOWED
    }

    /** What became of one document. */
    public sealed interface Verdict {}

    /** @param document the document's text, to keep as the catalog in force */
    public record Accepted(String document, Catalog catalog) implements Verdict {}

    /** @param detail why, without the document's content (a parser's message about a signed document aside) */
    public record Refused(Reason reason, String detail) implements Verdict {}

    private final byte[] publicKey;
    private final CatalogUpdateRules rules;
    private transient PublicKey key;

    /** @param publicKey the operator's key, or null for the catalog topic off */
    public CatalogGate(PublicKey publicKey, CatalogUpdateRules rules) {
        this.publicKey = publicKey == null ? null : publicKey.getEncoded();
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** Whether documents from the topic can be accepted at all. */
    public boolean isOpen() {
        return publicKey != null;
    }

    /** The catalog file the job started with: in force until a document is accepted. */
    public Catalog startup() {
        return rules.startup();
    }

    /** Checks a record of the catalog topic: its value and its {@value CatalogSignature#HEADER} header (or null). */
    public Verdict check(byte[] document, byte[] signature) {
        if (!isOpen()) {
            return new Refused(Reason.TOPIC_OFF, "no control-plane.public-key is configured");
        }
        if (document.length > MAX_DOCUMENT_BYTES) {
            return new Refused(Reason.TOO_LARGE, document.length + " bytes, over " + MAX_DOCUMENT_BYTES);
        }
        if (signature == null) {
            return new Refused(Reason.UNSIGNED, "no " + CatalogSignature.HEADER + " header");
        }
        if (!CatalogSignature.verifies(key(), document, signature)) {
            return new Refused(Reason.BAD_SIGNATURE, "the signature does not verify with the configured key");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(document)).toString();
        } catch (CharacterCodingException e) {
            return new Refused(Reason.NOT_UTF8, "not UTF-8");
        }
        return recheck(text);
    }

    /**
     * Checks a document accepted before, kept in the job's state: against this job's rules, which a restart with
     * another catalog file or allowlist may have changed. Its signature was checked when it arrived.
     */
    public Verdict recheck(String document) {
        if (!isOpen()) {
            return new Refused(Reason.TOPIC_OFF, "no control-plane.public-key is configured");
        }
        Catalog catalog;
        try {
            catalog = Catalog.parse(document, SOURCE);
        } catch (IllegalArgumentException e) {
            return new Refused(Reason.UNPARSEABLE, e.getMessage());
        }
        return rules.refusal(catalog).<Verdict>map(why -> new Refused(Reason.NOT_ALLOWED, why))
                .orElseGet(() -> new Accepted(document, catalog));
    }

    private PublicKey key() {
        if (key == null) {
            key = CatalogKeys.publicKey(publicKey, "control-plane.public-key");
        }
        return key;
    }
}
