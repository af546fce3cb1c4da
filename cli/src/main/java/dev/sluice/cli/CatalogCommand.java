package dev.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluice catalog}: the operator's control plane, signed catalog documents for running pipelines. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Steer running pipelines: make the operator's signing key pair, and sign and publish a catalog "
                + "to the catalog topic.",
        subcommands = {CatalogKeygenCommand.class, CatalogPublishCommand.class})
final class CatalogCommand {
}
