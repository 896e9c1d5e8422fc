package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip6.AddressOrigin;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.ip6.Ipv6AddressInfo;
import org.jnetstack.ip6.Ping6Listener;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stack embedded in this JVM on a TAP moved into a namespace, with the Linux kernel as its
 * IPv6 neighbour: each pings the other by link-local and by static address (so each resolves
 * the other by Neighbor Discovery), and the kernel's neighbour table ends up holding our MAC.
 */
class Ipv6KernelInteropTest {
    private static final String KERNEL = "fd00::1";
    private static final String STACK = "fd00::2";

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "ping");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void kernelAndStackPingEachOtherByLinkLocalAndStaticAddress() throws Exception {
        String tapName = Netns.uniqueTapName();
        try (Netns ns = Netns.create(); EventLoop loop = EventLoop.system()) {
            TapDevice tap = TapDevice.open(tapName);
            StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address(STACK + "/64").build();
            NetStack stack = NetStack.builder(loop).device(tap).address("10.0.0.2/24").config(cfg).name("v6").build();
            loop.start("ipv6-interop");
            ns.adoptTap(tapName, "10.0.0.1/24");
            enableIpv6(ns, tapName);
            Ipv6Address ourLinkLocal = awaitPreferred(loop, stack);
            String kernelLinkLocal = awaitKernelLinkLocal(ns, tapName);

            CommandResult toLinkLocal = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "3", "-i", "0.2", "-w", "30",
                    ourLinkLocal + "%" + tapName);
            CommandResult toStatic = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "3", "-i", "0.2", "-w", "30", STACK);
            // 8000 bytes of data: the kernel fragments the request, we reassemble it and fragment the reply.
            CommandResult big = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "3", "-i", "0.2", "-s", "8000", "-w", "30", STACK);
            String ourBig = ping(loop, stack, Ipv6Address.parse(KERNEL), 100, 8000);
            String neighbours = ns.exec("ip", "-6", "neigh", "show", "dev", tapName);
            List<String> ours = new ArrayList<>();
            for (int seq = 1; seq <= 3; seq++) {
                ours.add(ping(loop, stack, Ipv6Address.parse(KERNEL), seq));
                ours.add(ping(loop, stack, Ipv6Address.parse(kernelLinkLocal), 10 + seq));
            }

            assertThat(toLinkLocal.stdout()).as(toLinkLocal.describe()).contains("3 packets transmitted, 3 received, 0% packet loss");
            assertThat(toStatic.stdout()).as(toStatic.describe()).contains("3 packets transmitted, 3 received, 0% packet loss");
            assertThat(big.stdout()).as(big.describe()).contains("3 packets transmitted, 3 received, 0% packet loss")
                    .contains("8008 bytes from " + STACK);
            assertThat(ourBig).isEqualTo("reply from " + KERNEL + " bytes 8008");
            assertThat(stack.counters().get("ip6.frag.reassembled")).isGreaterThanOrEqualTo(4);
            assertThat(stack.counters().get("ip6.frag.tx")).isGreaterThanOrEqualTo(4 * 6);
            String mac = MacAddress.format(tap.mac() != null ? tap.mac().bits() : stack.iface().mac().bits());
            assertThat(neighbours).as("the kernel resolved us by NDP")
                    .containsPattern("(?m)^" + Pattern.quote(STACK) + " lladdr " + mac + " .*(REACHABLE|STALE|DELAY|PROBE)")
                    .containsPattern("(?m)^" + Pattern.quote(ourLinkLocal.toString()) + " lladdr " + mac + " ");
            assertThat(ours).containsExactly("reply from " + KERNEL, "reply from " + kernelLinkLocal,
                    "reply from " + KERNEL, "reply from " + kernelLinkLocal, "reply from " + KERNEL, "reply from " + kernelLinkLocal);
            assertThat(stack.counters().get("icmp6.tx.echo_replies")).isGreaterThanOrEqualTo(6);
            assertThat(stack.counters().get("nd.tx.neighbor_advertisements")).isPositive();
        }
    }

    @Test
    void addressFromDnsmasqRouterAdvertisementAndItsDnsServer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Requirements.tools("dnsmasq");
        String tapName = Netns.uniqueTapName();
        try (Netns ns = Netns.create(); EventLoop loop = EventLoop.system()) {
            TapDevice tap = TapDevice.open(tapName);
            NetStack stack = NetStack.builder(loop).device(tap).address("10.0.0.2/24").name("v6slaac").build();
            loop.start("ipv6-slaac");
            ns.adoptTap(tapName, "10.0.0.1/24");
            enableIpv6(ns, tapName);
            awaitKernelLinkLocal(ns, tapName);
            org.jnetstack.testing.Background dnsmasq = dnsmasq(ns, dir, tapName, "--dhcp-range=fd00::,ra-only,64,10m",
                    "--dhcp-option=option6:dns-server,[fd00::53]");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<Ipv6AddressInfo> slaac = List.of();
            while (System.nanoTime() < deadline) {
                slaac = onLoop(loop, () -> stack.ipv6Addresses().stream().filter(a -> a.origin() == AddressOrigin.SLAAC).toList());
                if (!slaac.isEmpty() && slaac.get(0).state() == AddressState.PREFERRED) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(slaac).as(dnsmasq.output()).hasSize(1);
            Ipv6AddressInfo a = slaac.get(0);
            assertThat(a.state()).isEqualTo(AddressState.PREFERRED);
            assertThat(a.address().toString()).startsWith("fd00::").isNotEqualTo("fd00::");
            assertThat(a.validSeconds()).isBetween(1L, 600L);
            assertThat(onLoop(loop, stack::ipv6DnsServers)).containsExactly(Ipv6Address.parse("fd00::53"));
            assertThat(onLoop(loop, stack::ipv6Routers)).extracting(r -> r.address().toString()).singleElement()
                    .asString().startsWith("fe80::");
            // The kernel reaches us at the address we formed.
            CommandResult ping = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "2", "-i", "0.2", "-w", "30", a.address().toString());
            assertThat(ping.stdout()).as(ping.describe()).contains("2 packets transmitted, 2 received");
        }
    }

    @Test
    void statelessDnsmasqGivesSlaacAndRdnssByAdvertisementAndItsDnsServerByDhcpv6(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Requirements.tools("dnsmasq");
        String tapName = Netns.uniqueTapName();
        try (Netns ns = Netns.create(); EventLoop loop = EventLoop.system()) {
            TapDevice tap = TapDevice.open(tapName);
            NetStack stack = NetStack.builder(loop).device(tap).address("10.0.0.2/24").name("v6dhcp6").build();
            org.jnetstack.dhcp.Dhcpv6Client dhcp6 = org.jnetstack.dhcp.Dhcpv6Client.start(stack);
            loop.start("ipv6-dhcp6");
            ns.adoptTap(tapName, "10.0.0.1/24");
            enableIpv6(ns, tapName);
            awaitKernelLinkLocal(ns, tapName);
            // ra-stateless: the advertisement carries the prefix (A flag) and the O flag; DNS comes by DHCPv6 too.
            org.jnetstack.testing.Background dnsmasq = dnsmasq(ns, dir, tapName, "--log-dhcp", "--dhcp-range=fd00::,ra-stateless,64,10m",
                    "--dhcp-option=option6:dns-server,[fd00::54]", "--dhcp-option=option6:domain-search,lab.example");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && onLoop(loop, dhcp6::state) != org.jnetstack.dhcp.Dhcpv6Client.State.INFORMED) {
                Thread.sleep(200);
            }
            assertThat(onLoop(loop, dhcp6::state)).as(dnsmasq.output()).isEqualTo(org.jnetstack.dhcp.Dhcpv6Client.State.INFORMED);
            var routers = onLoop(loop, () -> stack.ipv6().interfaces().get(0).routers());
            assertThat(onLoop(loop, routers::other)).isTrue();
            assertThat(onLoop(loop, routers::managed)).isFalse();
            assertThat(onLoop(loop, routers::dhcpv6DnsServers)).containsExactly(Ipv6Address.parse("fd00::54"));
            assertThat(onLoop(loop, routers::dhcpv6Domains)).containsExactly("lab.example");
            assertThat(onLoop(loop, dhcp6::refreshSeconds)).as("dnsmasq's refresh time is the range's lease time").isEqualTo(600);
            assertThat(onLoop(loop, stack::ipv6DnsServers)).containsExactly(Ipv6Address.parse("fd00::54"));
            assertThat(dnsmasq.output()).contains("DHCPINFORMATION-REQUEST").contains("dns-server");
            List<Ipv6AddressInfo> slaac = List.of();
            while (System.nanoTime() < deadline) {
                slaac = onLoop(loop, () -> stack.ipv6Addresses().stream().filter(a -> a.origin() == AddressOrigin.SLAAC).toList());
                if (!slaac.isEmpty() && slaac.get(0).state() == AddressState.PREFERRED) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(slaac).as(dnsmasq.output()).singleElement().satisfies(a -> assertThat(a.address().toString()).startsWith("fd00::"));
            assertThat(stack.counters().get("dhcp6.rx.replies")).isEqualTo(1);
        }
    }

    @Test
    void staticAddressTheKernelAlreadyOwnsIsMarkedDuplicateAndNotUsed() throws Exception {
        String tapName = Netns.uniqueTapName();
        try (Netns ns = Netns.create(); EventLoop loop = EventLoop.system()) {
            TapDevice tap = TapDevice.open(tapName);
            ns.adoptTap(tapName, "10.0.0.1/24");
            enableIpv6(ns, tapName);
            awaitKernelLinkLocal(ns, tapName);
            // The stack starts after the kernel owns fd00::1: our detection hears the kernel's advertisement.
            StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address(KERNEL + "/64").build();
            NetStack stack = NetStack.builder(loop).device(tap).address("10.0.0.2/24").config(cfg).name("v6dad").build();
            loop.start("ipv6-dad");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            List<Ipv6AddressInfo> statics = List.of();
            while (System.nanoTime() < deadline) {
                List<Ipv6AddressInfo> all = onLoop(loop, stack::ipv6Addresses);
                statics = all.stream().filter(a -> a.origin() == AddressOrigin.STATIC).toList();
                if (all.size() == 2 && all.stream().noneMatch(a -> a.state() == AddressState.TENTATIVE)) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(statics).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(AddressState.DUPLICATE));
            assertThat(stack.counters().get("nd.dad.duplicates")).isEqualTo(1);
            // Not used: a ping to the kernel's link-local address leaves from our link-local one, and fd00::1 is not answered by us.
            assertThat(ping(loop, stack, Ipv6Address.parse(awaitKernelLinkLocal(ns, tapName)), 1)).startsWith("reply from fe80::");
            assertThat(stack.counters().get("nd.tx.neighbor_advertisements")).as("we never claimed fd00::1").isZero();
        }
    }

    @Test
    void jnsRunWithAStaticIpv6AddressAnswersTheKernelsPing() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, "10.0.0.1/24");
            enableIpv6(ns, tap);
            org.jnetstack.testing.Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", "10.0.0.2/24",
                    "--ip6", STACK + "/64", "--ip6", "fd00:1::2/64", "--no-offload"));
            jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
            // "up" comes before duplicate address detection ends (1-2 s): until then the address is
            // tentative, neighbour solicitations for it go unanswered and the kernel may give up on a
            // request. So first one reply (waiting up to 30 s), then three without loss.
            CommandResult first = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "1", "-w", "30", STACK);
            assertThat(first.stdout()).as(first.describe() + jns.output()).contains("64 bytes from " + STACK);
            CommandResult ping = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "3", "-i", "0.5", "-w", "30", STACK);
            assertThat(ping.stdout()).as(ping.describe() + jns.output()).contains(" 0% packet loss", "64 bytes from " + STACK + ": icmp_seq=3");
            jns.signal("TERM");
            jns.awaitExit(Duration.ofSeconds(30));
        }
    }

    /** dnsmasq on the TAP in {@code ns}, DNS off, router advertisements on (10 s apart, router lifetime 600 s), and {@code args}. */
    static org.jnetstack.testing.Background dnsmasq(Netns ns, java.nio.file.Path dir, String tap, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--interface=" + tap, "--bind-interfaces", "--log-facility=-",
                "--port=0", "--enable-ra", "--ra-param=" + tap + ",10,600"));
        cmd.addAll(List.of(args));
        return ns.spawn(cmd.toArray(String[]::new));
    }

    /**
     * Namespaces are created with IPv6 off (no stray router solicitations or MLD reports in other
     * tests' captures): turns it on for the TAP only, which gives the kernel a link-local address,
     * and adds its static address without duplicate address detection.
     */
    static void enableIpv6(Netns ns, String tap) {
        ns.exec("sysctl", "-qw", "net.ipv6.conf." + tap + ".disable_ipv6=0");
        ns.exec("ip", "-6", "addr", "add", KERNEL + "/64", "dev", tap, "nodad");
    }

    private static Ipv6Address awaitPreferred(EventLoop loop, NetStack stack) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<Ipv6AddressInfo> addrs = onLoop(loop, stack::ipv6Addresses);
            if (addrs.size() >= 2 && addrs.stream().allMatch(a -> a.state() == AddressState.PREFERRED)) {
                return addrs.stream().filter(a -> a.origin() == AddressOrigin.LINK_LOCAL).findFirst().orElseThrow().address();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("our addresses never became preferred: " + onLoop(loop, stack::ipv6Addresses));
    }

    /** The kernel's link-local address on the TAP once its own duplicate address detection is over. */
    private static String awaitKernelLinkLocal(Netns ns, String tap) throws InterruptedException {
        Pattern p = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link(?! tentative)(?!.*tentative)");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String out = "";
        while (System.nanoTime() < deadline) {
            out = ns.exec("ip", "-6", "addr", "show", "dev", tap);
            Matcher m = p.matcher(out);
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the kernel's link-local address stayed tentative: " + out);
    }

    private static String ping(EventLoop loop, NetStack stack, Ipv6Address dst, int seq) throws Exception {
        return ping(loop, stack, dst, seq, 56).replaceAll(" bytes \\d+$", "");
    }

    private static String ping(EventLoop loop, NetStack stack, Ipv6Address dst, int seq, int size) throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        loop.execute(() -> stack.ping6(dst, 4242, seq, size, Duration.ofSeconds(5), new Ping6Listener() {
            @Override
            public void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos) {
                f.complete("reply from " + Ipv6Address.format(fromHi, fromLo) + " bytes " + bytes);
            }

            @Override
            public void onFailure(int sequence, long fromHi, long fromLo, String reason) {
                f.complete("failed: " + reason);
            }
        }));
        return f.get(30, TimeUnit.SECONDS);
    }

    private static <T> T onLoop(EventLoop loop, Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(s.get()));
        return f.get(10, TimeUnit.SECONDS);
    }
}
