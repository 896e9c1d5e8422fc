package org.jnetstack;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.ip.Icmp;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.ip.Route;
import org.jnetstack.ip6.Icmpv6;
import org.jnetstack.ip6.Ipv6;
import org.jnetstack.ip6.Ipv6AddressInfo;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.ip6.Ipv6NeighborInfo;
import org.jnetstack.ip6.Ipv6PrefixInfo;
import org.jnetstack.ip6.Ipv6RouterInfo;
import org.jnetstack.ip6.Ping6Listener;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopClosedException;
import org.jnetstack.stats.Counters;
import org.jnetstack.tcp.Tcp;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.udp.Udp;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;

/**
 * One TCP/IP stack: its interfaces, addresses, routes and protocols, living on an
 * {@link EventLoop} (which it may share with other stacks).
 *
 * <pre>{@code
 * EventLoop loop = EventLoop.system();
 * NetStack stack = NetStack.builder(loop)
 *         .device(TapDevice.open("jns0"))
 *         .address(Ipv4Address.parse("10.0.0.2"), 24)
 *         .build();
 * loop.start();
 * }</pre>
 *
 * <p>Everything but {@link #counters()} and {@link #close()} is for the loop thread; other threads
 * hand work in with {@code loop.execute(...)}.
 */
public final class NetStack implements AutoCloseable {
    private final String name;
    private final EventLoop loop;
    private final StackConfig config;
    private final Counters counters = new Counters();
    private final Ipv4 ipv4;
    /** Null when the config turns IPv6 off. */
    private final Ipv6 ipv6;
    private final Udp udp;
    private final Tcp tcp;
    private volatile boolean closed;

    private NetStack(Builder b) {
        this.name = b.name;
        this.loop = b.loop;
        this.config = b.seed != null ? b.config.toBuilder().seed(b.seed).build() : b.config;
        StackSecrets secrets = StackSecrets.of(config.seed());
        this.ipv4 = new Ipv4(loop, config, counters, secrets);
        this.ipv6 = config.ipv6() ? new Ipv6(loop, config, counters, secrets, ipv4.memory()) : null;
        this.udp = new Udp(ipv4, counters);
        this.tcp = new Tcp(ipv4, counters, b.tcpConfig);
        if (ipv6 != null) {
            Ipv6Transports.attach(ipv6, tcp, udp);
        }
        if (b.device != null) {
            LinkDevice dev = b.device;
            long mac = b.mac != null ? b.mac.bits() : dev.mac() != null ? dev.mac().bits() : MacAddress.randomLocal(secrets.newStream("mac")).bits();
            int mtu = b.mtu != null ? b.mtu : dev.mtu();
            addInterface(dev, new MacAddress(mac), mtu, b.address, b.prefixLength);
            if (b.gateway != null) {
                ipv4.setGateway(b.gateway.bits());
            }
        }
    }

    public static Builder builder(EventLoop loop) {
        return new Builder(loop);
    }

    /** Adds another interface (loop thread, or before the loop runs). */
    public NetInterface addInterface(LinkDevice device, MacAddress mac, int mtu, Ipv4Address address, int prefixLength) {
        NetInterface ni = ipv4.addInterface(device.name(), device, mac.bits(), mtu,
                address == null ? 0 : address.bits(), address == null ? 0 : prefixLength);
        counters.include(device.stats().counters());
        if (ipv6 != null) {
            // The configured static IPv6 addresses belong to the first interface.
            ipv6.addInterface(ni, ipv4.interfaces().size() == 1 ? config.ipv6Addresses() : List.of());
        }
        return ni;
    }

    public String name() {
        return name;
    }

    public EventLoop loop() {
        return loop;
    }

    public StackConfig config() {
        return config;
    }

    /** Every layer's counters, including each device's. Safe to read from any thread. */
    public Counters counters() {
        return counters;
    }

    public Ipv4 ipv4() {
        return ipv4;
    }

    public Icmp icmp() {
        return ipv4.icmp();
    }

    /** The IPv6 layer, or null when {@link StackConfig#ipv6()} is off. */
    public Ipv6 ipv6() {
        return ipv6;
    }

    /** ICMPv6 (ping6), or null when IPv6 is off. */
    public Icmpv6 icmp6() {
        return ipv6 == null ? null : ipv6.icmp();
    }

    /**
     * Sends one ICMPv6 echo request to {@code dst} (loop thread), on the first interface for a
     * link-local or multicast destination; the outcome comes to {@code listener}.
     *
     * @throws IllegalStateException when IPv6 is off
     */
    public void ping6(Ipv6Address dst, int identifier, int sequence, int payloadLength, Duration timeout, Ping6Listener listener) {
        if (ipv6 == null) {
            throw new IllegalStateException("IPv6 is off in this stack's configuration (StackConfig.ipv6)");
        }
        ipv6.icmp().ping(null, dst.hi(), dst.lo(), identifier, sequence, payloadLength, timeout.toNanos(), listener);
    }

    /** Every interface's IPv6 addresses with state and origin (empty when IPv6 is off). Loop thread. */
    public List<Ipv6AddressInfo> ipv6Addresses() {
        return ipv6 == null ? List.of() : ipv6.interfaces().stream().flatMap(i -> i.addressInfo().stream()).toList();
    }

    /** Every interface's IPv6 neighbour cache entries. Loop thread. */
    public List<Ipv6NeighborInfo> ipv6Neighbors() {
        return ipv6 == null ? List.of() : ipv6.interfaces().stream().flatMap(i -> i.neighbors().list().stream()).toList();
    }

    /** Every interface's default routers learnt from advertisements. Loop thread. */
    public List<Ipv6RouterInfo> ipv6Routers() {
        return ipv6 == null ? List.of() : ipv6.interfaces().stream().flatMap(i -> i.routers().routerInfo().stream()).toList();
    }

    /** Every interface's on-link prefixes. Loop thread. */
    public List<Ipv6PrefixInfo> ipv6Prefixes() {
        return ipv6 == null ? List.of() : ipv6.interfaces().stream().flatMap(i -> i.routers().prefixInfo().stream()).toList();
    }

    /** Recursive DNS servers advertised by routers (RFC 8106), then those stateless DHCPv6 gave (RFC 3646), each once. Loop thread. */
    public List<Ipv6Address> ipv6DnsServers() {
        return ipv6 == null ? List.of() : ipv6.interfaces().stream()
                .flatMap(i -> java.util.stream.Stream.concat(i.routers().dnsServers().stream(), i.routers().dhcpv6DnsServers().stream()))
                .distinct().toList();
    }

    public Udp udp() {
        return udp;
    }

    /** TCP: {@code listen}, {@code connect}, and the connection table. */
    public Tcp tcp() {
        return tcp;
    }

    public List<NetInterface> interfaces() {
        return ipv4.interfaces();
    }

    /** The first interface (most stacks have one). */
    public NetInterface iface() {
        List<NetInterface> l = ipv4.interfaces();
        if (l.isEmpty()) {
            throw new IllegalStateException("stack " + name + " has no interface");
        }
        return l.get(0);
    }

    public List<Route> routes() {
        return ipv4.routes().list();
    }

    /** Changes the address of the first interface (loop thread); sends a gratuitous ARP. */
    public void setAddress(Ipv4Address address, int prefixLength) {
        ipv4.setAddress(iface(), address.bits(), prefixLength);
    }

    public void setGateway(Ipv4Address gateway) {
        ipv4.setGateway(gateway == null ? 0 : gateway.bits());
    }

    /**
     * Ends every TCP connection the way a host does when a program exits, for a stack about to
     * stop: {@link Tcp#closeAll()} (FIN after the queued data), then up to {@code grace} for the
     * peers to acknowledge our data and FINs, then RST for whatever is still unsettled, so that no
     * peer is left waiting on a stack that is gone. Tasks posted to the loop before this call
     * (a socket's close, say) run first. Call it from another thread while the loop runs, before
     * stopping it; on the loop thread, or with no loop thread running, it only closes (nothing can
     * be waited for there). Returns how many connections it reset at the end.
     */
    public int endConnections(Duration grace) {
        if (loop.isClosed()) {
            return 0;
        }
        if (loop.inLoop() || !loop.isRunning()) {
            tcp.closeAll();
            return 0;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            int left = loop.call(() -> {
                tcp.closeAll();
                return tcp.unsettled();
            }, LOOP_WAIT);
            while (left > 0 && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(1_000_000);
                left = loop.call(tcp::unsettled, LOOP_WAIT);
            }
            return loop.call(tcp::abortUnsettled, LOOP_WAIT);
        } catch (LoopClosedException | TimeoutException stopped) {
            return 0; // the loop stopped meanwhile, or does not answer: nothing more can be sent
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** How long a thread waits for the loop to run one step of {@link #endConnections} or {@link #close}. */
    private static final Duration LOOP_WAIT = Duration.ofSeconds(5);

    /**
     * Detaches and closes this stack's devices. Safe from any thread: on another thread while the
     * loop runs, the work is handed to the loop and this waits (up to 5 s) for it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop.isClosed() || loop.inLoop() || !loop.isRunning()) {
            detachAll();
            return;
        }
        try {
            loop.call(() -> {
                detachAll();
                return null;
            }, LOOP_WAIT);
        } catch (LoopClosedException e) {
            detachAll(); // the loop closed meanwhile
        } catch (TimeoutException e) {
            // the loop does not answer: its devices stay with it until it closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Completes with the {@link Error} that stopped this stack's event loop (out of memory, a
     * stack overflow, any {@code Error} a handler threw; exceptions are contained and counted, see
     * {@link EventLoop}), once the loop has closed its devices and refused further work; never
     * completes while the stack runs or after a normal {@link #close()}. Blocked socket calls on
     * the stack end with an {@code IOException} naming the error. An embedder waits on it, e.g.
     * {@code Throwable why = stack.failure().join();} then exits or restarts. Safe from any
     * thread; the loop is shared by every stack on it, so they all fail together.
     */
    public CompletableFuture<Throwable> failure() {
        return loop.failure();
    }

    /**
     * Calls {@code listener} with the error that stops this stack's event loop (see
     * {@link #failure()}), on the loop's dying thread, or at once if it has failed already. Keep
     * it short and frugal (the error may be {@link OutOfMemoryError}): complete a future, set a
     * flag. With a listener registered the loop does not log the error: the listener reports it.
     */
    public void onFailure(java.util.function.Consumer<Throwable> listener) {
        loop.onFailure(listener);
    }

    private void detachAll() {
        for (NetInterface ni : ipv4.interfaces()) {
            try {
                if (ipv6 != null) {
                    ipv6.removeInterface(ni);
                }
                ipv4.removeInterface(ni);
            } catch (RuntimeException e) {
                // closing must not fail
            }
        }
    }

    @Override
    public String toString() {
        return "NetStack " + name + " " + ipv4.interfaces();
    }

    /** Builds a {@link NetStack}; call {@link #build()} on the loop thread or before the loop starts. */
    public static final class Builder {
        private final EventLoop loop;
        private String name = "stack";
        private LinkDevice device;
        private MacAddress mac;
        private Integer mtu;
        private Ipv4Address address;
        private int prefixLength;
        private Ipv4Address gateway;
        private Long seed;
        private StackConfig config = StackConfig.defaults();
        private TcpConfig tcpConfig = TcpConfig.defaults();

        private Builder(EventLoop loop) {
            this.loop = Objects.requireNonNull(loop, "loop");
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        public Builder device(LinkDevice device) {
            this.device = device;
            return this;
        }

        public Builder mac(MacAddress mac) {
            this.mac = mac;
            return this;
        }

        public Builder mtu(int mtu) {
            if (mtu < 68 || mtu > 65535) {
                throw new IllegalArgumentException("MTU must be 68-65535: " + mtu);
            }
            this.mtu = mtu;
            return this;
        }

        public Builder address(Ipv4Address address, int prefixLength) {
            Ipv4Address.mask(prefixLength);
            this.address = address;
            this.prefixLength = prefixLength;
            return this;
        }

        /** Parses {@code 10.0.0.2/24}. */
        public Builder address(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("invalid address '" + cidr + "': expected ADDRESS/PREFIX like 10.0.0.2/24");
            }
            int prefix;
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid prefix length in '" + cidr + "': expected 0-32");
            }
            if (prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("invalid prefix length in '" + cidr + "': expected 0-32");
            }
            return address(Ipv4Address.parse(cidr.substring(0, slash)), prefix);
        }

        public Builder gateway(Ipv4Address gateway) {
            this.gateway = gateway;
            return this;
        }

        /**
         * Derives every key and random choice of the stack from {@code seed} (see {@link StackConfig#seed()}),
         * overriding the config's seed: for reproducible simulations and tests, never for a real
         * network — whoever knows the seed can predict ISNs and forge SYN cookies. Without a seed
         * (here or in the config) every key comes from {@link java.security.SecureRandom}.
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder config(StackConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        public Builder tcpConfig(TcpConfig tcpConfig) {
            this.tcpConfig = Objects.requireNonNull(tcpConfig);
            return this;
        }

        public NetStack build() {
            return new NetStack(this);
        }
    }
}
