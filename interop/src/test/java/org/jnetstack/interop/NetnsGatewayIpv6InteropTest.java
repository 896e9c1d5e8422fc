package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns gateway --netns} as the IPv6 router of the namespace's link: the kernel there, with a
 * new namespace's defaults (accept_ra 1, forwarding 0), takes an address in the gateway's prefix
 * by SLAAC and a default route via the gateway's link-local address from its router
 * advertisements, and pings PREFIX::2 and that link-local address; it fetches from a server on the
 * host's [::1] through NAT66 (PREFIX::2), and the host's {@code curl -6} reaches a server in it
 * through a forward listening on [::1]; its {@code ping -6} to an outside address goes through the
 * gateway's ICMPv6 echo socket where the host allows it.
 */
@Timeout(120)
class NetnsGatewayIpv6InteropTest {
    private static final Pattern UP = Pattern.compile("IPv6 prefix ([0-9a-f:]+)/64 gateway ([0-9a-f:]+) DNS ([0-9a-f:]+),");
    private static final Pattern ROUTE = Pattern.compile("default via (fe80::[0-9a-f:]+) dev tap0 proto ra");

    /** Polls {@code command} in {@code ns} until its output passes {@code done}; the last output. */
    private static String await(Netns ns, java.util.function.Predicate<String> done, Duration timeout, String... command)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            CommandResult r = ns.run(Duration.ofSeconds(10), command);
            out = r.stdout();
            if (done.test(out)) {
                return out;
            }
            Thread.sleep(200);
        }
        return out;
    }

    /** A namespace with IPv6 on, as a new namespace has it ({@link Netns#create} turns it off for quiet captures). */
    private static Netns ipv6Namespace() {
        Netns ns = Netns.create();
        ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0");
        ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=0");
        return ns;
    }

    private static void checkRouted(Netns ns, String prefix, String gateway) throws InterruptedException {
        // The kernel's defaults in a new namespace: it takes router advertisements and does not forward.
        assertThat(ns.exec("sysctl", "-n", "net.ipv6.conf.tap0.accept_ra").trim()).isEqualTo("1");
        assertThat(ns.exec("sysctl", "-n", "net.ipv6.conf.tap0.forwarding").trim()).isEqualTo("0");

        String net = prefix.substring(0, prefix.length() - 1); // "fd..:..::" -> "fd..:..:", the start of any address in it
        String addr = await(ns, o -> o.contains("scope global") && !o.contains("tentative"), Duration.ofSeconds(30), "ip", "-6", "addr", "show", "dev", "tap0", "scope", "global");
        assertThat(addr).as("a SLAAC address in %s/64", prefix).containsPattern("inet6 " + Pattern.quote(net) + "[0-9a-f:]+/64 scope global")
                .contains("dynamic").doesNotContain("tentative").doesNotContain("dadfailed");

        String routes = await(ns, o -> o.contains("proto ra"), Duration.ofSeconds(10), "ip", "-6", "route", "show", "default");
        Matcher m = ROUTE.matcher(routes);
        assertThat(m.find()).as("a default route learnt from the advertisement: %s", routes).isTrue();
        String routerLinkLocal = m.group(1);
        assertThat(ns.exec("ip", "-6", "route", "show", prefix + "/64")).as("the prefix is on-link").contains("dev tap0");

        CommandResult ping = ns.run(Duration.ofSeconds(30), "ping", "-6", "-c", "3", "-i", "0.3", "-W", "3", gateway);
        assertThat(ping.ok()).as(ping.describe()).isTrue();
        assertThat(ping.stdout()).contains("3 packets transmitted, 3 received");
        CommandResult pingLl = ns.run(Duration.ofSeconds(30), "ping", "-6", "-c", "1", "-W", "3", routerLinkLocal + "%tap0");
        assertThat(pingLl.ok()).as(pingLl.describe()).isTrue();

        // The default route's next hop is the gateway: its MAC, and a router (the Router flag of its advertisements).
        String neigh = ns.exec("ip", "-6", "neigh", "show", "dev", "tap0");
        assertThat(neigh).containsPattern(Pattern.quote(routerLinkLocal) + " lladdr 52:55:0a:00:02:02 router")
                .containsPattern(Pattern.quote(gateway) + " lladdr 52:55:0a:00:02:02 router");
    }

    @Test
    void theNamespaceTakesAnAddressInTheRandomPrefixAndADefaultRouteAndPingsTheGateway() throws Exception {
        Requirements.rootWithTap("ip", "nsenter", "ping", "sysctl");
        try (Netns ns = ipv6Namespace();
             Background gateway = new Background("jns gateway", new ProcessBuilder(Jns.command("gateway",
                     "--netns", "/run/netns/" + ns.name())).redirectErrorStream(true).start())) {
            gateway.awaitLine(l -> l.startsWith("jns gateway: serving network namespace"), Duration.ofSeconds(60));
            Matcher up = UP.matcher(gateway.output());
            assertThat(up.find()).as("the up line names the prefix: %s", gateway.output()).isTrue();
            String prefix = up.group(1);
            assertThat(prefix).as("a unique local prefix").startsWith("fd").endsWith("::");
            assertThat(up.group(2)).isEqualTo(prefix + "2");
            assertThat(up.group(3)).as("the DNS address").isEqualTo(prefix + "3");
            checkRouted(ns, prefix, up.group(2));
            gateway.signal("TERM");
            gateway.awaitExit(Duration.ofSeconds(30));
        }
    }

    @Test
    void aConfiguredPrefixIsAdvertisedAndNoIpv6MeansNoAddress() throws Exception {
        Requirements.rootWithTap("ip", "nsenter", "ping", "sysctl");
        try (Netns ns = ipv6Namespace();
             Background gateway = new Background("jns gateway", new ProcessBuilder(Jns.command("gateway",
                     "--netns", "/run/netns/" + ns.name(), "--ipv6-prefix", "fd00:6a6e:7300:2::/64")).redirectErrorStream(true).start())) {
            gateway.awaitLine(l -> l.startsWith("jns gateway: serving network namespace"), Duration.ofSeconds(60));
            assertThat(gateway.output()).contains("IPv6 prefix fd00:6a6e:7300:2::/64 gateway fd00:6a6e:7300:2::2");
            checkRouted(ns, "fd00:6a6e:7300:2::", "fd00:6a6e:7300:2::2");
            gateway.signal("TERM");
            gateway.awaitExit(Duration.ofSeconds(30));
        }
        try (Netns ns = ipv6Namespace();
             Background gateway = new Background("jns gateway", new ProcessBuilder(Jns.command("gateway",
                     "--netns", "/run/netns/" + ns.name(), "--no-ipv6")).redirectErrorStream(true).start())) {
            gateway.awaitLine(l -> l.startsWith("jns gateway: serving network namespace"), Duration.ofSeconds(60));
            assertThat(gateway.output()).contains("no IPv6");
            // The kernel solicits routers for 8 s (3 solicitations 4 s apart) and hears no answer.
            Thread.sleep(9000);
            assertThat(ns.exec("ip", "-6", "addr", "show", "dev", "tap0", "scope", "global")).isBlank();
            assertThat(ns.exec("ip", "-6", "route", "show", "default")).isBlank();
            CommandResult ping = ns.run(Duration.ofSeconds(10), "ping", "-6", "-c", "1", "-W", "1", "fd00:6a6e:7300:2::2");
            assertThat(ping.ok()).isFalse();
        }
    }

    @Test
    void theNamespaceFetchesFromTheHostsIpv6LoopbackThroughNat66AndHostCurl6ReachesItThroughAForward(@TempDir Path dir)
            throws Exception {
        Requirements.rootWithTap("ip", "nsenter", "curl", "python3", "sysctl");
        Path host = Files.createDirectories(dir.resolve("host"));
        Files.writeString(host.resolve("f"), "from the host's [::1]\n");
        Path inside = Files.createDirectories(dir.resolve("ns"));
        Files.writeString(inside.resolve("g"), "from the namespace\n");
        int httpPort = freePort6();
        int forwardPort = freePort6();
        String prefix = "fd00:6a6e:7300:3::";
        try (Netns ns = ipv6Namespace();
             Background http = new Background("python3 http.server [::1]", new ProcessBuilder("python3", "-m", "http.server",
                     Integer.toString(httpPort), "--bind", "::1", "--directory", host.toString()).redirectErrorStream(true).start());
             Background gateway = new Background("jns gateway", new ProcessBuilder(Jns.command("gateway",
                     "--netns", "/run/netns/" + ns.name(), "--ipv6-prefix", prefix + "/64",
                     "--forward", "tcp:[::1]:" + forwardPort + ":8080")).redirectErrorStream(true).start())) {
            gateway.awaitLine(l -> l.startsWith("jns gateway: forward"), Duration.ofSeconds(60));
            assertThat(gateway.output()).contains("jns gateway: forward [::1]:" + forwardPort + " -> 10.0.2.100:8080");
            String addr = await(ns, o -> o.contains("scope global") && !o.contains("tentative"), Duration.ofSeconds(30),
                    "ip", "-6", "addr", "show", "dev", "tap0", "scope", "global");
            assertThat(addr).as("a SLAAC address").contains("inet6 " + prefix.substring(0, prefix.length() - 1));
            await(ns, o -> o.contains("proto ra"), Duration.ofSeconds(10), "ip", "-6", "route", "show", "default");

            // NAT66: the namespace's kernel connects to PREFIX::2, which is the host's [::1].
            CommandResult fetched = ns.run(Duration.ofSeconds(60), "curl", "-6", "-sS", "--max-time", "30",
                    "http://[" + prefix + "2]:" + httpPort + "/f");
            assertThat(fetched.ok()).as(fetched.describe()).isTrue();
            assertThat(fetched.stdout()).isEqualTo("from the host's [::1]\n");

            // A forward listening on the host's [::1], reached with curl -6 (host loopback), to the namespace's server.
            ns.spawn("python3", "-m", "http.server", "8080", "--bind", "10.0.2.100", "--directory", inside.toString());
            String back = null;
            for (int attempt = 0; attempt < 50 && back == null; attempt++) {
                Process p = new ProcessBuilder("curl", "-6", "-sf", "--max-time", "10", "http://[::1]:" + forwardPort + "/g")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() == 0) {
                    back = out;
                } else {
                    Thread.sleep(200);
                }
            }
            assertThat(back).as("curl -6 through the [::1] forward").isEqualTo("from the namespace\n");
            gateway.signal("TERM");
            gateway.awaitExit(Duration.ofSeconds(30));
        }
    }

    /**
     * {@code ping -6} from the namespace: to {@code PREFIX::2} (the host's [::1] to TCP and UDP),
     * which the gateway answers itself, and to an outside address — fd77::1 on the loopback of a
     * namespace the gateway runs in — through the gateway's ICMPv6 echo socket where
     * {@code net.ipv4.ping_group_range} allows it; where it does not, no reply and the reason logged.
     */
    @Test
    void guestPing6ReachesOutsideThroughAnIcmpv6EchoSocketOnlyWhereTheHostAllowsIt() throws Exception {
        Requirements.rootWithTap("ip", "nsenter", "ping", "sysctl");
        String prefix = "fd00:6a6e:7300:4::";
        for (boolean allowed : new boolean[] {true, false}) {
            try (Netns gwNs = ipv6Namespace(); Netns ns = ipv6Namespace()) {
                gwNs.exec("ip", "-6", "addr", "add", "fd77::1/128", "dev", "lo");
                gwNs.exec("sysctl", "-qw", "net.ipv4.ping_group_range=" + (allowed ? "0 2147483647" : "1 0"));
                Background gateway = gwNs.spawn(Jns.command("gateway", "--netns", "/run/netns/" + ns.name(),
                        "--ipv6-prefix", prefix + "/64"));
                gateway.awaitLine(l -> l.startsWith("jns gateway: serving network namespace"), Duration.ofSeconds(60));
                await(ns, o -> o.contains("scope global") && !o.contains("tentative"), Duration.ofSeconds(30),
                        "ip", "-6", "addr", "show", "dev", "tap0", "scope", "global");
                await(ns, o -> o.contains("proto ra"), Duration.ofSeconds(10), "ip", "-6", "route", "show", "default");

                CommandResult own = ns.run(Duration.ofSeconds(30), "ping", "-6", "-c", "3", "-i", "0.3", "-W", "3", prefix + "2");
                assertThat(own.ok()).as(own.describe()).isTrue();
                assertThat(own.stdout()).contains("3 packets transmitted, 3 received");

                CommandResult out = ns.run(Duration.ofSeconds(30), "ping", "-6", "-c", "3", "-i", "0.3", "-W", "3", "fd77::1");
                if (allowed) {
                    assertThat(out.ok()).as(out.describe()).isTrue();
                    assertThat(out.stdout()).contains("3 packets transmitted, 3 received").contains("from fd77::1");
                    // Larger than the link: the request is reassembled at the gateway, the reply fragmented to the namespace.
                    CommandResult big = ns.run(Duration.ofSeconds(30), "ping", "-6", "-c", "1", "-s", "3000", "-W", "3", "fd77::1");
                    assertThat(big.ok()).as(big.describe()).isTrue();
                    assertThat(big.stdout()).contains("3008 bytes from fd77::1");
                } else {
                    assertThat(out.ok()).as("no fake reply where ICMPv6 echo sockets are not allowed: %s", out.describe()).isFalse();
                    assertThat(out.stdout()).contains("3 packets transmitted, 0 received");
                    gateway.awaitLine(l -> l.contains("not passed on: ICMPv6 echo sockets are not allowed here"), Duration.ofSeconds(10));
                    assertThat(gateway.output()).contains("ping_group_range = 1 0");
                }
            }
        }
    }

    private static int freePort6() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("::1"), 0));
            return s.getLocalPort();
        }
    }
}
