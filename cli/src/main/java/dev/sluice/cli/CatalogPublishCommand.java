package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogPublisher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice catalog publish}: signs a catalog and publishes it; running pipelines switch to it. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Sign a catalog with the operator's private key and publish it to the catalog topic; running "
                + "pipelines switch to it without a restart. Refused (exit 1, with the reason) when the job would "
                + "refuse it: a deployment other than the catalog file's (outside control-plane.allowed-endpoints), "
                + "no tenant policies, or no deployed model.")
final class CatalogPublishCommand implements Callable<Integer> {

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--key", required = true, description = "the private key (PKCS#8 PEM, from 'catalog keygen')")
    Path key;

    @Option(names = "--file", description = "the catalog to publish (default: the configuration's catalog file)")
    Path file;

    @Override
    public Integer call() {
        try {
            SluiceConfig settings = SluiceConfig.load(config);
            Path catalogFile = file != null ? file : settings.catalogPath(config);
            Catalog catalog = Catalog.load(catalogFile);
            CatalogPublisher.forJob(settings, config, key).publish(catalog);
            System.out.println("published " + catalogFile + " to " + settings.kafka().topics().catalog() + ": "
                    + catalog.deployed().size() + " deployed models, " + catalog.policies().size()
                    + " tenant policies");
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }
}
