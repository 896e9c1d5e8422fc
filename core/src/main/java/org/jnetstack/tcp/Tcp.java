package org.jnetstack.tcp;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jnetstack.internal.IntMap;
import org.jnetstack.ip.Ipv6Output;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.internal.RandomizedRateLimiter;
import org.jnetstack.internal.SipHash;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.ip.IpProtocolHandler;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.ip6.Ipv6ProtocolHandler;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counters;
import org.jnetstack.stats.MemoryUse;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.TcpOptions;

/**
 * TCP (RFC 9293): the public face — listeners, connect, the connection table, ending everything
 * — and the services its parts share. The work is cut by job: {@link SegmentDemux} takes
 * segments from IP to their connection, {@link PassiveOpens} serves listeners (SYNs, SYN cookies,
 * admission limits, the catch-all), {@link TimeWaits} answers for connections in TIME-WAIT,
 * {@link SegmentWriter} builds what is sent, and {@link TcpConnection} runs one connection.
 */
public final class Tcp implements IpProtocolHandler, Ipv6ProtocolHandler {
    /** Payloads from this size on are checksummed while they are copied ({@link TcpConfig#sumWhileCopying}). */
    final int sumWhileCopying;

    private final Ipv4 ip;
    private final TcpConfig config;
    private final MemoryBudget memory;
    final TcpCounters counters;
    final SegmentWriter writer;
    final ChallengeAcks challengeAcks;
    /** Keys of the 4-tuple tables (keyed: a peer cannot aim collisions). */
    final TupleKeys keys;
    private final TupleTable<TcpConnection> connections = new TupleTable<>(c -> c.tuple,
            c -> c.sameKeyNext, (c, next) -> c.sameKeyNext = next);
    private final IntMap<TcpListener> listeners = new IntMap<>();
    private final TimeWaits timeWaits = new TimeWaits(this);
    private final PassiveOpens passiveOpens;
    private final SegmentDemux demux;
    private final IcmpErrors icmpErrors;
    private final IsnGenerator isnGenerator;
    private final SipHash timestampKey;
    /** Scratch for SACK blocks, filled and read within one segment's processing. */
    private final int[] sackStarts = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sackEnds = new int[TcpOptions.MAX_SACK_BLOCKS];

    public Tcp(Ipv4 ip, Counters counters, TcpConfig config) {
        this.ip = ip;
        this.config = config;
        this.sumWhileCopying = config.sumWhileCopying();
        this.memory = MemoryBudget.of(ip.memory());
        StackSecrets secrets = StackSecrets.from(ip.secrets());
        this.counters = new TcpCounters(counters);
        this.writer = new SegmentWriter(ip, this.counters, config, secrets.newPrf("ip6.flow_label"));
        ip.pathMtu().setFloor(config.minPathMtu());
        this.keys = new TupleKeys(secrets.newTableHash("tcp.tuple"));
        this.isnGenerator = new IsnGenerator(secrets.newPrf("tcp.isn"), ip.loop().clock());
        this.timestampKey = secrets.newPrf("tcp.timestamp");
        this.challengeAcks = new ChallengeAcks(ip.loop().clock(), new RandomizedRateLimiter(ip.loop().clock(),
                config.challengeAckRate(), secrets.newStream("tcp.challenge_ack")),
                config.challengeAckInterval().toNanos(), this.counters);
        this.passiveOpens = new PassiveOpens(this, ip, config, connections,
                new SynCookies(ip.loop().clock(), secrets, config.synCookiePeriod().toNanos()));
        this.demux = new SegmentDemux(this, ip, connections, listeners, timeWaits, passiveOpens);
        this.icmpErrors = new IcmpErrors(this, ip, connections);
        ip.register(Ipv4Packet.PROTO_TCP, this);
    }

    // ---------------------------------------------------------------- public API

    public TcpConfig config() {
        return config;
    }

    /** Listens on {@code port} of every local address, with the configured backlog. */
    public TcpListener listen(int port, Consumer<TcpListener> onAcceptable) {
        return listen(0, port, config.listenBacklog(), onAcceptable);
    }

    /**
     * Listens on {@code localAddress:port} (0: any). {@code onAcceptable} runs on the loop thread
     * whenever a connection completes its handshake; take it with {@link TcpListener#accept()}.
     *
     * @throws UncheckedIOException wrapping {@link BindException} if the port is taken
     */
    public TcpListener listen(int localAddress, int port, int backlog, Consumer<TcpListener> onAcceptable) {
        return listen(localAddress, port, backlog, config, onAcceptable);
    }

    /**
     * Like {@link #listen(int, int, int, Consumer)}; accepted connections use {@code connectionConfig}
     * (their buffer sizes, Nagle, keepalive timing). Port 0 picks a free ephemeral port
     * ({@link TcpListener#port()} tells which).
     */
    public TcpListener listen(int localAddress, int port, int backlog, TcpConfig connectionConfig,
            Consumer<TcpListener> onAcceptable) {
        return listen(localAddress == 0 ? null : Ipv6Address.v4Mapped(localAddress), false, port, backlog,
                connectionConfig, onAcceptable);
    }

    /**
     * Like {@link #listen(int, int, int, TcpConfig, Consumer)} on an address of either family:
     * {@code localAddress} null or {@code ::} listens on every address of both families — IPv4
     * connections too, as IPv4-mapped, unless {@code v6Only} (IPV6_V6ONLY); an IPv4-mapped
     * address listens on that IPv4 address, an IPv6 one on that IPv6 address.
     */
    public TcpListener listen(Ipv6Address localAddress, boolean v6Only, int port, int backlog, TcpConfig connectionConfig,
            Consumer<TcpListener> onAcceptable) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("TCP port must be 0-65535: " + port);
        }
        Objects.requireNonNull(connectionConfig, "connectionConfig");
        if (port == 0) {
            port = ip.ephemeralPort(listeners::containsKey);
            if (port < 0) {
                throw new UncheckedIOException(new BindException("no free ephemeral TCP port to listen on"));
            }
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
        }
        if (listeners.containsKey(port)) {
            throw new UncheckedIOException(new BindException("Address already in use: TCP port " + port));
        }
        long hi = localAddress == null ? 0 : localAddress.hi();
        long lo = localAddress == null ? 0 : localAddress.lo();
        TcpListener l = new TcpListener(this, hi, lo, v6Only && hi == 0 && lo == 0, port, backlog, connectionConfig, onAcceptable);
        listeners.put(port, l);
        return l;
    }

    /**
     * Installs the catch-all of a gateway (null removes it): every SYN that no connection or
     * listener takes — to any port of ours, and, with {@link Ipv4#setAcceptAnyDestination}, to
     * any unicast address at all — becomes a {@link TcpSynRequest} handed to {@code onSyn}, which
     * accepts, resets or reports it unreachable, now or later. At most
     * {@link TcpConfig#synQueue()} requests are undecided at once; SYNs beyond that are dropped
     * and counted ({@code tcp.syn_queue_full}) and the peer retransmits. Segments other than a
     * SYN to a foreign address with no connection draw a RST, as for a closed port.
     *
     * <p>Connections are told apart by the full 4-tuple: the guest's one source port may reach
     * many destinations on the same port at once.
     */
    public void listenAny(Consumer<TcpSynRequest> onSyn) {
        passiveOpens.listenAny(onSyn);
    }

    /** Undecided requests of the catch-all (loop thread). */
    public int pendingSynRequests() {
        return passiveOpens.pendingSynRequests();
    }

    /**
     * Opens a connection to {@code dstIp:dstPort} from an ephemeral port (RFC 6056). Events go to
     * {@code handler}: {@code onConnected}, or {@code onError} with ConnectException /
     * SocketTimeoutException / NoRouteToHostException.
     */
    public TcpConnection connect(int dstIp, int dstPort, TcpHandler handler) {
        return connect(0, dstIp, dstPort, handler);
    }

    /** Like {@link #connect(int, int, TcpHandler)} from a chosen local port (0: ephemeral). */
    public TcpConnection connect(int localPort, int dstIp, int dstPort, TcpHandler handler) {
        return connect(localPort, dstIp, dstPort, config, handler);
    }

    /**
     * Like {@link #connect(int, int, int, TcpHandler)} with a config of its own for this connection
     * (buffer sizes — which also set the window scale offered in the SYN —, Nagle, keepalive).
     */
    public TcpConnection connect(int localPort, int dstIp, int dstPort, TcpConfig connectionConfig, TcpHandler handler) {
        return connect(localPort, Ipv6Address.v4Mapped(dstIp), dstPort, connectionConfig, handler);
    }

    /** Like {@link #connect(int, int, TcpHandler)} to an address of either family (IPv4 as IPv4-mapped). */
    public TcpConnection connect(Ipv6Address dst, int dstPort, TcpHandler handler) {
        return connect(0, dst, dstPort, config, handler);
    }

    /**
     * Like {@link #connect(int, int, int, TcpConfig, TcpHandler)} to an address of either family:
     * an IPv4-mapped one ({@code ::ffff:a.b.c.d}) connects over IPv4.
     */
    public TcpConnection connect(int localPort, Ipv6Address dst, int dstPort, TcpConfig connectionConfig, TcpHandler handler) {
        Objects.requireNonNull(connectionConfig, "connectionConfig");
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("TCP port must be 0-65535: " + localPort);
        }
        if (dstPort < 1 || dstPort > 65535) {
            throw new IllegalArgumentException("TCP port must be 1-65535: " + dstPort);
        }
        long dstHi = dst.hi();
        long dstLo = dst.lo();
        boolean v4 = TransportAddresses.isV4(dstHi, dstLo);
        long srcHi = 0;
        long srcLo;
        if (v4) {
            int src = ip.sourceAddressFor(TransportAddresses.v4(dstLo));
            srcLo = TransportAddresses.mappedLo(src);
            if (src == 0) {
                srcLo = 0;
            }
        } else if (writer.hasIpv6() && writer.ip6().selectSource(dstHi, dstLo)) {
            srcHi = writer.ip6().sourceHi();
            srcLo = writer.ip6().sourceLo();
        } else {
            srcLo = 0;
        }
        if (srcHi == 0 && srcLo == 0) {
            throw new UncheckedIOException(new NoRouteToHostException("No route to host " + TransportAddresses.format(dstHi, dstLo)));
        }
        if (connections.size() >= config.maxConnections()) {
            counters.connectionLimit.inc();
            throw new UncheckedIOException(new SocketException(
                    "connection limit reached (" + config.maxConnections() + "): raise TcpConfig.maxConnections"));
        }
        if (memory.used() >= memory.limit()) {
            counters.refusedMemory.inc();
            throw new UncheckedIOException(new SocketException("memory budget exhausted ("
                    + memory.used() + " of " + memory.limit() + " bytes held): raise StackConfig.memoryBudget"));
        }
        int port = localPort != 0 ? localPort : ephemeralPort(srcHi, srcLo, dstHi, dstLo, dstPort);
        FourTuple tuple = new FourTuple(keys, srcHi, srcLo, port, dstHi, dstLo, dstPort);
        if (connections.get(tuple) != null || (localPort != 0 && timeWaits.get(tuple) != null)) {
            throw new UncheckedIOException(new BindException("Address already in use: TCP port " + port
                    + " already connected to " + TransportAddresses.format(dstHi, dstLo, dstPort)));
        }
        TimeWaits.Record tw = timeWaits.get(tuple);
        if (tw != null) {
            // An ephemeral port whose 4-tuple is in TIME-WAIT on our side: the new connection takes
            // it (our ISNs grow with the clock, RFC 6528, so its segments lie beyond the old ones').
            counters.timeWaitsRecycled.inc();
            timeWaits.end(tw);
        }
        TcpConnection c = new TcpConnection(this, connectionConfig, tuple, handler);
        connections.add(c);
        counters.activeOpens.inc();
        c.connect();
        return c;
    }

    /**
     * All connections, any state but TIME-WAIT (loop thread): a connection in TIME-WAIT is kept
     * as a small record only ({@link #timeWaitCount()}).
     */
    public List<TcpConnection> connections() {
        return connections.values();
    }

    /** Connections waiting out TIME-WAIT, each as a small record (loop thread). */
    public int timeWaitCount() {
        return timeWaits.size();
    }

    /**
     * Whether a connection of any state, TIME-WAIT included, has local port {@code port} (loop
     * thread): what a listener without SO_REUSEADDR may not bind over, as with Linux. A walk over
     * every connection: for a bind, not per segment.
     */
    public boolean localPortInUse(int port) {
        for (TcpConnection c : connections.values()) {
            if (c.localPort == port) {
                return true;
            }
        }
        return timeWaits.usesLocalPort(port);
    }

    /** Takes {@code c}, entering TIME-WAIT, out of the connection table; {@code r} stands for it from now on. */
    void enterTimeWait(TcpConnection c, TimeWaits.Record r) {
        remove(c, TcpState.TIME_WAIT);
        if (timeWaits.enter(r, config.maxTimeWaits())) {
            counters.timeWaitOverflow.inc();
        }
    }

    void endTimeWait(TimeWaits.Record r) {
        timeWaits.end(r);
    }

    public List<TcpListener> listeners() {
        return listeners.values();
    }

    // ---------------------------------------------------------------- ending everything

    /**
     * Begins ending everything, as a host's kernel does when a program exits and its sockets
     * close: listeners stop (connections not yet accepted are reset), connections still opening
     * are reset, and every other connection is closed by its handler
     * ({@link TcpHandler#onStackEnding}; by default a FIN after the data already queued, or RST
     * when received data was never read: RFC 9293 §3.10.4 CLOSE, RFC 1122 §4.2.2.13). The
     * FINs still need acknowledgments, so {@link #unsettled()} says when it is done. Loop thread.
     */
    public void closeAll() {
        for (TcpListener l : listeners.values()) {
            l.close();
        }
        for (TcpConnection c : connections.values()) {
            switch (c.state()) {
                case SYN_SENT, SYN_RECEIVED -> c.abort();
                case CLOSED, LISTEN, TIME_WAIT -> {
                }
                default -> c.endByStack();
            }
        }
    }

    /**
     * How many connections still owe their peer something: our data or FIN not yet acknowledged,
     * or not closed at all. FIN-WAIT-2 and TIME-WAIT connections are settled: the peer has every
     * byte and our FIN (loop thread).
     */
    public int unsettled() {
        int n = 0;
        for (TcpConnection c : connections.values()) {
            if (!c.state().isSettled()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Resets every connection that is not settled (see {@link #unsettled()}), so that no peer
     * waits on a stack that is going away (RFC 9293 §3.10.5 ABORT). Returns how many it reset
     * (loop thread).
     */
    public int abortUnsettled() {
        int n = 0;
        for (TcpConnection c : connections.values()) {
            if (!c.state().isSettled()) {
                c.abort();
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- input

    @Override
    public void input(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len, boolean checksumVerified) {
        demux.input(ni, pkt, buf, off, len, checksumVerified);
    }

    /** A segment over IPv6, from the IPv6 layer (registered for next header 6). */
    @Override
    public void input(Ipv6Interface iface, Ipv6Packet pkt, byte[] buf, int off, int len, boolean checksumVerified) {
        demux.input6(iface, pkt, buf, off, len, checksumVerified);
    }

    /** An ICMPv6 error quoting a segment of ours: see {@link IcmpErrors}. */
    @Override
    public void icmpError(int type, int code, long mtu, long quotedSrcHi, long quotedSrcLo, long quotedDstHi, long quotedDstLo,
                          byte[] buf, int off, int len) {
        icmpErrors.ipv6(type, code, mtu, quotedSrcHi, quotedSrcLo, quotedDstHi, quotedDstLo, buf, off, len);
    }

    /** TCP checks a Packet Too Big against its connections and lowers the path MTU itself (RFC 5927 §4.1). */
    @Override
    public boolean validatesPacketTooBig() {
        return true;
    }

    /** True while a connection processes a received segment (see {@link Sender#output}). */
    boolean deliveringSegment() {
        return demux.delivering();
    }

    /** Connections (any state) from {@code remoteAddress} that came in through listeners (loop thread). */
    public int connectionsFrom(int remoteAddress) {
        return passiveOpens.connectionsFrom(0, TransportAddresses.mappedLo(remoteAddress));
    }

    /** An ICMP error quoting a segment of ours: see {@link IcmpErrors}. */
    @Override
    public void icmpError(int type, int code, int fromIp, int quotedSrc, int quotedDst, int mtu, byte[] buf, int off, int len) {
        icmpErrors.ipv4(type, code, quotedSrc, quotedDst, mtu, buf, off, len);
    }

    /** What the device towards the remote address of {@code t} does for us (checksums, segmentation). */
    LinkOffloads offloadsFor(FourTuple t) {
        if (t.isV4()) {
            return ip.offloadsFor(TransportAddresses.v4(t.remoteLo));
        }
        return writer.hasIpv6() ? writer.ip6().offloadsFor(t.remoteHi, t.remoteLo) : LinkOffloads.NONE;
    }

    /**
     * Attaches the IPv6 layer: segments of IPv6 4-tuples leave through {@code output}. Until then
     * TCP speaks IPv4 only.
     */
    public void attachIpv6(Ipv6Output output) {
        writer.attachIpv6(Objects.requireNonNull(output, "output"));
    }

    /** The IPv4 address of a mapped {@code hi:lo}; an IPv6 address has none. */
    static int v4Of(long hi, long lo) {
        if (!TransportAddresses.isV4(hi, lo)) {
            throw new IllegalStateException("an IPv6 address has no IPv4 form: " + TransportAddresses.format(hi, lo));
        }
        return TransportAddresses.v4(lo);
    }

    // ---------------------------------------------------------------- shared services

    /**
     * RFC 6056 §3.3.4 (algorithm 4, double-hash); a port is free if the 4-tuple is and nobody
     * listens on it. IPv6 addresses enter the algorithm's hash as 32-bit keyed digests.
     */
    private int ephemeralPort(long srcHi, long srcLo, long dstHi, long dstLo, int dstPort) {
        boolean v4 = TransportAddresses.isV4(dstHi, dstLo);
        int src = v4 ? TransportAddresses.v4(srcLo) : (int) keys.addressKey(srcHi, srcLo);
        int dst = v4 ? TransportAddresses.v4(dstLo) : (int) keys.addressKey(dstHi, dstLo);
        int port = ip.ephemeralPort(Ipv4Packet.PROTO_TCP, src, dst, dstPort,
                p -> connections.get(keys.key(dstHi, dstLo, dstPort, p), srcHi, srcLo, dstHi, dstLo, dstPort, p) != null
                        || listeners.containsKey(p));
        if (port >= 0) {
            return port;
        }
        throw new UncheckedIOException(new BindException("no free ephemeral TCP port towards "
                + TransportAddresses.format(dstHi, dstLo, dstPort)));
    }

    /** Tests: the SYN-cookie maker and checker. */
    SynCookies synCookies() {
        return passiveOpens.synCookies();
    }

    int isn(FourTuple t) {
        return isnGenerator.next(t);
    }

    int isn(int localIp, int localPort, int remoteIp, int remotePort) {
        return isnGenerator.next(localIp, localPort, remoteIp, remotePort);
    }

    /**
     * MSS to advertise towards the remote address of {@code t}: the MTU less the IP and TCP
     * headers (IPv4 20 + 20 bytes, IPv6 40 + 20; RFC 9293 §3.7.1, RFC 8200 §8.3).
     */
    /** {@link org.jnetstack.ip.PathMtuCache#changes()} of {@code t}'s family: a path MTU may have been lowered when it moves. */
    int pathMtuChanges(FourTuple t) {
        if (t.isV4()) {
            return ip.pathMtu().changes();
        }
        return writer.hasIpv6() ? writer.ip6().pathMtuChanges() : 0;
    }

    int mssFor(FourTuple t) {
        return mssFor(t.remoteHi, t.remoteLo);
    }

    int mssFor(long remoteHi, long remoteLo) {
        if (TransportAddresses.isV4(remoteHi, remoteLo)) {
            return Math.min(65495, ip.mtuFor(TransportAddresses.v4(remoteLo)) - 40);
        }
        return Math.min(65475, writer.ip6().mtuFor(remoteHi, remoteLo) - 60);
    }

    /** {@code c} ended (it was in state {@code was}): out of the table, and off its listener's books. */
    void remove(TcpConnection c, TcpState was) {
        connections.remove(c);
        passiveOpens.ended(c, was);
    }

    /** {@code c}'s handshake completed (SYN-RECEIVED to ESTABLISHED). */
    void handshakeCompleted(TcpConnection c) {
        passiveOpens.handshakeCompleted(c);
    }

    void unlisten(TcpListener l) {
        if (listeners.get(l.port()) == l) {
            listeners.remove(l.port());
        }
    }

    EventLoop loop() {
        return ip.loop();
    }

    /**
     * The offset added to our RFC 7323 TSval on 4-tuple {@code t}: a keyed hash of the address
     * pair, as Linux does, so the clock it shows says nothing of our uptime or of other peers' offsets,
     * while one peer sees our timestamps advance across connections (RFC 6191 relies on that).
     */
    int timestampOffset(FourTuple t) {
        if (t.isV4()) {
            return (int) timestampKey.hashTuple((int) t.localLo, 0, (int) t.remoteLo, 0);
        }
        return (int) timestampKey.hash(t.localHi, t.localLo, t.remoteHi, t.remoteLo, 0, 0);
    }

    /** The stack's memory budget, which the connections' buffers are charged to. */
    public MemoryUse memory() {
        return memory;
    }

    MemoryBudget budget() {
        return memory;
    }

    int[] sackStarts() {
        return sackStarts;
    }

    int[] sackEnds() {
        return sackEnds;
    }
}
