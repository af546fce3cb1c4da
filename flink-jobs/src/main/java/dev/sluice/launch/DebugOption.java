package dev.sluice.launch;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code --debug}, for a top-level command and, inherited, each of its subcommands: see {@link OneLineErrors}. */
public final class DebugOption {

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "on an error, print its stack trace after the one-line message (also SLUICE_DEBUG=1)")
    boolean on;

    /** Whether the command line asked for stack traces. */
    public boolean on() {
        return on;
    }
}
