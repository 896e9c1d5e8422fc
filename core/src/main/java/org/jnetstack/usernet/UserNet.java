package org.jnetstack.usernet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.dns.HostResolver;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopClosedException;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;

/**
 * User-mode networking (QEMU's "user" mode, slirp, passt — with our own stack): a gateway
 * stack on the same event loop as the guest, joined to it by a {@link VirtualSwitch}, that
 * gives the guest the host's network without root or a TAP device.
 *
 * <pre>{@code
 * EventLoop loop = EventLoop.system();
 * UserNet net = UserNet.create(loop, UserNetConfig.defaults()
 *         .withForwards(List.of(ForwardRule.parse("tcp:8080:80"))));
 * NetStack guest = NetStack.builder(loop).device(net.guestDevice())
 *         .address(net.config().guest(), 24).gateway(net.config().gateway()).build();
 * loop.start();
 * }</pre>
 *
 * <ul>
 *   <li>Outbound TCP to any address (see {@link TcpNat}): accepted only once the host connect
 *       succeeded, then spliced with bounded buffers ({@link TcpSplice}). The gateway's own
 *       address stands for the host's 127.0.0.1.</li>
 *   <li>Outbound UDP ({@link UdpNat}): one host datagram socket per flow, idle timeout; a host
 *       port that refuses is reported to the guest as ICMP port unreachable. DNS sent to the
 *       DNS address goes to the host's name server (the first nameserver of /etc/resolv.conf),
 *       or, when there is none or it refuses, is answered from the host's resolver
 *       ({@link DnsForwarder}).</li>
 *   <li>Guest ping to outside addresses through an unprivileged ICMP echo socket of the host
 *       ({@link IcmpNat}), where {@code net.ipv4.ping_group_range} allows it; otherwise no reply.
 *       At most {@value EchoTable#SLOTS} requests wait for replies, {@value EchoTable#PER_GUEST} of
 *       one guest address, each for 10 s.</li>
 *   <li>A DHCP server ({@link DhcpServer}) handing the guest its address, router and DNS.</li>
 *   <li>IPv6 ({@link UserNetIpv6}): the gateway is the link's router ({@link RouterAdvertiser}),
 *       announcing a /64 (a random unique local one unless configured) for SLAAC, and answers
 *       neighbour discovery and ping at {@code PREFIX::2} and its link-local address. TCP and UDP to
 *       any global IPv6 address go out through host sockets as over IPv4 (NAT66), {@code PREFIX::2}
 *       standing for the host's [::1]; DNS answers at {@code PREFIX::3}, announced in the
 *       advertisements' RDNSS option. Guest ping to outside IPv6 addresses goes through an
 *       unprivileged ICMPv6 echo socket of the host ({@link IcmpNat}), under the same sysctl.</li>
 *   <li>Inbound forwards ({@link ForwardRule}): a host listening socket per rule, each
 *       connection spliced to the guest's port; for UDP a host datagram socket whose senders
 *       each get a gateway port towards the guest ({@link UdpForward}). The guest sees a client
 *       that is not on the host's loopback from its own address ({@link ClientAddresses}).</li>
 * </ul>
 *
 * <p>Create it on the loop thread or before the loop starts; {@link #close()} from any thread.
 */
public final class UserNet implements AutoCloseable {
    private static final InetAddress IPV6_LOOPBACK = Ipv6Address.LOOPBACK.toInetAddress();
    private static final MacAddress GATEWAY_MAC = MacAddress.parse("52:55:0a:00:02:02");
    /** QEMU's default guest MAC. */
    public static final MacAddress GUEST_MAC = MacAddress.parse("52:54:00:12:34:56");

    private final EventLoop loop;
    private final UserNetConfig config;
    private final VirtualSwitch link;
    private final LinkDevice guestPort;
    /** The gateway stack's own port on {@link #link}. */
    private final VirtualSwitch.Port gatewayPort;
    private final NetStack stack;
    private final HostSelector selector;
    private final Counter closeErrors;
    /** Who owns which station address on {@link #link}: outside machines cannot take the gateway's or each other's. */
    private final StationGuard.Owners stations;
    /** The switch ports of outside machines ({@link #attachExternal}). */
    private final java.util.Set<VirtualSwitch.Port> externalPorts = new java.util.HashSet<>();
    private final Splices splices;
    private final TcpNat tcpNat;
    private final UdpNat udpNat;
    private final DhcpServer dhcp;
    private final DnsForwarder dnsForwarder;
    private final IcmpNat icmpNat;
    /** Null when IPv6 is off. */
    private final IcmpNat icmp6Nat;
    /** Null when IPv6 is off. */
    private final Ipv6Address ipv6Prefix;
    /** The gateway's IPv6 link-local address once it has one (loop thread). */
    private Ipv6Address gatewayLinkLocal;
    private final RouterAdvertiser router;
    /** Null when forwards appear from the gateway address ({@link UserNetConfig#keepClientAddress()} off). */
    private final ClientAddresses clientAddresses;
    private final InetSocketAddress dnsUpstream;
    /** The DNS address answers from the host's resolver: no upstream to relay to, or it refused. Loop thread. */
    private boolean dnsFromHostResolver;
    private final Map<ForwardRule, Forward> forwards = new LinkedHashMap<>();
    private volatile boolean closed;

    private UserNet(EventLoop loop, UserNetConfig config, InetSocketAddress dnsUpstream, DnsForwarder.HostLookup hostLookup) {
        this.loop = loop;
        this.config = config;
        this.dnsUpstream = dnsUpstream;
        this.dnsFromHostResolver = dnsUpstream == null;
        // Frames between two stacks on one loop: a deep queue keeps bulk transfers from
        // dropping at the switch. The address table has room for every port's stations
        // (StationGuard bounds what one outside machine may claim).
        this.link = new VirtualSwitch("usernet", config.mtu(), 1024, VirtualSwitch.DEFAULT_MAC_TABLE_SIZE);
        VirtualSwitch.Port gwPort = link.newPort("usernet-gw", GATEWAY_MAC);
        this.gatewayPort = gwPort;
        this.guestPort = link.newPort("usernet-guest", GUEST_MAC);
        this.clientAddresses = config.keepClientAddress() ? new ClientAddresses(gwPort, loop, config.gateway().bits()) : null;
        StackSecrets secrets = StackSecrets.secure();
        UserNetIpv6 v6 = config.ipv6();
        this.ipv6Prefix = v6.enabled() ? v6.prefixOr(secrets.newStream("usernet.ula-global-id")) : null;
        this.stack = NetStack.builder(loop).name("usernet").device(clientAddresses != null ? clientAddresses : gwPort)
                .config(gatewayStackConfig(StackConfig.defaults(), ipv6Prefix))
                .mtu(config.mtu()).address(config.gateway(), config.prefixLength()).build();
        this.router = v6.enabled() ? new RouterAdvertiser(stack, ipv6Prefix, v6, config.mtu(), secrets.newStream("usernet.ra")) : null;
        if (router != null) {
            // NAT66: guest packets to any global address go up to the TCP and UDP catch-alls, as over IPv4.
            stack.ipv6().setAcceptAnyDestination(true);
            router.start();
        }
        if (clientAddresses != null) {
            // Every live forwarded connection and UDP session, and as many TCP ones lingering 2 MSL after theirs ended.
            var tcpConfig = stack.tcp().config();
            clientAddresses.configure(2 * tcpConfig.maxConnections() + config.maxUdpFlows(), 2 * tcpConfig.msl().toNanos(),
                    stack.counters());
        }
        // The DNS address is on-link: the gateway answers ARP for it, and its datagrams reach
        // the UDP catch-all like any foreign destination's (UdpNat relays port 53 to the host's resolver).
        stack.iface().addProxyArp(config.dns().bits());
        stack.ipv4().setAcceptAnyDestination(true);
        this.selector = new HostSelector("usernet-host-io", stack.counters().counter("usernet.host.loop_stopped"));
        this.closeErrors = stack.counters().counter("usernet.close_errors");
        this.splices = new Splices(config.spliceBufferBytes(), config.maxTcpSplices(), stack.counters());
        this.tcpNat = new TcpNat(this);
        this.udpNat = new UdpNat(this, secrets.newPrf("usernet.udp-flows"));
        this.dhcp = new DhcpServer(this, link, this::isPresent);
        this.stations = new StationGuard.Owners(this::addressHolder, this::isGateway6, stack.counters());
        stations.reserve(GATEWAY_MAC.bits(), gwPort);
        this.dnsForwarder = new DnsForwarder(this, hostLookup);
        this.icmpNat = new IcmpNat(this, false, new HostEchoSocket(false));
        this.icmp6Nat = router != null ? new IcmpNat(this, true, new HostEchoSocket(true)) : null;
    }

    /**
     * {@code base} with IPv6 on and {@code PREFIX::2/64} (the gateway) and {@code PREFIX::3/64} (the
     * DNS address) for the gateway, or IPv6 off when {@code prefix} is null.
     */
    static StackConfig gatewayStackConfig(StackConfig base, Ipv6Address prefix) {
        return prefix == null ? base.toBuilder().ipv6(false).build()
                : base.toBuilder().ipv6(true).ipv6Addresses(List.of(UserNetIpv6.gatewayAddress(prefix) + "/64",
                        UserNetIpv6.dnsAddress(prefix) + "/64")).build();
    }

    /** Creates the gateway and binds the configured forwards (loop thread, or before the loop starts). */
    public static UserNet create(EventLoop loop, UserNetConfig config) {
        InetAddress ns = resolvConfNameserver(Path.of("/etc/resolv.conf"));
        return create(loop, config, ns == null ? null : new InetSocketAddress(ns, 53));
    }

    /**
     * Like {@link #create(EventLoop, UserNetConfig)}, with DNS relayed to {@code dnsUpstream}; null
     * answers every guest query from the host's own resolver ({@link HostResolver#lookup}, which
     * knows /etc/hosts) instead of relaying.
     */
    public static UserNet create(EventLoop loop, UserNetConfig config, InetSocketAddress dnsUpstream) {
        return create(loop, config, dnsUpstream, HostResolver::lookup);
    }

    /**
     * Like {@link #create(EventLoop, UserNetConfig, InetSocketAddress)}; queries the upstream cannot
     * take are answered from {@code hostLookup}.
     */
    static UserNet create(EventLoop loop, UserNetConfig config, InetSocketAddress dnsUpstream, DnsForwarder.HostLookup hostLookup) {
        if (loop.clock().isVirtual()) {
            throw new IllegalArgumentException("user-mode networking talks to real host sockets: use a loop on the system clock");
        }
        UserNet net = new UserNet(loop, config, dnsUpstream, hostLookup);
        try {
            for (ForwardRule r : config.forwards()) {
                net.addForward(r);
            }
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /**
     * The device the guest stack is built on (its MAC is {@link #GUEST_MAC}, which no outside
     * machine may send from once this is called). Loop thread, or before the loop starts.
     */
    public LinkDevice guestDevice() {
        stations.reserve(GUEST_MAC.bits(), guestPort);
        return guestPort;
    }

    /**
     * Puts an outside machine's link on the gateway's switch, on a port of its own: a QEMU guest's
     * {@link org.jnetstack.link.StreamDevice}, a TAP in a network namespace. Frames go both ways
     * between {@code device} and the port, on this gateway's loop; the machine is served like the
     * in-process guest (DHCP hands each MAC its own address from {@link UserNetConfig#guest()} on,
     * NAT, DNS; forwards go to {@link UserNetConfig#guest()}). The machine may send from at most
     * {@link StationGuard#STATIONS_PER_PORT} source addresses, none of them the gateway's or one
     * another machine sent from first ({@link StationGuard}). Loop thread, or before the loop
     * starts; the device is closed with the loop.
     *
     * @return the switch port the device is joined to (its counters show what the switch dropped)
     */
    public VirtualSwitch.Port attachExternal(LinkDevice device) {
        if (device.mtu() > config.mtu()) {
            throw new IllegalArgumentException(device.name() + " has MTU " + device.mtu()
                    + ", above the gateway's " + config.mtu() + ": its larger frames would be dropped");
        }
        VirtualSwitch.Port port = link.newPort(device.name());
        externalPorts.add(port);
        port.bridge(loop, new StationGuard(device, stations));
        if (port.offloads().txChecksum()) {
            // The device takes partial checksums and super-segments (an offloading TAP): so does the
            // gateway stack, which then sends it large segments; the switch finishes them for plain ports.
            gatewayPort.setOffloads(LinkOffloads.ALL);
        }
        return port;
    }

    /**
     * Whether the machine of station {@code mac} is still on the switch: behind an outside port,
     * the station's guard owns it (a disconnected guest's addresses are released); behind the
     * in-process guest's port, whenever the switch knows it.
     */
    private boolean isPresent(long mac) {
        VirtualSwitch.Port p = link.portOf(new MacAddress(mac));
        return p != null && (!externalPorts.contains(p) || stations.isOwned(mac));
    }

    /** The station an IPv4 address on the link belongs to: the gateway's own, or a DHCP lease's client; -1 for none. */
    private long addressHolder(int address) {
        if (address == config.gateway().bits() || address == config.dns().bits()) {
            return GATEWAY_MAC.bits();
        }
        return dhcp.holderOf(address);
    }

    /** Whether {@code hi:lo} is one of the gateway's IPv6 addresses: {@code PREFIX::2}, {@code PREFIX::3}, its link-local one. */
    private boolean isGateway6(long hi, long lo) {
        if (ipv6Prefix == null) {
            return false;
        }
        if (hi == ipv6Prefix.hi()) {
            return lo == UserNetIpv6.gatewayAddress(ipv6Prefix).lo() || lo == UserNetIpv6.dnsAddress(ipv6Prefix).lo();
        }
        Ipv6Address linkLocal = gatewayLinkLocal;
        if (linkLocal == null) {
            linkLocal = gatewayLinkLocal = stack.ipv6().interfaces().getFirst().linkLocalAddress(); // null until configured
        }
        return linkLocal != null && hi == linkLocal.hi() && lo == linkLocal.lo();
    }

    /** The /64 prefix the gateway advertises to the guests, or null when IPv6 is off. */
    public Ipv6Address ipv6Prefix() {
        return ipv6Prefix;
    }

    /** The gateway's address in {@link #ipv6Prefix()}, {@code PREFIX::2}, or null when IPv6 is off. */
    public Ipv6Address ipv6Gateway() {
        return ipv6Prefix == null ? null : UserNetIpv6.gatewayAddress(ipv6Prefix);
    }

    /** The DNS address in {@link #ipv6Prefix()}, {@code PREFIX::3} (announced in RDNSS), or null when IPv6 is off. */
    public Ipv6Address ipv6Dns() {
        return ipv6Prefix == null ? null : UserNetIpv6.dnsAddress(ipv6Prefix);
    }

    /** The gateway's own stack (its counters include the usernet.* ones). */
    public NetStack stack() {
        return stack;
    }

    public UserNetConfig config() {
        return config;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The gateway's counters: its stack's and usernet.* (splices, NAT, forwards, buffered bytes). */
    public Counters counters() {
        return stack.counters();
    }

    /**
     * Starts forwarding a host port to the guest (loop thread, or before the loop starts).
     *
     * @return the host address actually listened on
     * @throws java.io.UncheckedIOException if the host port cannot be bound
     */
    public InetSocketAddress addForward(ForwardRule rule) {
        Forward f = rule.udp() ? new UdpForward(this, rule) : new TcpForward(this, rule);
        forwards.put(rule, f);
        return f.hostAddress();
    }

    /** Each forward rule and the host address it listens on. */
    public Map<ForwardRule, InetSocketAddress> forwards() {
        Map<ForwardRule, InetSocketAddress> m = new LinkedHashMap<>();
        forwards.forEach((r, f) -> m.put(r, f.hostAddress()));
        return m;
    }

    /** Live TCP splices (outbound and forwarded); loop thread. */
    public int activeTcpSplices() {
        return splices.live().size();
    }

    /** Live UDP flows; loop thread. */
    public int activeUdpFlows() {
        return udpNat.flowCount();
    }

    /**
     * The IPv4 address a forwarded connection from host client {@code client} should appear from
     * in the guest, or 0 for the gateway's own: the client's address when
     * {@link UserNetConfig#keepClientAddress()} is on and it is an IPv4 address the guest can route
     * back through the gateway (not loopback, not in the guest network, not "this network",
     * multicast or broadcast), and the translation table has room.
     */
    int clientAddressFor(InetSocketAddress client) {
        if (clientAddresses == null || !(client.getAddress() instanceof java.net.Inet4Address a)) {
            return 0;
        }
        int ip = Bytes.i32(a.getAddress(), 0);
        if (ip == config.gateway().bits() || ip == config.dns().bits() || hostAddressFor(ip) == null) {
            return 0;
        }
        return clientAddresses.hasRoom() ? ip : 0;
    }

    /** The source-address translation between the gateway stack and its switch port, or null when off. */
    ClientAddresses clientAddresses() {
        return clientAddresses;
    }

    boolean isClosed() {
        return closed;
    }

    UdpNat udpNat() {
        return udpNat;
    }

    DhcpServer dhcp() {
        return dhcp;
    }

    DnsForwarder dnsForwarder() {
        return dnsForwarder;
    }

    /** Whether guest DNS queries are answered from the host's resolver rather than relayed. Loop thread. */
    boolean dnsFromHostResolver() {
        return dnsFromHostResolver;
    }

    /**
     * The relayed-to name server refused (ICMP port unreachable: e.g. a loopback stub resolver
     * that is not running): from now on the host's resolver answers. Loop thread.
     */
    void dnsUpstreamRefused() {
        dnsFromHostResolver = true;
    }

    HostSelector hostSelector() {
        return selector;
    }

    Splices splices() {
        return splices;
    }

    /**
     * Where a guest TCP connection or UDP flow to {@code dst} goes on the host, or null if
     * nowhere: the gateway address means the host itself (127.0.0.1); the rest of the guest
     * network, loopback, "this network", multicast and broadcast addresses are not passed on.
     */
    InetAddress hostAddressFor(int dst) {
        if (dst == config.gateway().bits()) {
            return config.hostLoopback() ? InetAddress.getLoopbackAddress() : null;
        }
        int mask = Ipv4Address.mask(config.prefixLength());
        int first = dst >>> 24;
        if ((dst & mask) == config.network().bits() || first == 127 || first == 0 || first >= 224) {
            return null;
        }
        return toInet(dst);
    }

    /**
     * Where a guest TCP connection or UDP flow to {@code dst:port} goes on the host, or null:
     * {@link #hostAddressFor} for most; port 53 of the DNS address goes to the name server DNS is
     * relayed to (over UDP, and over TCP for a truncated answer's retry, RFC 7766) — nowhere
     * while the host's resolver answers instead. The destination in the two-long form: IPv4 as
     * ::ffff:a.b.c.d, IPv6 ({@code PREFIX::3} the DNS address) as itself.
     */
    InetSocketAddress hostTarget(long dstHi, long dstLo, int port) {
        boolean v4 = TransportAddresses.isV4(dstHi, dstLo);
        if (v4 ? TransportAddresses.v4(dstLo) == config.dns().bits() : isIpv6Dns(dstHi, dstLo)) {
            return port == 53 && !dnsFromHostResolver ? dnsUpstream : null;
        }
        InetAddress a = v4 ? hostAddressFor(TransportAddresses.v4(dstLo)) : hostAddressFor6(dstHi, dstLo);
        return a == null ? null : new InetSocketAddress(a, port);
    }

    /** Whether {@code hi:lo} is the DNS address {@code PREFIX::3}. */
    boolean isIpv6Dns(long hi, long lo) {
        return ipv6Prefix != null && hi == ipv6Prefix.hi() && lo == UserNetIpv6.dnsAddress(ipv6Prefix).lo();
    }

    /**
     * {@link #hostAddressFor} over IPv6: {@code PREFIX::2} means the host itself ([::1], unless
     * {@link UserNetConfig#hostLoopback()} is off); the rest of the guests' prefix, loopback,
     * unspecified, link-local, multicast and IPv4-mapped addresses are not passed on.
     */
    InetAddress hostAddressFor6(long hi, long lo) {
        if (ipv6Prefix == null) {
            return null;
        }
        if (hi == ipv6Prefix.hi()) {
            return lo == UserNetIpv6.gatewayAddress(ipv6Prefix).lo() && config.hostLoopback() ? IPV6_LOOPBACK : null;
        }
        if (Ipv6Address.isMulticast(hi) || Ipv6Address.isLinkLocal(hi) || Ipv6Address.isUnspecified(hi, lo)
                || Ipv6Address.isLoopback(hi, lo) || Ipv6Address.isV4Mapped(hi, lo)) {
            return null;
        }
        return new Ipv6Address(hi, lo).toInetAddress();
    }

    static InetAddress toInet(int a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /** The first {@code nameserver} of a resolv.conf, or null. */
    static InetAddress resolvConfNameserver(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver")) {
                    try {
                        return InetAddress.getByName(f[1].replaceAll("%.*$", ""));
                    } catch (UnknownHostException e) {
                        // not an address literal: try the next line
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no resolver configuration: DNS through the gateway is unavailable
        }
        return null;
    }

    /** Resets every spliced connection, closes the host sockets and the gateway stack. Any thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop.inLoop() || !loop.isRunning()) {
            closeOnLoop();
        } else {
            try {
                loop.call(() -> {
                    closeOnLoop();
                    return null;
                }, Duration.ofSeconds(5));
            } catch (LoopClosedException e) {
                closeOnLoop();
            } catch (TimeoutException e) {
                // the loop does not answer: it closes the rest with itself
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        selector.close();
    }

    private void closeOnLoop() {
        List<Runnable> steps = new ArrayList<>();
        for (Forward f : forwards.values()) {
            steps.add(f::close);
        }
        for (TcpSplice s : splices.live()) {
            steps.add(s::abort);
        }
        steps.add(udpNat::close);
        steps.add(icmpNat::close);
        if (icmp6Nat != null) {
            steps.add(icmp6Nat::close);
        }
        steps.add(dhcp::close);
        if (router != null) {
            steps.add(router::stop);
        }
        steps.add(stack::close);
        for (Runnable r : steps) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                // Closing must not fail, even after the loop failed half-way through a change
                // (then this runs on the caller's thread, on whatever state the error left).
                closeErrors.inc();
            }
        }
    }

    @Override
    public String toString() {
        return "usernet " + config.network() + "/" + config.prefixLength() + " gateway " + config.gateway()
                + " dns " + config.dns() + " guest " + config.guest() + (ipv6Prefix == null ? "" : " ipv6 " + ipv6Prefix + "/64 dns "
                + ipv6Dns())
                + " forwards " + forwards();
    }
}
