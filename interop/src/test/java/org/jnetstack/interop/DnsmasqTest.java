package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.dhcp.DhcpClient;
import org.jnetstack.dhcp.DhcpConfig;
import org.jnetstack.dhcp.DhcpLease;
import org.jnetstack.dhcp.DhcpListener;
import org.jnetstack.dhcp.DhcpState;
import org.jnetstack.dns.DnsResolver;
import org.jnetstack.dns.DnsResult;
import org.jnetstack.dns.ResolverConfig;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHCP client and the DNS resolver against dnsmasq, which runs in a network namespace on the
 * kernel's side of the stack's TAP (foreground, no config file, lease file in a temp directory,
 * stopped when the namespace closes): a lease obtained, renewed at dnsmasq's T1, taken again by
 * INIT-REBOOT and released (gone from the lease file); A, AAAA, CNAME, NXDOMAIN and a truncated
 * answer retried over TCP; and {@code jns dns} as a user runs it, with --dns and with --dhcp.
 */
class DnsmasqTest {
    private static final String KERNEL = "10.0.0.1";
    private static final int BIG_RECORDS = 40;

    @BeforeAll
    static void needsRootAndDnsmasq() {
        Requirements.rootWithTap("ip", "sysctl", "dnsmasq", "ping");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    /** dnsmasq serving DHCP (lease 2 min, T1 8 s, T2 12 s, MTU 1400) and DNS on {@code link} in {@code ns}. */
    private static Background dnsmasq(Netns ns, String link, Path dir) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--interface=" + link, "--bind-interfaces", "--log-facility=-",
                "--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,2m", "--dhcp-leasefile=" + dir.resolve("leases"),
                "--dhcp-option=58,8", "--dhcp-option=59,12", "--dhcp-option=option:mtu,1400",
                "--no-resolv", "--no-hosts", "--local=/test/", "--address=/x.test/10.9.9.9",
                "--host-record=host.x.test,10.9.9.10,fd00::10", "--cname=alias.x.test,host.x.test"));
        for (int i = 1; i <= BIG_RECORDS; i++) {
            cmd.add("--host-record=big.test,10.8.0." + i);
        }
        Background b = ns.spawn(cmd.toArray(new String[0]));
        b.awaitLine(l -> l.contains("DHCP, sockets bound exclusively"), Duration.ofSeconds(30));
        return b;
    }

    /** An in-process stack without an address on a TAP moved into {@code ns} (kernel side 10.0.0.1/24). */
    private static final class Embedded implements AutoCloseable {
        final EventLoop loop = EventLoop.system();
        final TapDevice tap;
        final NetStack stack;
        final String tapName = Netns.uniqueTapName();

        Embedded(Netns ns) throws Exception {
            tap = TapDevice.open(tapName);
            stack = NetStack.builder(loop).device(tap).name("embedded").build();
            ns.adoptTap(tapName, KERNEL + "/24");
        }

        <T> T onLoop(java.util.function.Supplier<T> s) throws Exception {
            CompletableFuture<T> f = new CompletableFuture<>();
            loop.execute(() -> f.complete(s.get()));
            return f.get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            loop.close();
            stack.close();
            tap.close();
        }
    }

    @Test
    void leaseObtainedRenewedRebootedAndReleased(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create(); Embedded e = new Embedded(ns)) {
            Background server = dnsmasq(ns, e.tapName, dir);
            try {
                List<String> events = new CopyOnWriteArrayList<>();
                CompletableFuture<DhcpLease> bound = new CompletableFuture<>();
                CompletableFuture<DhcpLease> renewed = new CompletableFuture<>();
                DhcpListener listener = new DhcpListener() {
                    @Override
                    public void onBound(DhcpLease l) {
                        bound.complete(l);
                    }

                    @Override
                    public void onRenewed(DhcpLease l) {
                        renewed.complete(l);
                    }

                    @Override
                    public void onStateChanged(DhcpState from, DhcpState to) {
                        events.add(to.name());
                    }
                };
                e.loop.start("interop-loop");
                DhcpClient dhcp = e.onLoop(() -> {
                    return DhcpClient.start(e.stack, DhcpConfig.defaults().withHostName("jnstest"), listener);
                });
                DhcpLease lease = bound.get(60, TimeUnit.SECONDS);
                String address = lease.address().toString();
                assertThat(lease.address().bits()).isBetween(Ipv4Address.parseBits("10.0.0.50"), Ipv4Address.parseBits("10.0.0.60"));
                assertThat(lease.prefixLength()).isEqualTo(24);
                assertThat(lease.router()).isEqualTo(Ipv4Address.parse(KERNEL));
                assertThat(lease.dnsServers()).containsExactly(Ipv4Address.parse(KERNEL));
                assertThat(lease.server()).isEqualTo(Ipv4Address.parse(KERNEL));
                assertThat(lease.mtu()).isEqualTo(1400);
                assertThat(lease.leaseTime()).isEqualTo(Duration.ofMinutes(2));
                assertThat(lease.renewalTime()).isEqualTo(Duration.ofSeconds(8));
                assertThat(events).containsSubsequence("SELECTING", "REQUESTING", "PROBING", "BOUND");
                assertThat(e.onLoop(() -> e.stack.iface().mtu())).isEqualTo(1400);
                // dnsmasq recorded it, with our host name; the kernel reaches us at the leased address.
                assertThat(Files.readString(dir.resolve("leases"))).contains(e.tap.mac().toString().toLowerCase(), address, "jnstest");
                assertThat(ns.run(Duration.ofSeconds(10), "ping", "-c", "1", "-W", "3", address).ok()).isTrue();

                // T1 = 8 s: a unicast REQUEST, answered, before T2 (12 s) would broadcast.
                DhcpLease again = renewed.get(30, TimeUnit.SECONDS);
                assertThat(again.address()).isEqualTo(lease.address());
                assertThat(again.boundAtNanos()).isGreaterThan(lease.boundAtNanos());
                assertThat(events).containsSubsequence("BOUND", "RENEWING", "BOUND").doesNotContain("REBINDING");
                assertThat(server.output()).contains("DHCPACK(" + e.tapName + ") " + address);

                // Stop without releasing; a new client remembering the address takes it back by INIT-REBOOT.
                e.onLoop(() -> {
                    dhcp.stop();
                    e.stack.ipv4().setAddress(e.stack.iface(), 0, 0);
                    return null;
                });
                long discoversBefore = e.stack.counters().get("dhcp.tx.discover");
                CompletableFuture<DhcpLease> rebooted = new CompletableFuture<>();
                DhcpClient second = e.onLoop(() -> {
                    DhcpClient c = DhcpClient.start(e.stack, DhcpConfig.defaults().withRememberedAddress(lease.address()));
                    c.addListener(new DhcpListener() {
                        @Override
                        public void onBound(DhcpLease l) {
                            rebooted.complete(l);
                        }
                    });
                    return c;
                });
                assertThat(rebooted.get(30, TimeUnit.SECONDS).address()).isEqualTo(lease.address());
                assertThat(e.stack.counters().get("dhcp.tx.discover")).isEqualTo(discoversBefore);

                // RELEASE: dnsmasq forgets the lease.
                e.onLoop(() -> {
                    second.release();
                    return null;
                });
                awaitLeaseFileWithout(dir.resolve("leases"), address);
                assertThat(e.onLoop(() -> e.stack.iface().address())).isZero();
                // dnsmasq may rewrite its lease file before its log line reaches our reader: wait for the line.
                String release = "DHCPRELEASE(" + e.tapName + ") " + address;
                assertThat(server.awaitLine(l -> l.contains(release), Duration.ofSeconds(10))).contains(release);
            } finally {
                server.close();
            }
        }
    }

    private static void awaitLeaseFileWithout(Path leases, String address) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.readString(leases).contains(address + " ")) {
            if (System.nanoTime() > end) {
                throw new AssertionError("dnsmasq still lists " + address + ":\n" + Files.readString(leases));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void resolverAnswersFromDnsmasq(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create(); Embedded e = new Embedded(ns)) {
            Background server = dnsmasq(ns, e.tapName, dir);
            // The loop is not running yet: this thread owns the stack.
            e.stack.setAddress(Ipv4Address.parse("10.0.0.2"), 24);
            DnsResolver dns = DnsResolver.create(e.stack, ResolverConfig.defaults().withServers(List.of(Ipv4Address.parse(KERNEL))));
            e.loop.start("interop-loop");

            assertThat(names(dns.resolve("www.x.test"))).containsExactly("10.9.9.9");
            DnsResult alias = dns.query("alias.x.test", DnsMessage.TYPE_A);
            assertThat(alias.cnames()).containsExactly("host.x.test");
            assertThat(names(alias.addresses())).containsExactly("10.9.9.10");
            assertThat(names(dns.query("host.x.test", DnsMessage.TYPE_AAAA).addresses())).containsExactly("fd00:0:0:0:0:0:0:10");
            DnsResult missing = dns.query("nope.test", DnsMessage.TYPE_A);
            assertThat(missing.status()).isEqualTo(DnsResult.Status.NXDOMAIN);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> dns.resolve("nope.test")))
                    .isInstanceOf(java.net.UnknownHostException.class).hasMessageContaining("nope.test: no such name (NXDOMAIN)");

            // 40 A records do not fit 512 bytes: dnsmasq sets TC and we ask again over TCP.
            DnsResult big = dns.query("big.test", DnsMessage.TYPE_A);
            assertThat(big.ok()).isTrue();
            assertThat(big.addresses()).hasSize(BIG_RECORDS);
            assertThat(e.stack.counters().get("dns.tx.tcp_queries")).isEqualTo(1);
            assertThat(server.output()).doesNotContain("failed");
            server.close();
        }
    }

    private static List<String> names(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }

    @Test
    void jnsDnsAsAUserRunsIt(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background server = dnsmasq(ns, tap, dir);
            try {
                CommandResult alias = ns.run(Duration.ofSeconds(90),
                        Jns.command("dns", "--tap", tap, "--ip", "10.0.0.2/24", "--dns", KERNEL, "-v", "alias.x.test"));
                assertThat(alias.exitStatus()).as(alias.describe()).isZero();
                assertThat(alias.stdout()).isEqualTo("alias.x.test is an alias for host.x.test\n"
                        + "host.x.test has address 10.9.9.10\n;; from 10.0.0.1, TTL 0 s\n");

                CommandResult plain = ns.run(Duration.ofSeconds(90), Jns.command("dns", "--tap", tap, "--dhcp", "www.x.test"));
                assertThat(plain.exitStatus()).as(plain.describe()).isZero();
                assertThat(plain.stdout()).isEqualTo("10.9.9.9\n");
                assertThat(plain.stderr()).containsPattern("jns: DHCP lease 10\\.0\\.0\\.\\d+/24 router 10\\.0\\.0\\.1 dns 10\\.0\\.0\\.1 mtu 1400"
                        + " lease 120s from 10\\.0\\.0\\.1");
                // Released on exit.
                String leased = plain.stderr().replaceAll("(?s).*jns: DHCP lease (10\\.0\\.0\\.\\d+)/.*", "$1");
                awaitLeaseFileWithout(dir.resolve("leases"), leased);

                CommandResult missing = ns.run(Duration.ofSeconds(90),
                        Jns.command("dns", "--tap", tap, "--ip", "10.0.0.2/24", "--dns", KERNEL, "nope.test"));
                assertThat(missing.exitStatus()).as(missing.describe()).isEqualTo(1);
                assertThat(missing.stderr()).contains("jns dns: nope.test: no such name (NXDOMAIN) from 10.0.0.1");

                // Nobody at 10.0.0.3 (no ARP answer): unreachable; a second --dns that answers is used instead.
                CommandResult absent = ns.run(Duration.ofSeconds(90),
                        Jns.command("dns", "--tap", tap, "--ip", "10.0.0.2/24", "--dns", "10.0.0.3", "www.x.test"));
                assertThat(absent.exitStatus()).as(absent.describe()).isEqualTo(1);
                assertThat(absent.stderr()).contains("jns dns: www.x.test: the DNS servers are unreachable");
                CommandResult failover = ns.run(Duration.ofSeconds(90), Jns.command("dns", "--tap", tap, "--ip", "10.0.0.2/24",
                        "--dns", "10.0.0.3", "--dns", KERNEL, "www.x.test"));
                assertThat(failover.exitStatus()).as(failover.describe()).isZero();
                assertThat(failover.stdout()).isEqualTo("10.9.9.9\n");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void jnsRunWithDhcpServesOnTheLeasedAddressAndReleasesItOnExit(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background server = dnsmasq(ns, tap, dir);
            try {
                Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--dhcp", "--hostname", "appliance", "--echo"));
                String up = jns.awaitLine(l -> l.startsWith("jns: up:"), Duration.ofSeconds(60));
                String address = up.replaceAll("jns: up: (10\\.0\\.0\\.\\d+)/24 \\(DHCP from 10\\.0\\.0\\.1\\) on TAP .*", "$1");
                assertThat(address).as(up).matches("10\\.0\\.0\\.\\d+");
                assertThat(Files.readString(dir.resolve("leases"))).contains(address, "appliance");
                CommandResult echo = ns.run(Duration.ofSeconds(30), "sh", "-c", "echo hello | nc -N -w 5 " + address + " 7");
                assertThat(echo.stdout()).as(echo.describe()).isEqualTo("hello\n");

                jns.signal("TERM");
                jns.awaitExit(Duration.ofSeconds(30));
                awaitLeaseFileWithout(dir.resolve("leases"), address);
                assertThat(jns.output()).contains("jns: DHCP lease " + address + " lost: released").doesNotContain("Exception");
            } finally {
                server.close();
            }
        }
    }
}
