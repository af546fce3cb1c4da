package dev.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluice bulk}: named bulk runs over a file of prompts, as a batch API offers them. */
@Command(name = "bulk", mixinStandardHelpOptions = true,
        description = "Bulk translation, summarisation or custom prompts from a JSONL/CSV file or a folder: submit a "
                + "run, follow it, collect its results in input order, or cancel it.",
        subcommands = {BulkSubmitCommand.class, BulkStatusCommand.class, BulkCollectCommand.class,
            BulkCancelCommand.class})
final class BulkCommand {
}
