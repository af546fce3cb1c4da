package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tests for {@link CatalogUpdateRules}. */
class CatalogUpdateRulesTest {

    /** Two deployed models, one with TLS and a bearer token, and one not deployed. */
    private static final String STARTUP = """
            models:
              - {id: chat, family: F, vendor: V, origin: US, params-b: 8, context: 8192, license: mit,
                 commercial: yes, japanese: good, use-cases: [japanese-chat],
                 deployment: {backend: triton, endpoint: "triton-a:8001",
                              tls: {ca-certificate: /etc/sluice/ca.pem},
                              auth: {bearer-token-file: /etc/sluice/triton-token}}}
              - {id: code, family: F, vendor: V, origin: US, params-b: 7, context: 8192, license: mit,
                 commercial: yes, japanese: moderate, use-cases: [code],
                 deployment: {backend: sglang-smg, endpoint: "sglang-a:30000"}}
              - {id: spare, family: F, vendor: V, origin: US, params-b: 3, context: 8192, license: mit,
                 commercial: yes, japanese: moderate}
            policies:
              acme: {commercial: true, monthly-active-users: 1000}
              globex: {commercial: true, monthly-active-users: 1000}
            """;

    private final CatalogUpdateRules rules =
            new CatalogUpdateRules(Catalog.parse(STARTUP, "startup"), Set.of("triton-b:8001", "spare:8001"));

    @Test
    void theStartupCatalogItselfIsAccepted() {
        assertThat(rules.refusal(update(STARTUP))).isEmpty();
    }

    @Test
    void aPurePolicyChangeIsAccepted() {
        assertThat(rules.refusal(update(STARTUP.replace("globex: {commercial: true, monthly-active-users: 1000}",
                "globex: {commercial: false, monthly-active-users: 10}")))).isEmpty();
    }

    @Test
    void modelMetadataMayChange() {
        assertThat(rules.refusal(update(STARTUP.replace("use-cases: [code]", "use-cases: [code, summarize]"))))
                .isEmpty();
    }

    @Test
    void takingOneModelOutOfRotationIsAccepted() {
        assertThat(rules.refusal(update(STARTUP.replace(
                "deployment: {backend: sglang-smg, endpoint: \"sglang-a:30000\"}", "")))).isEmpty();
    }

    @Test
    void anEndpointRedirectIsRefused() {
        assertThat(rules.refusal(update(STARTUP.replace("sglang-a:30000", "attacker.example:30000"))))
                .hasValueSatisfying(why -> assertThat(why).contains("model code").contains("endpoint")
                        .doesNotContain("attacker"));
    }

    @Test
    void anAddedReplicaOutsideTheAllowlistIsRefused() {
        assertThat(rules.refusal(update(STARTUP.replace("endpoint: \"sglang-a:30000\"",
                "endpoint: \"sglang-a:30000\", replicas: [\"attacker.example:30000\"]"))))
                .hasValueSatisfying(why -> assertThat(why).contains("replicas"));
    }

    /** A fleet member has settings and secrets of its own: it comes from the file, even at an allowlisted address. */
    @Test
    void anAddedFleetMemberIsRefusedEvenAtAnAllowlistedAddress() {
        assertThat(rules.refusal(update(STARTUP.replace("endpoint: \"sglang-a:30000\"",
                "endpoint: \"sglang-a:30000\", fleet: [{backend: openai, endpoint: \"spare:8001\", served-name: m, "
                        + "auth: {bearer-token-file: /etc/shadow}}]"))))
                .hasValueSatisfying(why -> assertThat(why).contains("model code").contains("fleet")
                        .doesNotContain("shadow"));
    }

    @Test
    void credentialsFromAnotherFileAreRefused() {
        assertThat(rules.refusal(update(STARTUP.replace("bearer-token-file: /etc/sluice/triton-token",
                "bearer-token-file: /etc/shadow"))))
                .hasValueSatisfying(why -> assertThat(why).contains("model chat").contains("auth")
                        .doesNotContain("shadow"));
    }

    @Test
    void credentialsAddedToAPlaintextDeploymentAreRefused() {
        assertThat(rules.refusal(update(STARTUP.replace("endpoint: \"sglang-a:30000\"",
                "endpoint: \"sglang-a:30000\", auth: {headers: {x-key: \"file:/etc/shadow\"}}"))))
                .hasValueSatisfying(why -> assertThat(why).contains("auth"));
    }

    @Test
    void aTlsChangeIsRefused() {
        assertThat(rules.refusal(update(STARTUP.replace("/etc/sluice/ca.pem", "/tmp/their-ca.pem"))))
                .hasValueSatisfying(why -> assertThat(why).contains("tls"));
    }

    @Test
    void deployingAModelTheFileDoesNotDeployIsRefusedOutsideTheAllowlist() {
        assertThat(rules.refusal(update(STARTUP.replace("japanese: moderate}\npolicies",
                "japanese: moderate, deployment: {endpoint: \"elsewhere:8001\"}}\npolicies"))))
                .hasValueSatisfying(why -> assertThat(why).contains("model spare"));
    }

    @Test
    void anEndpointMayMoveWithinTheAllowlistKeepingTheFilesSecrets() {
        assertThat(rules.refusal(update(STARTUP.replace("triton-a:8001", "triton-b:8001")))).isEmpty();
        assertThat(rules.refusal(update(STARTUP.replace("japanese: moderate}\npolicies",
                "japanese: moderate, deployment: {endpoint: \"spare:8001\"}}\npolicies")))).isEmpty();
    }

    @Test
    void anAllowlistedMoveMayNotBringOtherSecrets() {
        assertThat(rules.refusal(update(STARTUP.replace("triton-a:8001", "triton-b:8001")
                .replace("/etc/sluice/triton-token", "/etc/shadow"))))
                .hasValueSatisfying(why -> assertThat(why).contains("endpoint").contains("auth"));
        assertThat(rules.refusal(update(STARTUP.replace("japanese: moderate}\npolicies",
                "japanese: moderate, deployment: {endpoint: \"spare:8001\", tokenizer: /etc}}\npolicies"))))
                .isPresent();
    }

    @Test
    void noPoliciesAreRefused() {
        assertThat(rules.refusal(update(STARTUP.substring(0, STARTUP.indexOf("policies:")) + "policies: {}\n")))
                .hasValue("it has no tenant policies");
    }

    @Test
    void noDeploymentsAreRefused() {
        assertThat(rules.refusal(update("""
                models:
                  - {id: chat, family: F, vendor: V, origin: US, params-b: 8, context: 8192, license: mit,
                     commercial: yes, japanese: good}
                policies:
                  acme: {commercial: true, monthly-active-users: 1000}
                """))).hasValue("it deploys no model");
        assertThat(rules.refusal(update("models: []\npolicies: {acme: {commercial: true}}\n")))
                .hasValue("it deploys no model");
    }

    private static Catalog update(String yaml) {
        return Catalog.parse(yaml, "update");
    }
}
