package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.routing.CatalogGate.Accepted;
import dev.sluice.routing.CatalogGate.Reason;
import dev.sluice.routing.CatalogGate.Refused;
import dev.sluice.routing.CatalogGate.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tests for {@link CatalogGate}. */
class CatalogGateTest {

    private static final KeyPair OPERATOR = CatalogKeys.generate();
    private static final String STARTUP = """
            models:
              - {id: chat, family: F, vendor: V, origin: US, params-b: 8, context: 8192, license: mit,
                 commercial: yes, japanese: good, deployment: {endpoint: "triton-a:8001"}}
            policies:
              acme: {commercial: true, monthly-active-users: 1000}
            """;
    private static final CatalogUpdateRules RULES = new CatalogUpdateRules(Catalog.parse(STARTUP, "startup"), Set.of());

    private final CatalogGate gate = new CatalogGate(OPERATOR.getPublic(), RULES);

    @Test
    void aSignedDocumentWithinTheRulesIsAccepted() {
        String update = STARTUP.replace("monthly-active-users: 1000", "monthly-active-users: 5");

        assertThat(signedCheck(update)).isInstanceOfSatisfying(Accepted.class, accepted -> {
            assertThat(accepted.document()).isEqualTo(update);
            assertThat(accepted.catalog().policy("acme").orElseThrow().monthlyActiveUsers()).isEqualTo(5);
        });
    }

    @Test
    void withoutAPublicKeyEveryDocumentIsRefused() {
        CatalogGate closed = new CatalogGate(null, RULES);

        assertThat(closed.isOpen()).isFalse();
        assertThat(reason(closed.check(bytes(STARTUP), sign(bytes(STARTUP))))).isEqualTo(Reason.TOPIC_OFF);
        assertThat(reason(closed.recheck(STARTUP))).isEqualTo(Reason.TOPIC_OFF);
    }

    @Test
    void unsignedAndWronglySignedDocumentsAreRefused() {
        byte[] document = bytes(STARTUP);
        byte[] otherKeys = CatalogSignature.sign(CatalogKeys.generate().getPrivate(), document);

        assertThat(reason(gate.check(document, null))).isEqualTo(Reason.UNSIGNED);
        assertThat(reason(gate.check(document, otherKeys))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reason(gate.check(bytes(STARTUP + "# edited\n"), sign(document)))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void anOversizedDocumentIsRefusedBeforeItsSignatureIsChecked() {
        byte[] huge = new byte[CatalogGate.MAX_DOCUMENT_BYTES + 1];

        assertThat(reason(gate.check(huge, sign(huge)))).isEqualTo(Reason.TOO_LARGE);
    }

    @Test
    void invalidUtf8IsRefusedEvenWhenSigned() {
        byte[] document = bytes(STARTUP);
        document[document.length - 2] = (byte) 0xC3;

        assertThat(reason(gate.check(document, sign(document)))).isEqualTo(Reason.NOT_UTF8);
    }

    @Test
    void aBillionLaughsIsRefusedNotExpanded() {
        String laughs = """
                a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
                b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
                models: [*d, *d, *d, *d, *d, *d, *d, *d, *d]
                """;

        Verdict verdict = signedCheck(laughs);

        assertThat(verdict).isInstanceOfSatisfying(Refused.class, refused -> {
            assertThat(refused.reason()).isEqualTo(Reason.UNPARSEABLE);
            assertThat(refused.detail()).contains("aliases");
        });
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "policies: {acme: {vendor-licenses: " + "[".repeat(10_000) + "]".repeat(10_000) + "}}\n";

        assertThat(reason(signedCheck(deep))).isEqualTo(Reason.UNPARSEABLE);
    }

    @Test
    void aSignedDocumentThatDoesNotParseOrBreaksTheRulesIsRefused() {
        assertThat(reason(signedCheck("models: [ {id: broken"))).isEqualTo(Reason.UNPARSEABLE);
        assertThat(reason(signedCheck(STARTUP.replace("triton-a:8001", "attacker.example:8001"))))
                .isEqualTo(Reason.NOT_ALLOWED);
        assertThat(reason(signedCheck(STARTUP.replace("acme: {commercial: true, monthly-active-users: 1000}",
                "{}")))).isEqualTo(Reason.NOT_ALLOWED);
    }

    @Test
    void aStoredDocumentIsCheckedAgainstTheRulesOfTheJobThatRestoresIt() {
        String moved = STARTUP.replace("triton-a:8001", "triton-b:8001");
        CatalogGate allowing = new CatalogGate(OPERATOR.getPublic(),
                new CatalogUpdateRules(RULES.startup(), Set.of("triton-b:8001")));

        assertThat(allowing.recheck(moved)).isInstanceOf(Accepted.class);
        assertThat(reason(gate.recheck(moved))).isEqualTo(Reason.NOT_ALLOWED);
    }

    @Test
    void theGateTravelsSerializedWithItsKey() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(gate);
        }
        CatalogGate copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            copy = (CatalogGate) in.readObject();
        }

        byte[] document = bytes(STARTUP);
        assertThat(copy.check(document, sign(document))).isInstanceOf(Accepted.class);
        assertThat(reason(copy.check(document, null))).isEqualTo(Reason.UNSIGNED);
    }

    private Verdict signedCheck(String yaml) {
        byte[] document = bytes(yaml);
        return gate.check(document, sign(document));
    }

    private static byte[] sign(byte[] document) {
        return CatalogSignature.sign(OPERATOR.getPrivate(), document);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Reason reason(Verdict verdict) {
        assertThat(verdict).isInstanceOf(Refused.class);
        return ((Refused) verdict).reason();
    }
}
