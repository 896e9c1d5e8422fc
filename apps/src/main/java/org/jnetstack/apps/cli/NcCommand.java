package org.jnetstack.apps.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.jnetstack.apps.nc.NetcatSession;
import org.jnetstack.wire.Ipv4Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jns nc}: netcat over the stack's TCP. */
@Command(name = "nc",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        header = "Connect or listen with TCP over the stack, like nc(1).",
        description = {
            "Brings the stack up on a TAP interface, then either connects to HOST PORT or, with -l, waits for"
                + " one connection on PORT. Standard input goes to the connection and the connection to standard"
                + " output; end of input half-closes the connection (sends FIN). Exits when both directions are"
                + " done.",
            "Exit status: 0 when both directions finished, 1 when the connection failed (refused, reset, timed"
                + " out), 2 on a usage error.",
            ""
        },
        footer = {
            "",
            "Without root, on the user-mode network (10.0.2.2 is the host's 127.0.0.1; there: nc -l 5000):",
            "  ./jns nc 10.0.2.2 5000 < file",
            "Examples, as root, with a TAP jns0 whose kernel side has 10.0.0.1/24 and is up:",
            "  ./jns nc --tap jns0 --ip 10.0.0.2/24 10.0.0.1 5000 < file      (the kernel runs: nc -l 5000)",
            "  ./jns nc --tap jns0 --ip 10.0.0.2/24 -l 5000 > file            (the kernel runs: nc -N 10.0.0.2 5000 < file)"
        })
final class NcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions;

    @Option(names = "-l", description = "Listen for one connection on PORT instead of connecting.")
    boolean listen;

    @Option(names = "-v", description = "Say when the connection is made (on standard error), like nc -v.")
    boolean verbose;

    @Parameters(paramLabel = "HOST PORT", arity = "1..2",
            description = "HOST (IPv4 address) and PORT to connect to; with -l only the PORT to listen on.")
    List<String> target;

    /** The session's streams: the process's standard streams, unbuffered (tests replace them). */
    InputStream stdin = new FileInputStream(FileDescriptor.in);
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);

    @Override
    public Integer call() throws Exception {
        stackOptions.validate();
        Ipv4Address host = null;
        int port;
        if (listen) {
            if (target.size() != 1) {
                throw new ParameterException(spec.commandLine(), "With -l give only the PORT to listen on, like: nc -l 5000");
            }
            port = port(target.get(0));
        } else {
            if (target.size() != 2) {
                throw new ParameterException(spec.commandLine(), "Missing PORT: expected HOST PORT, like: nc 10.0.0.1 5000"
                        + " (or -l PORT to listen)");
            }
            try {
                host = new Converters.Ipv4AddressConverter().convert(target.get(0));
            } catch (RuntimeException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            port = port(target.get(1));
            if (!stackOptions.mayReach(host)) {
                throw new ParameterException(spec.commandLine(), "Network is unreachable: " + host
                        + " is not on the network of --ip " + stackOptions.ip() + " and no --gateway was given.");
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        try (StackLauncher launcher = StackLauncher.start(stackOptions, "nc", null)) {
            // On Ctrl-C/SIGTERM close the stack first, so that a --pcap file is complete; within
            // STOP_GRACE, as jns run, whatever state the loop is in.
            Thread hook = new Thread(() -> StackFailure.stopWithin(RunCommand.STOP_GRACE, launcher::close, err),
                    "jns-nc-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            NetcatSession session = new NetcatSession(launcher.stack(), stdin, stdout, err, verbose);
            Ipv4Address to = host;
            try {
                return launcher.runUntilFailure(() -> listen ? session.listen(port) : session.connect(to, port));
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs now and closes the launcher
                }
            }
        }
    }

    private int port(String value) {
        try {
            return new Converters.PortConverter().convert(value);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
