package dev.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.Tenancy;
import dev.sluice.config.Topics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** Tests for {@link TenantAcls} and {@link KafkaAclsScript}. */
class TenantAclsTest {

    private static final TenantAcls ACLS = new TenantAcls(new Topics("sluice", Tenancy.topic));
    private static final KafkaAclsScript SCRIPT = new KafkaAclsScript("\"$BOOTSTRAP\"", "admin.properties");

    @Test
    void aTenantsTopicsAreGrantedByExactNameSoNoOtherTenantMatches() {
        List<AclBinding> acme = ACLS.tenant("acme", "User:acme");

        assertThat(acme).filteredOn(b -> b.pattern().resourceType() == ResourceType.TOPIC)
                .allSatisfy(b -> assertThat(b.pattern().patternType()).isEqualTo(PatternType.LITERAL))
                .extracting(b -> b.pattern().name())
                .containsOnly("sluice.prompts.acme", "sluice.runs.commands.acme", "sluice.completions.acme",
                        "sluice.metrics.acme", "sluice.rejects.acme", "sluice.runs.acme");
        assertThat(acme).filteredOn(b -> b.pattern().resourceType() == ResourceType.GROUP)
                .extracting(b -> b.pattern().name()).containsExactly("sluice.acme.");
    }

    @Test
    void rendersOneKafkaAclsLinePerResource() {
        assertThat(SCRIPT.lines(ACLS.tenant("acme", "User:acme"))).startsWith(
                "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config admin.properties --add "
                        + "--allow-principal User:acme --operation Write --operation Read "
                        + "--topic sluice.prompts.acme --resource-pattern-type literal",
                "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config admin.properties --add "
                        + "--allow-principal User:acme --operation Write "
                        + "--topic sluice.runs.commands.acme --resource-pattern-type literal");
        assertThat(SCRIPT.lines(ACLS.pipeline("User:sluice"))).contains(
                "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config admin.properties --add "
                        + "--allow-principal User:sluice --operation Write "
                        + "--transactional-id sluice- --resource-pattern-type prefixed",
                "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config admin.properties --add "
                        + "--allow-principal User:sluice --operation DescribeConfigs "
                        + "--topic sluice. --resource-pattern-type prefixed");
    }

    @Test
    void onlyTheOperatorWritesTheCatalog() {
        assertThat(ACLS.operator("User:ops")).anyMatch(b -> b.pattern().name().equals("sluice.catalog")
                && b.entry().operation().name().equals("WRITE"));
        assertThat(ACLS.pipeline("User:sluice")).noneMatch(b -> b.pattern().name().startsWith("sluice.catalog")
                && b.entry().operation().name().equals("WRITE"));
    }

    @Test
    void usageAcrossTenantsIsWrittenByTheJobsAndReadByTheOperatorOnly() {
        assertThat(ACLS.pipeline("User:sluice")).anyMatch(b -> b.pattern().name().equals("sluice.usage")
                && b.entry().operation().name().equals("WRITE"));
        assertThat(ACLS.operator("User:ops")).anyMatch(b -> b.pattern().name().equals("sluice.usage")
                && b.entry().operation().name().equals("READ"));
        assertThat(ACLS.tenant("acme", "User:acme")).noneMatch(b -> "sluice.usage".startsWith(b.pattern().name()));
    }

    @Test
    void refusesSharedTopicsAndBarePrincipals() {
        assertThatThrownBy(() -> new TenantAcls(new Topics("sluice", Tenancy.record)))
                .hasMessageContaining("ACLs cannot separate them");
        assertThatThrownBy(() -> ACLS.tenant("acme", "acme")).hasMessageContaining("User:<name>");
        assertThatThrownBy(() -> ACLS.tenant("acme.retail", "User:acme")).hasMessageContaining("cannot name topics");
    }
}
