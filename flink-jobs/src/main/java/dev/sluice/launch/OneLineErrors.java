package dev.sluice.launch;

import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How the command line reports a failure: one line on standard error, {@code sluice <command>: <message>}, and a
 * non-zero exit code; the stack trace only when {@code debug} holds. An operator reads the line; a stack trace is
 * for whoever debugs Sluice itself.
 */
public final class OneLineErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    /** The exit code of a command that failed with an exception. */
    static final int FAILED = 1;

    private final BooleanSupplier debug;

    OneLineErrors(BooleanSupplier debug) {
        this.debug = debug;
    }

    /**
     * The command line of {@code command}, a top-level command, reporting every error on one line, with the stack
     * trace where its {@code debugOption} ({@link DebugOption}) or {@code SLUICE_DEBUG=1} asks for it.
     */
    public static CommandLine commandLine(Object command, BooleanSupplier debugOption) {
        OneLineErrors errors = new OneLineErrors(
                () -> debugOption.getAsBoolean() || "1".equals(System.getenv("SLUICE_DEBUG")));
        return new CommandLine(command).setExecutionExceptionHandler(errors).setParameterExceptionHandler(errors);
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + message(e));
        if (debug.getAsBoolean()) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILED;
    }

    /** An invalid command line: the reason and where the usage is, rather than the whole usage. */
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        PrintWriter err = command.getErr();
        err.println(name + ": " + oneLine(e.getMessage()) + " (see: " + name + " --help)");
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The messages down the cause chain, joined with {@code ": "}, each only where the ones before do not already
     * say it (wrappers often repeat their cause's). An {@link IllegalArgumentException}'s message ends the chain:
     * Sluice's configuration errors say there what is wrong and where (file, key, line), and their causes are the
     * parser's long form of the same.
     */
    static String message(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = cause instanceof FileSystemException file && file.getReason() == null
                    // Its message is only the file's name; what happened to it is the class.
                    ? cause.getClass().getSimpleName() + " " + file.getFile()
                    : cause.getMessage() == null ? "" : oneLine(cause.getMessage());
            // These only carry their cause, and their message is its toString().
            boolean wrapper = cause instanceof ExecutionException || cause instanceof CompletionException;
            if (!message.isEmpty() && !wrapper && parts.stream().noneMatch(part -> part.contains(message))) {
                parts.add(message);
            }
            if (cause instanceof IllegalArgumentException && !parts.isEmpty()) {
                break;
            }
        }
        return parts.isEmpty() ? e.getClass().getName() : String.join(": ", parts);
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
