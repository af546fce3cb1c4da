package dev.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluice topics}: what an operator sets up on the Kafka cluster for Sluice's topics. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "The Kafka side of Sluice's topics: create and check them, and the ACLs tenants, the pipeline "
                + "and the operator need.",
        subcommands = {TopicsCreateCommand.class, TopicsCheckCommand.class, TopicsAclsCommand.class})
final class TopicsCommand {
}
