package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.ip6.Ipv6AddressInfo;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.testing.TcpExchange;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Path MTU discovery against a Linux router: the stack sits on a TAP in namespace A, whose
 * kernel forwards (IPv4 and IPv6) over a veth to namespace B, and A's end of the veth is narrower
 * than everything else — 1280 bytes for the IPv6 run, 1000 for the IPv4 one — while B's end
 * stays at 1500, so B announces a full-size MSS and only the router knows better. TCP uploads to
 * a kernel server in B complete byte-exact; the router's Packet Too Big and "fragmentation
 * needed" reached the stack, which recorded the path MTU towards B and cut its MSS to match; the
 * capture on the TAP shows the router's messages, DF on every IPv4 segment of ours and a flow
 * label on every IPv6 one.
 */
class PmtuRouterInteropTest {
    private static final String STACK4 = "10.0.0.2";
    private static final String ROUTER4 = "10.0.0.1";
    private static final String SERVER4 = "10.0.1.2";
    private static final String STACK6 = "fd00::2";
    private static final String SERVER6 = "fd00:1::2";
    private static final int PORT = 45679;
    private static final int SIZE = 4 * 1024 * 1024;

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "dnsmasq", "tshark");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void tcpThroughANarrowerHopFollowsTheKernelRoutersReports(@TempDir Path dir) throws Exception {
        String tapName = Netns.uniqueTapName();
        String routerEnd = Netns.uniqueLinkName("jp");
        String serverEnd = Netns.uniqueLinkName("jp");
        try (Netns a = Netns.create(); Netns b = Netns.create(); EventLoop loop = EventLoop.system()) {
            TapDevice tap = TapDevice.open(tapName);
            StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address(STACK6 + "/64").build();
            NetStack stack = NetStack.builder(loop).device(tap).address(STACK4 + "/24").gateway(Ipv4Address.parse(ROUTER4))
                    .config(cfg).name("pmtu").build();
            loop.start("pmtu-interop");
            a.adoptTap(tapName, ROUTER4 + "/24");
            Ipv6KernelInteropTest.enableIpv6(a, tapName);

            a.exec("ip", "link", "add", routerEnd, "type", "veth", "peer", "name", serverEnd);
            a.exec("ip", "link", "set", serverEnd, "netns", b.name());
            a.exec("sysctl", "-qw", "net.ipv6.conf." + routerEnd + ".disable_ipv6=0");
            b.exec("sysctl", "-qw", "net.ipv6.conf." + serverEnd + ".disable_ipv6=0");
            a.exec("ip", "link", "set", routerEnd, "mtu", "1280", "up");
            a.exec("ip", "addr", "add", "10.0.1.1/24", "dev", routerEnd);
            a.exec("ip", "-6", "addr", "add", "fd00:1::1/64", "dev", routerEnd, "nodad");
            b.exec("ip", "link", "set", serverEnd, "mtu", "1500", "up");
            b.exec("ip", "addr", "add", SERVER4 + "/24", "dev", serverEnd);
            b.exec("ip", "-6", "addr", "add", SERVER6 + "/64", "dev", serverEnd, "nodad");
            b.exec("ip", "route", "add", "default", "via", "10.0.1.1");
            b.exec("ip", "-6", "route", "add", "default", "via", "fd00:1::1");
            a.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            a.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
            // The stack learns its IPv6 default router from A's advertisements.
            a.spawn("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--pid-file=" + dir.resolve("dnsmasq.pid"),
                    "--interface=" + tapName, "--bind-interfaces", "--log-facility=-", "--port=0", "--enable-ra",
                    "--dhcp-range=fd00::,ra-only,64,10m", "--ra-param=" + tapName + ",10,600");
            awaitIpv6Ready(loop, stack);
            Capture capture = Capture.start(a, tapName, dir.resolve("pmtu.pcap"));

            // IPv6: A's end is 1280 bytes; B announces MSS 1440.
            String sha6 = upload(loop, stack, b, dir, Ipv6Address.parse(SERVER6), 6);
            int pmtu6 = onLoop(loop, () -> stack.ipv6().mtuFor(Ipv6Address.parse(SERVER6).hi(), Ipv6Address.parse(SERVER6).lo()));
            long tooBig = stack.counters().get("tcp.icmp.path_mtu_reports");
            long lowered6 = stack.counters().get("tcp.pmtu.mss_lowered");

            // IPv4: A's end narrows to 1000 bytes (IPv6 cannot run below 1280; it is done by now).
            a.exec("ip", "link", "set", routerEnd, "mtu", "1000");
            String sha4 = upload(loop, stack, b, dir, Ipv6Address.v4Mapped(Ipv4Address.parseBits(SERVER4)), 4);
            int pmtu4 = onLoop(loop, () -> stack.ipv4().mtuFor(Ipv4Address.parseBits(SERVER4)));
            Path pcap = capture.stop();

            assertThat(sha6).as("the IPv6 upload arrived intact").isEqualTo(sha(6));
            assertThat(tooBig).as("the router's Packet Too Big reached TCP").isPositive();
            assertThat(pmtu6).as("the path MTU recorded towards B over IPv6").isEqualTo(1280);
            assertThat(lowered6).isEqualTo(1);
            assertThat(sha4).as("the IPv4 upload arrived intact").isEqualTo(sha(4));
            assertThat(stack.counters().get("icmp.rx.frag_needed")).as("the router's fragmentation-needed").isPositive();
            assertThat(pmtu4).as("the path MTU recorded towards B over IPv4").isEqualTo(1000);
            assertThat(stack.counters().get("tcp.pmtu.mss_lowered")).isEqualTo(2);
            assertThat(stack.counters().get("tcp.icmp.bad_sequence") + stack.counters().get("tcp.icmp.no_connection"))
                    .as("every report matched a connection").isZero();
            // What crossed the TAP, as Wireshark reads it.
            assertThat(Tshark.count(pcap, "icmpv6.type == 2 && icmpv6.mtu == 1280")).as("the router's Packet Too Big").isPositive();
            assertThat(Tshark.count(pcap, "icmp.type == 3 && icmp.code == 4 && icmp.mtu == 1000"))
                    .as("the router's fragmentation needed").isPositive();
            String ours4 = "ip.src == " + STACK4 + " && tcp.dstport == " + PORT + " && !icmp"; // not the quotes in the router's errors
            assertThat(Tshark.count(pcap, ours4)).isPositive();
            assertThat(Tshark.count(pcap, ours4 + " && ip.flags.df == 0")).as("every IPv4 segment of ours carries DF").isZero();
            String ours6 = "ipv6 && tcp.dstport == " + PORT + " && !icmpv6";
            assertThat(Tshark.count(pcap, ours6)).isPositive();
            assertThat(Tshark.count(pcap, ours6 + " && ipv6.flow == 0")).as("every IPv6 segment of ours carries a flow label").isZero();
            System.out.printf("PMTU through a Linux router: IPv6 path MTU %d, IPv4 path MTU %d, %d reports followed%n",
                    pmtu6, pmtu4, stack.counters().get("tcp.icmp.path_mtu_reports"));
        }
    }

    /** Uploads {@link #SIZE} seeded bytes to a kernel server in {@code b}; returns the SHA-256 it received. */
    private static String upload(EventLoop loop, NetStack stack, Netns b, Path dir, Ipv6Address server, long seed)
            throws Exception {
        String host = Ipv6Address.isV4Mapped(server.hi(), server.lo()) ? SERVER4 : SERVER6;
        Background kernel = b.spawn("python3", KernelTcp.script(dir, "server" + seed + ".py", KernelTcp.SERVER).toString(),
                host, Integer.toString(PORT), "-");
        kernel.awaitLine(line -> line.equals("LISTENING"), Duration.ofSeconds(30));
        TcpExchange up = new TcpExchange(data(seed));
        loop.execute(() -> stack.tcp().connect(server, PORT, up));
        assertThat(kernel.awaitExit(Duration.ofMinutes(2))).as(kernel.output()).isZero();
        return KernelTcp.Result.parse(kernel.output()).sha256();
    }

    private static byte[] data(long seed) {
        byte[] d = new byte[SIZE];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    private static String sha(long seed) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data(seed)));
    }

    private static void awaitIpv6Ready(EventLoop loop, NetStack stack) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<Ipv6AddressInfo> addrs = onLoop(loop, stack::ipv6Addresses);
            boolean ready = addrs.stream().noneMatch(x -> x.state() == AddressState.TENTATIVE)
                    && addrs.stream().anyMatch(x -> x.address().equals(Ipv6Address.parse(STACK6)))
                    && !onLoop(loop, stack::ipv6Routers).isEmpty();
            if (ready) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no IPv6 default router or address: " + onLoop(loop, stack::ipv6Addresses));
    }

    private static <T> T onLoop(EventLoop loop, Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(s.get()));
        return f.get(10, TimeUnit.SECONDS);
    }
}
