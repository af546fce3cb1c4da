package dev.sluice.cli;

import dev.sluice.config.Price;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every {@code sluice bulk} command shares: where the pipeline is, and whose run. */
final class RunOptions {

    @Spec(Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--tenant", defaultValue = "${env:SLUICE_TENANT}",
            description = "the tenant the run belongs to (default: $SLUICE_TENANT)")
    String tenant;

    SluiceConfig settings() throws IOException {
        if (tenant == null || tenant.isBlank()) {
            throw new ParameterException(spec.commandLine(), "give the run's tenant: --tenant or SLUICE_TENANT");
        }
        return SluiceConfig.load(config);
    }

    /** The catalog's reference price of a hosted batch API, for a run's report; null where there is none. */
    Price referencePrice(SluiceConfig settings) {
        return Catalog.loadIfPresent(settings.catalogPath(config)).map(Catalog::referencePrice).orElse(null);
    }
}
