package org.jnetstack.apps.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jnetstack.NetStack;
import org.jnetstack.apps.appliance.InterfaceAddress;
import org.jnetstack.dhcp.DhcpClient;
import org.jnetstack.dhcp.DhcpConfig;
import org.jnetstack.dhcp.DhcpLease;
import org.jnetstack.dhcp.DhcpListener;
import org.jnetstack.dns.DnsResolver;
import org.jnetstack.dns.ResolverConfig;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.PcapRing;
import org.jnetstack.link.StreamDevice;
import org.jnetstack.link.StreamOptions;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopClosedException;
import org.jnetstack.usernet.ForwardRule;
import org.jnetstack.usernet.UserNet;
import org.jnetstack.usernet.UserNetConfig;
import org.jnetstack.usernet.UserNetIpv6;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;

/**
 * The one path from {@link StackOptions} to a running {@link NetStack}, shared by every
 * command: open the device, wrap it in the middleware the options ask for (pcap, trace),
 * build the stack, start its event loop. {@link #close()} takes it all down in order, so a
 * pcap file is complete when it returns.
 */
public final class StackLauncher implements AutoCloseable {
    private final EventLoop loop;
    private final NetStack stack;
    private final LinkDevice device;
    private final TapDevice tap;
    private final UserNet userNet;
    /** The running gateway's socket this stack joined through ({@link #startOnGateway}), or null. */
    private Path gatewaySocket;
    private final Link options;
    private final DnsResolver resolver;
    private volatile boolean explicitDns;
    private DhcpClient dhcp;
    private volatile DhcpLease lease;
    private boolean closed;
    /** How long {@link #close()} waits for the peers to acknowledge our last data and FINs. */
    static final Duration END_GRACE = Duration.ofSeconds(2);

    /** How long --dhcp waits for a lease before giving up. */
    static final Duration DHCP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How to attach a stack: the TAP interface, the address, and the middleware (a pcap file,
     * trace lines, an in-memory ring of the last frames for the admin page's download).
     */
    public record Link(String tap, InterfaceAddress ip, Ipv4Address gateway, MacAddress mac, Integer mtu,
            Path pcap, boolean trace, PcapRing ring, boolean offload, boolean ipv6, List<String> ip6, String ipv6Secret) {
        public Link {
            ip6 = List.copyOf(ip6);
        }

        /** With IPv6 interface identifiers from a secret drawn at start (they change across restarts). */
        public Link(String tap, InterfaceAddress ip, Ipv4Address gateway, MacAddress mac, Integer mtu,
                Path pcap, boolean trace, PcapRing ring, boolean offload, boolean ipv6, List<String> ip6) {
            this(tap, ip, gateway, mac, mtu, pcap, trace, ring, offload, ipv6, ip6, null);
        }

        /** The stack's configuration: IPv6 on or off, its static IPv6 addresses, its RFC 7217 secret. */
        org.jnetstack.config.StackConfig stackConfig() {
            return org.jnetstack.config.StackConfig.defaults().toBuilder().ipv6(ipv6).ipv6Addresses(ip6)
                    .ipv6StableSecret(ipv6Secret).build();
        }

        /** IPv6 on (link-local address, SLAAC), no static IPv6 address. */
        public Link(String tap, InterfaceAddress ip, Ipv4Address gateway, MacAddress mac, Integer mtu,
                Path pcap, boolean trace, PcapRing ring, boolean offload) {
            this(tap, ip, gateway, mac, mtu, pcap, trace, ring, offload, true, List.of());
        }

        /** With TAP offloads (checksum + TSO) when the kernel grants them. */
        public Link(String tap, InterfaceAddress ip, Ipv4Address gateway, MacAddress mac, Integer mtu,
                Path pcap, boolean trace, PcapRing ring) {
            this(tap, ip, gateway, mac, mtu, pcap, trace, ring, true);
        }
    }

    private StackLauncher(EventLoop loop, NetStack stack, LinkDevice device, TapDevice tap, UserNet userNet, Link options) {
        this.loop = loop;
        this.stack = stack;
        this.device = device;
        this.tap = tap;
        this.userNet = userNet;
        this.options = options;
        this.resolver = DnsResolver.create(stack, ResolverConfig.defaults());
        if (userNet != null) {
            resolver.setServers(List.of(userNet.config().dns()));
        }
    }

    /**
     * Brings a stack up on user-mode networking (no root, no TAP): a gateway on the same loop
     * gives it the host's network and forwards host ports to it. Without an address in {@code o}
     * the stack asks the gateway's DHCP server for one, as a guest behind QEMU's user networking
     * does (10.0.2.15/24, router 10.0.2.2, DNS 10.0.2.3), and this waits for the lease; with one,
     * the gateway's plan moves to that address's network.
     */
    public static StackLauncher startUserNet(Link o, List<ForwardRule> forwards, String name, Consumer<NetStack> setup) {
        return startUserNet(o, forwards, name, setup, null);
    }

    /** As {@link #startUserNet(Link, List, String, Consumer)}, announcing {@code hostName} (may be null) to DHCP. */
    public static StackLauncher startUserNet(Link o, List<ForwardRule> forwards, String name, Consumer<NetStack> setup,
            String hostName) {
        EventLoop loop = EventLoop.system();
        loop.onFailure(StackLauncher::reportedByTheCommand);
        UserNet net = null;
        LinkDevice device = null;
        try {
            UserNetConfig plan = userNetPlan(o);
            net = UserNet.create(loop, plan.withForwards(forwards));
            device = Middleware.wrap(net.guestDevice(), o);
            NetStack.Builder b = NetStack.builder(loop).device(device).mtu(plan.mtu()).name(name).config(o.stackConfig());
            if (o.ip() != null) {
                b.address(plan.guest(), plan.prefixLength()).gateway(plan.gateway());
            }
            NetStack stack = b.build();
            if (setup != null) {
                setup.accept(stack);
            }
            if (stack.ipv6() != null && !stack.ipv6().interfaces().isEmpty()) {
                org.jnetstack.dhcp.Dhcpv6Client.start(stack); // acts only when a router advertises the O flag
            }
            loop.start("jns-" + name);
            StackLauncher launcher = new StackLauncher(loop, stack, device, null, net, o);
            if (o.ip() == null) {
                try {
                    // Nobody else is on the virtual link: an RFC 5227 probe would only delay the start.
                    launcher.obtainLease(DhcpConfig.defaults().withHostName(hostName)
                            .withProbes(0, Duration.ofMillis(500), Duration.ofSeconds(1)), DHCP_TIMEOUT);
                } catch (IOException | RuntimeException e) {
                    launcher.close();
                    throw e;
                }
            }
            return launcher;
        } catch (IOException e) {
            closeQuietly(net, loop, device);
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeQuietly(net, loop, device);
            throw e;
        }
    }

    /** A failure is reported by the command in one line ({@link StackFailure}): the loop need not log it. */
    private static void reportedByTheCommand(Throwable fatal) {
    }

    /**
     * QEMU's plan, with the link's MTU, moved to the link's static address when it has one.
     *
     * @throws IllegalArgumentException if the address cannot be a guest there (the gateway's .2 or
     *     the DNS address .3 of its network, or a network smaller than 16 addresses)
     */
    static UserNetConfig userNetPlan(Link o) {
        UserNetConfig plan = UserNetConfig.defaults();
        if (!o.ipv6()) {
            plan = plan.withIpv6(UserNetIpv6.off());
        } else if (o.ipv6Secret() != null) {
            // The prefix from the kept secret too: the same SLAAC address after a restart needs the same prefix.
            plan = plan.withIpv6(plan.ipv6().withPrefix(UserNetIpv6.uniqueLocalPrefix(prefixRandom(o.ipv6Secret()))));
        }
        if (o.mtu() != null) {
            plan = plan.withMtu(o.mtu());
        }
        if (o.ip() != null && !o.ip().address().equals(plan.guest())) {
            plan = plan.withNetwork(Ipv4Address.format(o.ip().address().bits() & Ipv4Address.mask(o.ip().prefixLength()))
                    + "/" + o.ip().prefixLength());
            plan = plan.withGuest(o.ip().address());
        }
        return plan;
    }

    /** How long a stack on the user-mode network waits for its SLAAC address before it says it is up. */
    static final Duration SLAAC_WAIT = Duration.ofSeconds(5);

    /** A random source that depends only on {@code secret}, for the unique local prefix's Global ID (RFC 4193 §3.2). */
    static java.util.random.RandomGenerator prefixRandom(String secret) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("jnetstack usernet ULA " + secret).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.util.SplittableRandom(java.nio.ByteBuffer.wrap(h).getLong());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /**
     * Waits up to {@code max} for a preferred IPv6 address besides the link-local one (on the
     * user-mode network the gateway advertises at once: SLAAC takes two duplicate address
     * detections, about 2 s), so the up line can show it. Returns at once with IPv6 off.
     */
    void awaitIpv6Address(Duration max) {
        if (!options.ipv6()) {
            return;
        }
        long end = System.nanoTime() + max.toNanos();
        try {
            while (System.nanoTime() < end && ipv6Global().isEmpty()) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The stack's usable IPv6 addresses that are not link-local (SLAAC and static), as ADDR/PREFIX. */
    List<String> ipv6Global() {
        try {
            return loop.call(() -> stack.ipv6() == null ? List.<String>of() : stack.ipv6Addresses().stream()
                    .filter(a -> a.state() == org.jnetstack.ip6.AddressState.PREFERRED
                            && !org.jnetstack.wire.Ipv6Address.isLinkLocal(a.address().hi()))
                    .map(a -> a.address() + "/" + a.prefixLength()).toList(), Duration.ofSeconds(5));
        } catch (Exception e) {
            return List.of();
        }
    }

    private static void closeQuietly(UserNet net, EventLoop loop, LinkDevice device) {
        if (net != null) {
            net.close();
        }
        loop.close();
        if (device != null) {
            device.close();
        }
    }

    /** The user-mode gateway, or null on a TAP. */
    public UserNet userNet() {
        return userNet;
    }

    /**
     * Brings a stack up from validated options. {@code setup} runs before the loop starts, on
     * this thread, which owns the stack until then: open services there.
     *
     * @throws IOException when the device cannot be opened (message says what to do)
     */
    public static StackLauncher start(StackOptions o, String name, Consumer<NetStack> setup) throws IOException {
        StackLauncher l = o.userNet() ? startUserNet(o.link(), List.of(), name, setup, o.hostName())
                : start(o.link(), name, setup, o.hostName());
        if (!o.dns().isEmpty()) {
            l.useDnsServers(o.dns());
        }
        TestHooks.install(l, TestHooks.faultPort());
        if (!o.ip6().isEmpty()) {
            l.awaitIpv6Addresses();
        }
        return l;
    }

    /**
     * Waits (at most 5 s) until no IPv6 address is tentative any more: until duplicate address
     * detection ends (RFC 4862 §5.4) an address cannot be a source, and a command's first
     * packet (ping -6, nc, http) would find no route.
     */
    void awaitIpv6Addresses() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try {
            while (System.nanoTime() < deadline && loop.call(() -> stack.ipv6Addresses().stream()
                    .anyMatch(a -> a.state() == org.jnetstack.ip6.AddressState.TENTATIVE), java.time.Duration.ofSeconds(1))) {
                Thread.sleep(50);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            // the loop is busy or stopped: the command reports what follows
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #start(StackOptions, String, Consumer)} from a {@link Link} (the appliance's config). */
    public static StackLauncher start(Link o, String name, Consumer<NetStack> setup) throws IOException {
        return start(o, name, setup, null);
    }

    /**
     * As {@link #start(Link, String, Consumer)}; a Link without an address ({@code ip} null) gets
     * one from DHCP, announcing {@code hostName} (may be null): this waits for the lease.
     */
    public static StackLauncher start(Link o, String name, Consumer<NetStack> setup, String hostName) throws IOException {
        TapDevice tap = TapDevice.open(o.tap(), o.mac(), o.mtu() != null ? o.mtu() : TapDevice.DEFAULT_MTU, o.offload());
        return startOn(tap, tap, null, o, name, setup, hostName);
    }

    /**
     * Brings a stack up as a machine on a running {@code jns gateway}'s network: a
     * {@link StreamDevice} connects to the Unix socket {@code gatewaySocket} the gateway listens
     * on ({@code --qemu PATH}), and connects again whenever the connection ends, so the stack
     * shares that network (its DHCP, DNS, NAT and forwards) with the gateway's other machines.
     * Without an address in {@code o} this waits for the gateway's DHCP lease.
     */
    public static StackLauncher startOnGateway(Link o, Path gatewaySocket, String name, Consumer<NetStack> setup, String hostName)
            throws IOException {
        StreamOptions options = StreamOptions.defaults();
        if (o.mtu() != null) {
            options = options.withMtu(o.mtu());
        }
        StreamDevice stream = StreamDevice.connectUnix(gatewaySocket, o.mac() != null ? o.mac() : macFor(gatewaySocket), options);
        try {
            return startOn(stream, null, gatewaySocket, o, name, setup, hostName);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (is `jns gateway --qemu " + gatewaySocket + "` running?)", e);
        }
    }

    /**
     * A locally administered MAC that depends only on the socket's absolute path: an appliance
     * restarted on the same socket gets the same DHCP address back (the gateway keeps leases by
     * MAC), so the gateway's forwards to it keep working.
     */
    static MacAddress macFor(Path socket) {
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bit
        for (byte b : socket.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        // 02:xx:xx:xx:xx:xx: locally administered (bit 1), unicast (bit 0 clear), of the first octet
        return new MacAddress((0x02L << 40) | (h & 0xFF_FFFF_FFFFL));
    }

    private static StackLauncher startOn(LinkDevice opened, TapDevice tap, Path gatewaySocket, Link o, String name,
            Consumer<NetStack> setup, String hostName) throws IOException {
        LinkDevice device = opened;
        EventLoop loop = null;
        try {
            device = Middleware.wrap(device, o);
            loop = EventLoop.system();
            loop.onFailure(StackLauncher::reportedByTheCommand);
            NetStack.Builder b = NetStack.builder(loop)
                    .device(device)
                    .name(name)
                    .config(o.stackConfig());
            if (o.ip() != null) {
                b.address(o.ip().address(), o.ip().prefixLength());
            }
            if (o.gateway() != null) {
                b.gateway(o.gateway());
            }
            NetStack stack = b.build();
            if (setup != null) {
                setup.accept(stack);
            }
            if (stack.ipv6() != null && !stack.ipv6().interfaces().isEmpty()) {
                org.jnetstack.dhcp.Dhcpv6Client.start(stack); // acts only when a router advertises the O flag
            }
            loop.start("jns-" + name);
            StackLauncher launcher = new StackLauncher(loop, stack, device, tap, null, o);
            launcher.gatewaySocket = gatewaySocket;
            if (o.ip() == null) {
                try {
                    launcher.obtainLease(DhcpConfig.defaults().withHostName(hostName), DHCP_TIMEOUT);
                } catch (IOException | RuntimeException e) {
                    launcher.close();
                    throw e;
                }
            }
            return launcher;
        } catch (IOException | RuntimeException | Error e) {
            if (loop != null) {
                loop.close();
            }
            device.close();
            opened.close();
            throw e;
        }
    }

    /**
     * RFC 2131 §4.4.6: give the lease back on the way out. The RELEASE may wait for ARP, so the
     * loop keeps running until nothing waits for resolution (at most a second).
     */
    private void releaseLease() {
        if (dhcp == null || loop.isClosed() || !loop.isRunning()) {
            return;
        }
        DhcpClient c = dhcp;
        Duration step = Duration.ofSeconds(1);
        try {
            loop.call(() -> {
                c.release();
                return null;
            }, step);
            for (int i = 0; i < 50 && !loop.call(() -> c.iface().neighbors().heldBytes() == 0, step); i++) {
                Thread.sleep(20);
            }
        } catch (TimeoutException e) {
            // the loop does not answer: nothing more to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (LoopClosedException loopClosed) {
            // nothing more to do
        }
    }

    /**
     * Runs a command's {@code work} on the stack and returns its exit status; ends at once with
     * {@link StackFailure.Failed} (one line, exit 1) when the stack's loop fails meanwhile, even
     * if the work is blocked on the loop.
     */
    int runUntilFailure(Callable<Integer> work) throws Exception {
        return StackFailure.run(loop, work);
    }

    public NetStack stack() {
        return stack;
    }

    /**
     * Starts a DHCP client and waits until it is bound; prints the lease to standard error. The
     * lease's DNS servers become the resolver's unless --dns named others.
     */
    private void obtainLease(DhcpConfig config, Duration timeout) throws IOException {
        CompletableFuture<Void> bound = new CompletableFuture<>();
        AtomicReference<DhcpClient> client = new AtomicReference<>();
        DhcpListener listener = new DhcpListener() {
            @Override
            public void onBound(DhcpLease l) {
                leased(l);
                bound.complete(null);
            }

            @Override
            public void onRenewed(DhcpLease l) {
                leased(l);
            }

            @Override
            public void onLost(DhcpLease l, String reason) {
                lease = null;
                System.err.println("jns: DHCP lease " + l.address() + " lost: " + reason);
            }
        };
        try {
            loop.execute(() -> {
                client.set(DhcpClient.start(stack, config, listener));
            });
        } catch (IllegalStateException e) {
            if (stack.failure().isDone()) {
                throw new StackFailure.Failed(stack.failure().join());
            }
            throw e;
        }
        try {
            // the lease, or the loop's failure, whichever comes first
            CompletableFuture.anyOf(bound, stack.failure()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!bound.isDone()) {
                throw new StackFailure.Failed(stack.failure().join());
            }
        } catch (TimeoutException e) {
            throw new IOException("no DHCP lease within " + timeout.toSeconds() + " s on " + device.name()
                    + ": is a DHCP server answering on that network? (or give --ip)");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // neither future completes exceptionally
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a DHCP lease");
        } finally {
            dhcp = client.get();
        }
        System.err.println("jns: DHCP lease " + lease);
    }

    private void leased(DhcpLease l) {
        lease = l;
        if (!explicitDns) {
            resolver.setServers(l.dnsServers());
        }
        if (l.domain() != null) {
            resolver.setSearchDomains(List.of(l.domain())); // "jns dns printer" finds printer.<domain>
        }
    }

    /** The DHCP lease in use, or null (static address, or not bound). */
    public DhcpLease lease() {
        return lease;
    }

    /** The DHCP client (with --dhcp), or null; loop thread only. */
    public DhcpClient dhcp() {
        return dhcp;
    }

    /** Resolves host names over the stack: --dns servers, else the DHCP lease's, else the user-mode gateway's. */
    public DnsResolver resolver() {
        return resolver;
    }

    /** Uses these DNS servers, whatever a DHCP lease says. */
    public void setDnsServers(List<Ipv4Address> servers) {
        explicitDns = true;
        resolver.setServers(servers);
    }

    /** Uses these DNS servers of either family (--dns), whatever a DHCP lease says. */
    public void useDnsServers(List<org.jnetstack.dns.DnsServer> servers) {
        explicitDns = true;
        resolver.setDnsServers(servers);
    }

    public EventLoop loop() {
        return loop;
    }

    /** The link as the status page shows it: {@code TAP jns0 (MAC 02:..., MTU 1500)}. */
    public String describeLink() {
        if (userNet != null) {
            return "user-mode network " + userNet.config().network() + "/" + userNet.config().prefixLength()
                    + " (MAC " + device.mac() + ", MTU " + device.mtu() + ")";
        }
        if (tap == null) {
            return "jns gateway at " + gatewaySocket + " (MAC " + device.mac() + ", MTU " + device.mtu() + ")";
        }
        return "TAP " + tap.name() + " (MAC " + device.mac() + ", MTU " + device.mtu() + ", offloads " + tap.offloadStatus() + ")";
    }

    /**
     * {@code 10.0.0.2/24 on TAP jns0 (MAC 02:..., MTU 1500, offloads on (rx-checksum tx-checksum tso(65535)))},
     * plus the gateway if any; "offloads off (reason)" when --no-offload was given or the kernel refused.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (userNet != null) {
            UserNetConfig c = userNet.config();
            DhcpLease l = lease;
            Object address = l != null ? l.address() + "/" + l.prefixLength() + " (DHCP)" : c.guest() + "/" + c.prefixLength();
            sb.append(address).append(" on the user-mode network (gateway ")
                    .append(c.gateway()).append(" = the host, DNS ").append(c.dns()).append(')');
            if (userNet.ipv6Prefix() != null) {
                List<String> v6 = ipv6Global();
                sb.append(", IPv6 ").append(v6.isEmpty() ? "none yet (SLAAC in " + userNet.ipv6Prefix() + "/64)"
                        : String.join(", ", v6) + " (SLAAC)").append(" (gateway ").append(userNet.ipv6Gateway())
                        .append(c.hostLoopback() ? " = the host's [::1]" : "").append(", DNS ").append(userNet.ipv6Dns()).append(')');
            }
            if (options.pcap() != null) {
                sb.append(", capturing to ").append(options.pcap());
            }
            return sb.toString();
        }
        DhcpLease l = lease;
        Object address = options.ip() != null ? options.ip()
                : l != null ? l.address() + "/" + l.prefixLength() + " (DHCP from " + l.server() + ")" : "no address (DHCP)";
        if (tap == null) {
            sb.append(address).append(" on the network of the jns gateway at ").append(gatewaySocket)
                    .append(" (MAC ").append(device.mac()).append(", MTU ").append(device.mtu()).append(')');
        } else {
            sb.append(address).append(" on TAP ").append(tap.name())
                    .append(" (MAC ").append(device.mac()).append(", MTU ").append(device.mtu())
                    .append(", offloads ").append(tap.offloadStatus()).append(')');
        }
        if (options.gateway() != null) {
            sb.append(", gateway ").append(options.gateway());
        }
        List<String> v6 = ipv6Global();
        if (!v6.isEmpty()) {
            sb.append(", IPv6 ").append(String.join(", ", v6));
        }
        if (options.pcap() != null) {
            sb.append(", capturing to ").append(options.pcap());
        }
        return sb.toString();
    }

    /**
     * Ends the stack's connections (up to {@link #END_GRACE} for their FINs to be acknowledged,
     * then RST), stops the loop, then closes the stack and its devices (which flushes and closes a pcap
     * file). Stopping the loop first means it is never left waiting on a closed descriptor.
     * Safe from any thread, including a shutdown hook; idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (loop.isRunning()) {
                // What the kernel does for a program that exits: every connection gets its FIN
                // (and the data before it) delivered, within a bound, and the rest a RST. A
                // peer never waits on a stack that is gone (a TLS server blocked in a handshake
                // with us would stop serving everyone).
                stack.endConnections(END_GRACE);
            }
            releaseLease();
            if (userNet != null) {
                userNet.close(); // resets spliced connections while the loop still runs
            }
            loop.close(); // waits for the loop thread to stop, then closes the attached devices
        } finally {
            stack.close(); // "after the loop stopped" is allowed; devices close idempotently
            device.close();
        }
    }
}
