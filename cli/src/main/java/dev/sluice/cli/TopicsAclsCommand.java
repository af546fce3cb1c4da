package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Tenancy;
import dev.sluice.config.Topics;
import dev.sluice.security.KafkaAclsScript;
import dev.sluice.security.TenantAcls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice topics acls}: the {@code kafka-acls.sh} lines that grant a tenant, the pipeline or the operator
 * what {@link TenantAcls} says it needs, for the topics of the given configuration. Prints; changes nothing.
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
        description = "Print the kafka-acls.sh commands that grant a tenant, the pipeline or the operator their "
                + "access to Sluice's topics (kafka.tenancy: topic only).")
final class TopicsAclsCommand implements Callable<Integer> {

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    List<TenantPrincipal> tenants = new ArrayList<>();

    @Option(names = "--pipeline", paramLabel = "PRINCIPAL", description = "the jobs' principal, e.g. User:sluice")
    String pipeline;

    @Option(names = "--operator", paramLabel = "PRINCIPAL", description = "the operator's principal, e.g. User:ops")
    String operator;

    @Option(names = "--command-config", defaultValue = "admin.properties",
            description = "the admin client's properties file the lines pass on (default: ${DEFAULT-VALUE})")
    String commandConfig;

    /** One tenant and the principal that acts for it. */
    static final class TenantPrincipal {
        @Option(names = "--tenant", required = true, description = "a tenant, e.g. acme")
        String tenant;

        @Option(names = "--principal", required = true, description = "its principal, e.g. User:acme")
        String principal;
    }

    @Override
    public Integer call() {
        SluiceConfig settings = SluiceConfig.load(config);
        Topics topics = settings.kafka().topics();
        if (topics.tenancy() != Tenancy.topic) {
            System.err.println("kafka.tenancy is " + topics.tenancy() + ": every tenant shares one topic of each "
                    + "kind, so ACLs cannot separate tenants. Set kafka.tenancy: topic.");
            return 2;
        }
        if (tenants.isEmpty() && pipeline == null && operator == null) {
            System.err.println("name at least one of --tenant with --principal, --pipeline, --operator");
            return 2;
        }
        TenantAcls acls = new TenantAcls(topics);
        List<AclBinding> bindings = new ArrayList<>();
        tenants.forEach(t -> bindings.addAll(acls.tenant(t.tenant, t.principal)));
        if (pipeline != null) {
            bindings.addAll(acls.pipeline(pipeline));
        }
        if (operator != null) {
            bindings.addAll(acls.operator(operator));
        }
        new KafkaAclsScript(settings.kafka().bootstrapServers(), commandConfig).lines(bindings)
                .forEach(System.out::println);
        return 0;
    }
}
