package org.jnetstack.apps.cli;

import org.jnetstack.apps.appliance.InterfaceAddress;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.net.InetAddress;
import org.jnetstack.dns.DnsResult;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jns ping}: ICMP echo from the stack, printed like iputils ping(8). */
@Command(name = "ping",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        header = "Ping a host from the stack, like ping(8).",
        description = {
            "Brings the stack up on a TAP interface and sends ICMP echo requests from it to HOST, printing"
                + " replies and statistics like ping(8). Without -c it runs until interrupted (Ctrl-C).",
            "HOST is an IPv4 address, an IPv6 address (pinged with ICMPv6; -6 is implied) or a name, resolved"
                + " to IPv4 (A) unless -6 asks for IPv6 (AAAA).",
            "Exit status: 0 when any reply came back, 1 when none did, 2 on a usage error.",
            ""
        },
        footer = {
            "",
            "Without root, on the user-mode network (10.0.2.2 is the gateway, 10.0.2.3 its DNS forwarder):",
            "  ./jns ping -c 3 10.0.2.2",
            "Example, as root, with a TAP jns0 whose kernel side has 10.0.0.1/24 and is up:",
            "  ./jns ping --tap jns0 --ip 10.0.0.2/24 -c 3 10.0.0.1",
            "Over IPv6, with the kernel side at fd00::1/64 (or its link-local address):",
            "  ./jns ping --tap jns0 --ip6 fd00::2/64 -c 3 fd00::1"
        })
final class PingCommand implements Callable<Integer> {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions;

    @Option(names = "-c", paramLabel = "COUNT", converter = Converters.CountConverter.class,
            description = "Stop after COUNT requests (default: until interrupted).")
    Integer count;

    @Option(names = "-i", paramLabel = "SECONDS", converter = Converters.SecondsConverter.class,
            description = "Wait SECONDS between requests (default: 1; decimals allowed, e.g. 0.2).")
    long intervalNanos = SECOND;

    @Option(names = "-s", paramLabel = "SIZE", converter = Converters.PayloadSizeConverter.class,
            description = "Bytes of data per request (default: 56, which makes 64 ICMP bytes).")
    int size = 56;

    @Option(names = "-W", paramLabel = "SECONDS", converter = Converters.SecondsConverter.class,
            description = "Wait at most SECONDS for each reply (default: 10).")
    long timeoutNanos = 10 * SECOND;

    @Option(names = "-4", description = "IPv4 only: resolve HOST to an IPv4 address (the default for names).")
    boolean ipv4;

    @Option(names = "-6", description = "IPv6 (ICMPv6): resolve HOST to an IPv6 address; implied by an IPv6 address.")
    boolean ipv6;

    @Parameters(paramLabel = "HOST", description = "IPv4 or IPv6 address, or host name, to ping.")
    String hostText;

    /** What the summary names: the host as given. */
    private String summaryHost;

    /** A name's address of the family asked for, by the stack's resolver; null (after saying why) when none. */
    private InetAddress resolve(StackLauncher launcher, String name, boolean v6) throws java.net.UnknownHostException {
        DnsResult r = launcher.resolver().query(name, v6 ? DnsMessage.TYPE_AAAA : DnsMessage.TYPE_A);
        if (!r.ok()) {
            spec.commandLine().getErr().println("ping: " + r.message());
            spec.commandLine().getErr().flush();
            return null;
        }
        return r.addresses().get(0);
    }

    @Override
    public Integer call() throws Exception {
        stackOptions.validate();
        if (ipv4 && ipv6) {
            throw new ParameterException(spec.commandLine(), "Give -4 or -6, not both.");
        }
        HostTarget target;
        try {
            target = HostTarget.parse(hostText);
            target.checkFamily(ipv4 ? 4 : ipv6 ? 6 : 0);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for HOST: " + e.getMessage());
        }
        boolean v6 = ipv6 || target.isIpv6();
        if (v6 && !stackOptions.ipv6()) {
            throw new ParameterException(spec.commandLine(), "Pinging " + hostText + " needs IPv6, which --no-ipv6 turns off.");
        }
        InterfaceAddress ip = stackOptions.ip();
        if (!v6 && !target.isName() && !stackOptions.mayReach(Ipv4Address.of(target.literal()))) {
            throw new ParameterException(spec.commandLine(), "Network is unreachable: " + target + " is not on the network of --ip "
                    + ip + " and no --gateway was given.");
        }
        PrintWriter out = spec.commandLine().getOut();
        PingStatistics stats = new PingStatistics();
        int status = Main.FAILURE;
        Interruption interruption = null;
        try {
            long elapsedMillis;
            try (StackLauncher launcher = StackLauncher.start(stackOptions, "ping", null)) {
                InetAddress address = target.literal() != null ? target.literal() : resolve(launcher, target.host(), v6);
                if (address == null) {
                    return Main.FAILURE;
                }
                String shown = address.getHostAddress();
                if (v6) {
                    shown = Ipv6Address.of(address).toString();
                    out.println(PingStatistics.header6(target.host(), shown, size));
                } else {
                    out.println(PingStatistics.header(target.host(), shown, size));
                }
                out.flush();
                PingRun.Settings settings = new PingRun.Settings(v6 ? 0 : Ipv4Address.of(address).bits(),
                        v6 ? Ipv6Address.of(address) : null, count == null ? 0 : count, intervalNanos, size, timeoutNanos,
                        (int) (ProcessHandle.current().pid() & 0xFFFF));
                summaryHost = target.host();
                PingRun run = new PingRun(launcher.stack(), launcher.loop(), settings, stats, out);
                interruption = Interruption.install(() -> launcher.loop().execute(run::stop));
                elapsedMillis = launcher.runUntilFailure(() -> {
                    launcher.loop().execute(run::start);
                    return (int) Math.min(Integer.MAX_VALUE, run.awaitFinished());
                });
            }
            for (String line : stats.summary(summaryHost, elapsedMillis)) {
                out.println(line);
            }
            out.flush();
            status = stats.receivedCount() > 0 ? 0 : Main.FAILURE;
            return status;
        } finally {
            if (interruption != null) {
                interruption.finish(status);
            }
        }
    }
}
