package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code ./jns}. Exit status: 0 success, 1 failure (for {@code ping}: no reply),
 * 2 usage error (unknown or malformed option, missing required option).
 */
public final class Main {
    /** Exit status of a usage error, as for most Unix tools. */
    public static final int USAGE = 2;
    /** Exit status when the command could not do its work. */
    public static final int FAILURE = 1;

    private Main() {
    }

    public static void main(String[] args) {
        int status = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(status);
    }

    /** Runs the command line {@code args}, printing to {@code out} and {@code err}; returns the exit status. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new JnsCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(e, commandLine.getErr()));
        cl.getSubcommands().get("java").setStopAtPositional(true); // the program's own options follow MAINCLASS
        // ... or JARFILE: with -jar, an option jns does not know is the program's first argument
        cl.getSubcommands().get("java").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    /** A usage error: the problem, the command's synopsis, and where to read more. Exit 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("jns: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.print("Usage: " + cl.getHelp().synopsis("Usage: ".length()));
        err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for details.");
        err.flush();
        return USAGE;
    }

    /** The command could not do its work (no TAP permission, device missing, ...): say why, exit 1. */
    static int failure(Exception e, PrintWriter err) {
        if (e instanceof StackFailure.Failed f) {
            StackFailure.report(f.fatal(), err); // the stack failed: one line, whatever the command
            return FAILURE;
        }
        err.println("jns: " + describe(e));
        if (System.getenv("JNS_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
