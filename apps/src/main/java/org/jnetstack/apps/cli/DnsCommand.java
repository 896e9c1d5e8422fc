package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import org.jnetstack.dns.DnsResult;
import org.jnetstack.wire.DnsMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jns dns}: resolve a host name through the stack's own resolver, like host(1). */
@Command(name = "dns",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        separator = " ",
        header = "Look up a host name with the stack's DNS resolver, like host(1).",
        description = {
            "Brings the stack up and asks the DNS servers (--dns, of either family, or the ones a --dhcp lease"
                + " names, or those IPv6 routers advertise) for NAME's IPv4 addresses (-t AAAA or -6: IPv6),"
                + " printing one per line. With -v it also shows the CNAME chain, the server that"
                + " answered and the TTL.",
            "Exit status: 0 with addresses, 1 when the name does not exist, has no addresses, or no server"
                + " answered; 2 on a usage error.",
            ""
        },
        footer = {
            "",
            "Without root, on the user-mode network (asks the gateway's DNS forwarder at 10.0.2.3):",
            "  ./jns dns example.com",
            "Example, as root, with a DNS server (e.g. dnsmasq) at 10.0.0.1 on the kernel side of jns0:",
            "  ./jns dns --tap jns0 --ip 10.0.0.2/24 --dns 10.0.0.1 example.com",
            "  ./jns dns --tap jns0 --dhcp -v www.example.com",
            "Over IPv6, with the server on the kernel side at fd00::1:",
            "  ./jns dns --tap jns0 --ip6 fd00::2/64 --dns fd00::1 -t AAAA example.com"
        })
final class DnsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions;

    @Option(names = {"-v", "--verbose"}, description = "Show the CNAME chain, the answering server and the TTL.")
    boolean verbose;

    @Option(names = {"-6", "--aaaa"}, description = "Ask for IPv6 (AAAA) addresses instead of IPv4 (A).")
    boolean aaaa;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "Record type: A (default) or AAAA.")
    String type;

    @Parameters(paramLabel = "NAME", description = "The host name to look up, e.g. www.example.com.")
    String name;

    @Override
    public Integer call() throws Exception {
        stackOptions.validate();
        if (type != null) {
            switch (type.toUpperCase(java.util.Locale.ROOT)) {
                case "A" -> {
                    if (aaaa) {
                        throw new ParameterException(spec.commandLine(), "-6 asks for AAAA, -t " + type + " for A: give one.");
                    }
                }
                case "AAAA" -> aaaa = true;
                default -> throw new ParameterException(spec.commandLine(), "'" + type
                        + "' is not a record type jns dns looks up: expected A or AAAA");
            }
        }
        if (stackOptions.dns().isEmpty() && !stackOptions.dhcp() && !stackOptions.userNet()) {
            throw new ParameterException(spec.commandLine(), "No DNS server: give --dns ADDR (repeatable: 10.0.0.53,"
                    + " fd00::53, [fd00::53]:5353), or --dhcp to use the servers the lease names (without --tap: the"
                    + " user-mode network's 10.0.2.3).");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (StackLauncher launcher = StackLauncher.start(stackOptions, "dns", null)) {
            return launcher.runUntilFailure(() -> lookUp(launcher, out, err));
        }
    }

    /** As host(1) prints an address: dotted quad, or RFC 5952 for IPv6 ({@code 2001:db8::1}). */
    private static String text(InetAddress a) {
        return a instanceof java.net.Inet6Address ? org.jnetstack.wire.Ipv6Address.of(a).toString() : a.getHostAddress();
    }

    /** Without --dns or a lease's servers: waits up to 3 s for a router to advertise one (RDNSS, RFC 8106). */
    private static boolean awaitAdvertisedServer(StackLauncher launcher) throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (true) {
            try {
                if (!launcher.loop().call(() -> launcher.stack().ipv6DnsServers().isEmpty(), java.time.Duration.ofSeconds(1))) {
                    return true;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    private int lookUp(StackLauncher launcher, PrintWriter out, PrintWriter err) throws java.net.UnknownHostException, InterruptedException {
        if (launcher.resolver().servers().isEmpty() && !awaitAdvertisedServer(launcher)) {
            err.println("jns dns: no DNS server: neither a DHCP lease nor an IPv6 router named one; give --dns ADDR");
            err.flush();
            return Main.FAILURE;
        }
        DnsResult r = launcher.resolver().query(name, aaaa ? DnsMessage.TYPE_AAAA : DnsMessage.TYPE_A);
        if (verbose) {
            String at = r.name();
            for (String target : r.cnames()) {
                out.println(at + " is an alias for " + target);
                at = target;
            }
        }
        if (!r.ok()) {
            out.flush();
            err.println("jns dns: " + r.message());
            err.flush();
            return Main.FAILURE;
        }
        for (InetAddress a : r.addresses()) {
            out.println(verbose ? (r.cnames().isEmpty() ? r.name() : r.cnames().get(r.cnames().size() - 1))
                    + (aaaa ? " has IPv6 address " : " has address ") + text(a) : text(a));
        }
        if (verbose) {
            out.println(";; from " + (r.server() != null ? r.server() : r.source().name().toLowerCase(java.util.Locale.ROOT))
                    + ", TTL " + r.ttlSeconds() + " s");
        }
        out.flush();
        return 0;
    }
}
