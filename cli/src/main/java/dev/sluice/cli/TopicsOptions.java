package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Tenancy;
import dev.sluice.config.TopicSpec;
import dev.sluice.config.TopicSpecs;
import dev.sluice.launch.TopicAudit;
import dev.sluice.routing.Catalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/** What {@code sluice topics create} and {@code sluice topics check} share: the configuration and its topics. */
final class TopicsOptions {

    @Option(names = "--config", description = "configuration file; SLUICE_* environment variables override its keys "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    SluiceConfig settings() {
        return SluiceConfig.load(config);
    }

    /**
     * Every topic of the deployment: the shared ones and, with {@code kafka.tenancy: topic}, those of each tenant
     * the catalog has a licence policy for (a tenant without one is refused anyway) and of each tenant that has any
     * topic on the cluster already, so that one made in part is completed, or reported.
     */
    List<TopicSpec> specs(SluiceConfig settings, TopicAudit audit) {
        TopicSpecs specs = TopicSpecs.of(settings);
        if (specs.topics().tenancy() != Tenancy.topic) {
            return specs.shared();
        }
        Set<String> tenants = new TreeSet<>(Catalog.load(settings.catalogPath(config)).policies().keySet());
        tenants.addAll(audit.tenantsWithTopics(specs.topics()));
        return specs.all(tenants);
    }
}
