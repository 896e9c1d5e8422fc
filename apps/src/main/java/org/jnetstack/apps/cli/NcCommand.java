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
import org.jnetstack.dns.DnsResult;
import org.jnetstack.wire.DnsMessage;
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
                + " one connection on PORT. HOST is an IPv4 or IPv6 address or a name; a name is tried over both"
                + " families at once (Happy Eyeballs, RFC 8305) unless -4 or -6 picks one. -l takes both"
                + " families; -l -6 IPv6 only, -l -4 IPv4 only. Standard input goes to the connection and the connection to standard"
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
            "  ./jns nc --tap jns0 --ip 10.0.0.2/24 -l 5000 > file            (the kernel runs: nc -N 10.0.0.2 5000 < file)",
            "Over IPv6 (the kernel side has fd00::1/64):",
            "  ./jns nc --tap jns0 --ip6 fd00::2/64 [fd00::1]:5000 < file     (the kernel runs: nc -6 -l 5000)",
            "  ./jns nc --tap jns0 --ip6 fd00::2/64 -6 -l 5000 > file         (the kernel runs: nc -6 -N fd00::2 5000 < file)"
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

    @Option(names = "-4", description = "IPv4 only.")
    boolean ipv4;

    @Option(names = "-6", description = "IPv6 only.")
    boolean ipv6;

    @Parameters(paramLabel = "HOST PORT", arity = "1..2",
            description = "HOST (IPv4 or IPv6 address, or a name) and PORT to connect to, or [IPv6]:PORT / HOST:PORT;"
                    + " with -l only the PORT to listen on.")
    List<String> target;

    /** The session's streams: the process's standard streams, unbuffered (tests replace them). */
    InputStream stdin = new FileInputStream(FileDescriptor.in);
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);

    @Override
    public Integer call() throws Exception {
        stackOptions.validate();
        if (ipv4 && ipv6) {
            throw new ParameterException(spec.commandLine(), "Give -4 or -6, not both.");
        }
        int family = ipv4 ? 4 : ipv6 ? 6 : 0;
        if (family == 6 && !stackOptions.ipv6()) {
            throw new ParameterException(spec.commandLine(), "-6 needs IPv6, which --no-ipv6 turns off.");
        }
        HostTarget host = null;
        int port;
        if (listen) {
            if (target.size() != 1) {
                throw new ParameterException(spec.commandLine(), "With -l give only the PORT to listen on, like: nc -l 5000");
            }
            port = port(target.get(0));
        } else {
            String[] hp = target.size() == 1 ? HostTarget.splitHostPort(target.get(0)) : target.toArray(String[]::new);
            if (hp == null || hp.length != 2) {
                throw new ParameterException(spec.commandLine(), "Missing PORT: expected " + HostTarget.WITH_PORT_FORMS
                        + " (or -l PORT to listen)");
            }
            try {
                host = HostTarget.parse(hp[0]);
                host.checkFamily(family);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            port = port(hp[1]);
            if (host.literal() instanceof java.net.Inet4Address && stackOptions.ip() != null
                    && !stackOptions.mayReach(Ipv4Address.of(host.literal()))) {
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
            HostTarget to = host;
            try {
                return launcher.runUntilFailure(() -> listen ? listen(launcher, session, family, port)
                        : connect(launcher, session, to, family, port, err));
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs now and closes the launcher
                }
            }
        }
    }

    private int listen(StackLauncher launcher, NetcatSession session, int family, int port) throws InterruptedException {
        if (family == 4) {
            int own = launcher.stack().iface().address(); // IPv4 only: on the interface's address
            return session.listen(org.jnetstack.wire.Ipv6Address.v4Mapped(own), false, port);
        }
        return session.listen(null, family == 6, port);
    }

    /** A literal directly; a name by Happy Eyeballs over both families, or over the one -4/-6 picks. */
    private int connect(StackLauncher launcher, NetcatSession session, HostTarget host, int family, int port, PrintWriter err)
            throws Exception {
        if (!host.isName()) {
            return session.connect(host.host(), List.of(host.literal()), null, port);
        }
        if (family == 0) {
            return session.connect(host.host(), null, launcher.resolver(), port);
        }
        DnsResult r = launcher.resolver().query(host.host(), family == 6 ? DnsMessage.TYPE_AAAA : DnsMessage.TYPE_A);
        if (!r.ok()) {
            err.println("nc: " + r.message());
            err.flush();
            return NetcatSession.FAILED;
        }
        return session.connect(host.host(), r.addresses(), null, port);
    }

    private int port(String value) {
        try {
            return new Converters.PortConverter().convert(value);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
