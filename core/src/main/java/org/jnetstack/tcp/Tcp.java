package org.jnetstack.tcp;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.util.List;
import java.util.function.Consumer;
import org.jnetstack.ip.IpProtocolHandler;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.util.IntMap;
import org.jnetstack.util.MemoryBudget;
import org.jnetstack.util.RandomizedRateLimiter;
import org.jnetstack.util.SipHash;
import org.jnetstack.util.StackSecrets;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Malformed;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * TCP (RFC 9293): the connection table, listeners, segment demultiplexing, resets for
 * segments nobody wants, and the shared output path. Connection logic is in {@link TcpConnection}.
 */
public final class Tcp implements IpProtocolHandler {
    private final Ipv4 ip;
    private final TcpConfig config;
    private final MemoryBudget memory;
    private final TupleTable<TcpConnection> connections = new TupleTable<>(c -> c.key, c -> c.localIp,
            c -> c.sameKeyNext, (c, next) -> c.sameKeyNext = next);
    private final IntMap<TcpListener> listeners = new IntMap<>();
    private final TupleTable<TcpSynRequest> synRequests = new TupleTable<>(r -> r.key, TcpSynRequest::localAddress,
            r -> r.sameKeyNext, (r, next) -> r.sameKeyNext = next);
    private Consumer<TcpSynRequest> anyListener;
    private final TimeWaits timeWaits = new TimeWaits(this);
    private final IsnGenerator isnGenerator;
    private final SynCookies synCookies;
    private final SipHash timestampKey;
    private final RandomizedRateLimiter challengeAcks;
    private final long invalidAckIntervalNanos;
    private final TcpSegment rxSegment = new TcpSegment();
    private final TcpOptions rxOptions = new TcpOptions();
    private final TcpOptions txOptions = new TcpOptions();
    private final int[] sackStarts = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sackEnds = new int[TcpOptions.MAX_SACK_BLOCKS];

    private final Counter rxSegments;
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    private final Counter rxNotUnicast;
    private final Counter txSegments;
    private final Counter txResets;
    private final Counter rxResets;
    private final Counter activeOpens;
    private final Counter passiveOpens;
    private final Counter listenOverflows;
    private final Counter synQueueFull;
    private final Counter connectionLimit;
    private final Counter retransmits;
    private final Counter timeouts;
    private final Counter fastRetransmits;
    private final Counter dupAcks;
    private final Counter challengeAckCount;
    private final Counter challengeAcksLimitedPerConnection;
    private final Counter challengeAcksLimitedGlobal;
    private final Counter outOfWindowAcksLimited;
    private final Counter pawsRejected;
    private final Counter outOfWindow;
    private final Counter ackTooNew;
    private final Counter windowProbes;
    private final Counter keepalives;
    private final Counter aborts;
    private final Counter synRequestsCount;
    private final Counter refusedMemory;
    private final Counter refusedPerSource;
    private final Counter refusedPerSourceHalfOpen;
    private final Counter refusedPerListener;
    private final Counter pressureCookies;
    private final Counter timeWaitsRecycled;
    private final Counter timeWaitOverflow;

    public Tcp(Ipv4 ip, Counters counters, TcpConfig config) {
        this.ip = ip;
        this.config = config;
        this.memory = ip.memory();
        StackSecrets secrets = ip.secrets();
        this.isnGenerator = new IsnGenerator(secrets.newPrf("tcp.isn"), ip.loop().clock());
        this.synCookies = new SynCookies(ip.loop().clock(), secrets, config.synCookiePeriod().toNanos());
        this.timestampKey = secrets.newPrf("tcp.timestamp");
        this.challengeAcks = new RandomizedRateLimiter(ip.loop().clock(), config.challengeAckRate(),
                secrets.newStream("tcp.challenge_ack"));
        this.invalidAckIntervalNanos = config.challengeAckInterval().toNanos();
        org.jnetstack.tcp.cc.CongestionControls.create(config.congestionControl()); // fail fast on a bad name
        rxSegments = counters.counter("tcp.rx.segments");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter("tcp.rx.drop." + m.id());
        }
        rxNotUnicast = counters.counter("tcp.rx.drop.not_unicast");
        rxResets = counters.counter("tcp.rx.resets");
        txSegments = counters.counter("tcp.tx.segments");
        txResets = counters.counter("tcp.tx.resets");
        activeOpens = counters.counter("tcp.active_opens");
        passiveOpens = counters.counter("tcp.passive_opens");
        listenOverflows = counters.counter("tcp.listen_overflows");
        synQueueFull = counters.counter("tcp.syn_queue_full");
        connectionLimit = counters.counter("tcp.connection_limit");
        retransmits = counters.counter("tcp.retransmitted_segments");
        timeouts = counters.counter("tcp.timeouts");
        fastRetransmits = counters.counter("tcp.fast_retransmits");
        dupAcks = counters.counter("tcp.dup_acks");
        challengeAckCount = counters.counter("tcp.challenge_acks");
        challengeAcksLimitedPerConnection = counters.counter("tcp.challenge_acks_limited_per_connection");
        challengeAcksLimitedGlobal = counters.counter("tcp.challenge_acks_limited_global");
        outOfWindowAcksLimited = counters.counter("tcp.out_of_window_acks_limited");
        pawsRejected = counters.counter("tcp.paws_rejected");
        outOfWindow = counters.counter("tcp.rx.out_of_window");
        ackTooNew = counters.counter("tcp.rx.ack_too_new");
        windowProbes = counters.counter("tcp.window_probes");
        keepalives = counters.counter("tcp.keepalive_probes");
        aborts = counters.counter("tcp.aborts");
        synRequestsCount = counters.counter("tcp.syn_requests");
        refusedMemory = counters.counter("tcp.refused.memory");
        refusedPerSource = counters.counter("tcp.refused.per_source");
        refusedPerSourceHalfOpen = counters.counter("tcp.refused.per_source_half_open");
        refusedPerListener = counters.counter("tcp.refused.per_listener");
        pressureCookies = counters.counter("tcp.syn_cookies_memory_pressure");
        timeWaitsRecycled = counters.counter("tcp.time_wait_recycled");
        timeWaitOverflow = counters.counter("tcp.time_wait_overflow");
        cookiesSent = counters.counter("tcp.syn_cookies_sent");
        cookiesAccepted = counters.counter("tcp.syn_cookies_accepted");
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
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("TCP port must be 0-65535: " + port);
        }
        java.util.Objects.requireNonNull(connectionConfig, "connectionConfig");
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
        TcpListener l = new TcpListener(this, localAddress, port, backlog, connectionConfig, onAcceptable);
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
        this.anyListener = onSyn;
    }

    /** Undecided requests of the catch-all (loop thread). */
    public int pendingSynRequests() {
        return synRequests.size();
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
        java.util.Objects.requireNonNull(connectionConfig, "connectionConfig");
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("TCP port must be 0-65535: " + localPort);
        }
        if (dstPort < 1 || dstPort > 65535) {
            throw new IllegalArgumentException("TCP port must be 1-65535: " + dstPort);
        }
        int src = ip.sourceAddressFor(dstIp);
        if (src == 0) {
            throw new UncheckedIOException(new NoRouteToHostException("No route to host " + Ipv4Address.format(dstIp)));
        }
        if (connections.size() >= config.maxConnections()) {
            connectionLimit.inc();
            throw new UncheckedIOException(new SocketException(
                    "connection limit reached (" + config.maxConnections() + "): raise TcpConfig.maxConnections"));
        }
        if (memory.used() >= memory.limit()) {
            refusedMemory.inc();
            throw new UncheckedIOException(new SocketException("memory budget exhausted ("
                    + memory.used() + " of " + memory.limit() + " bytes held): raise StackConfig.memoryBudget"));
        }
        int port = localPort != 0 ? localPort : ephemeralPort(src, dstIp, dstPort);
        if (connections.get(key(dstIp, dstPort, port), src) != null
                || (localPort != 0 && timeWaits.get(key(dstIp, dstPort, port), src) != null)) {
            throw new UncheckedIOException(new BindException("Address already in use: TCP port " + port
                    + " already connected to " + Ipv4Address.format(dstIp) + ":" + dstPort));
        }
        TimeWaits.Record tw = timeWaits.get(key(dstIp, dstPort, port), src);
        if (tw != null) {
            // An ephemeral port whose 4-tuple is in TIME-WAIT on our side: the new connection takes
            // it (our ISNs grow with the clock, RFC 6528, so its segments lie beyond the old ones').
            timeWaitsRecycled.inc();
            timeWaits.end(tw);
        }
        TcpConnection c = new TcpConnection(this, connectionConfig, src, port, dstIp, dstPort, handler);
        connections.add(c);
        activeOpens.inc();
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
            timeWaitOverflow.inc();
        }
    }

    void endTimeWait(TimeWaits.Record r) {
        timeWaits.end(r);
    }

    /** A segment without payload from a TIME-WAIT record (full checksum: no offload needed). */
    void sendBare(int localIp, int localPort, int remoteIp, int remotePort, int seq, int ack, int flags, int window,
            TcpOptions opts) {
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        int hl = TcpSegment.write(tx, t, localPort, remotePort, seq, ack, flags, window, 0, opts, 0, localIp, remoteIp);
        txSegments.inc();
        ip.send(localIp, remoteIp, Ipv4Packet.PROTO_TCP, 0, false, tx, t, hl);
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
            if (!settled(c.state())) {
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
            if (!settled(c.state())) {
                c.abort();
                n++;
            }
        }
        return n;
    }

    private static boolean settled(TcpState s) {
        return s == TcpState.CLOSED || s == TcpState.FIN_WAIT_2 || s == TcpState.TIME_WAIT;
    }

    // ---------------------------------------------------------------- input

    @Override
    public void input(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len) {
        rxSegments.inc();
        int src = pkt.source();
        int dst = pkt.destination();
        TcpSegment seg = rxSegment.wrap(buf, off, len);
        // An offloading TAP vouches for the checksum (verified by the kernel, or partial because
        // the segment never left this host's memory): verifying it again would reject the latter.
        boolean verify = !ip.transportChecksumVerified();
        TcpConnection staged = verify ? connectionTakingInOrderData(seg, len, src, dst) : null;
        try {
            Malformed m;
            if (staged != null) {
                m = verifyWhileStaging(staged, buf, off, len, seg.headerLength(), src, dst) ? seg.check(src, dst, false) : Malformed.BAD_CHECKSUM;
            } else {
                m = seg.check(src, dst, verify);
            }
            if (m == null) {
                m = rxOptions.parse(seg);
            }
            if (m != null) {
                rxMalformed[m.ordinal()].inc();
                return;
            }
            dispatch(ni, pkt, seg, src, dst, staged);
        } finally {
            if (staged != null) {
                staged.unstageData();
            }
        }
    }

    /**
     * The connection of a segment whose payload (of {@link #SUM_WHILE_COPYING} bytes or more) it
     * would store at once as the next in-order data, or null: such a segment's checksum is verified while its payload is copied into the receive
     * buffer ({@link #verifyWhileStaging}) — one pass over the bytes instead of two. The ports
     * read here are not verified yet; a wrong match only stages bytes into free space that the
     * failed checksum then leaves uncommitted.
     */
    private TcpConnection connectionTakingInOrderData(TcpSegment seg, int len, int src, int dst) {
        if (len < TcpSegment.MIN_HEADER_LENGTH + SUM_WHILE_COPYING) {
            return null;
        }
        int hl = seg.headerLength();
        if (hl < TcpSegment.MIN_HEADER_LENGTH || len - hl < SUM_WHILE_COPYING) {
            return null; // a small or no payload, or a bad header length that check() reports
        }
        TcpConnection c = connections.get(key(src, seg.sourcePort(), seg.destinationPort()), dst);
        return c != null && c.canStageData(seg.sequenceNumber(), seg.flags(), len - hl) ? c : null;
    }

    /**
     * Copies the payload of the {@code len}-byte segment at {@code b[off]} (header {@code hl}
     * bytes) to {@code c}'s receive buffer, uncommitted, summing it on the way, and
     * returns whether the checksum over pseudo-header, header and payload is right (RFC 9293
     * §3.1). The header length is a multiple of 4, so the payload's sum joins the header's as it
     * is (RFC 1071 §2(B)).
     */
    private static boolean verifyWhileStaging(TcpConnection c, byte[] b, int off, int len, int hl, int src, int dst) {
        int payloadSum = c.stageData(b, off + hl, len - hl);
        int sum = Checksum.partial(b, off, hl, Checksum.pseudoHeader(src, dst, Ipv4Packet.PROTO_TCP, len));
        return Checksum.finish(Checksum.addPiece(sum, payloadSum, hl)) == 0;
    }

    /** A segment that passed its checks, to its connection, listener, catch-all, or the closed-port answer. */
    private void dispatch(NetInterface ni, Ipv4Packet pkt, TcpSegment seg, int src, int dst, TcpConnection staged) {
        boolean local = ip.isLocalAddress(dst);
        if (!local && !(anyListener != null && ip.isForeignUnicast(ni, dst))) {
            // RFC 9293 §3.9.2.2 / RFC 1122 §4.2.3.10: TCP is unicast only.
            rxNotUnicast.inc();
            return;
        }
        if (seg.isRst()) {
            rxResets.inc();
        }
        long k = key(src, seg.sourcePort(), seg.destinationPort());
        TcpConnection c = staged != null ? staged : connections.get(k, dst);
        if (c != null) {
            c.heardFromPeer();
            inInput = true;
            try {
                c.input(seg, rxOptions);
            } finally {
                inInput = false;
            }
            return;
        }
        TimeWaits.Record tw = timeWaits.size() == 0 ? null : timeWaits.get(k, dst);
        if (tw != null) {
            timeWaits.input(tw, seg, rxOptions);
            return;
        }
        if (local) {
            TcpListener l = listeners.get(seg.destinationPort());
            if (l != null && (l.localAddress() == 0 || l.localAddress() == dst)) {
                listenInput(l, seg, src, dst);
                return;
            }
        }
        if (anyListener != null && anyInput(ni, pkt, seg, k, src, dst)) {
            return;
        }
        closedInput(seg, src, dst);
    }

    /**
     * The catch-all (listenAny): a new SYN becomes a request; segments of an undecided request
     * are absorbed. Returns false to let the segment be answered as for a closed port.
     */
    private boolean anyInput(NetInterface ni, Ipv4Packet pkt, TcpSegment seg, long k, int src, int dst) {
        if (synRequests.get(k, dst) != null) {
            return true; // a retransmitted SYN, or a stray segment, while the catch-all decides
        }
        if (!seg.isSyn() || seg.isAck() || seg.isRst()) {
            return false;
        }
        if (synRequests.size() >= config.synQueue()) {
            synQueueFull.inc();
            return true;
        }
        if (connections.size() + synRequests.size() >= config.maxConnections()) {
            connectionLimit.inc();
            return true;
        }
        if (memory.used() >= memory.limit()) {
            refusedMemory.inc(); // no new work while the budget is spent: the guest retransmits its SYN
            return true;
        }
        int ipHl = pkt.headerLength();
        int ipOff = pkt.payloadOffset() - ipHl;
        byte[] copy = java.util.Arrays.copyOfRange(seg.buffer(), ipOff, ipOff + ipHl + seg.headerLength());
        TcpSynRequest r = new TcpSynRequest(this, ni, copy, ipHl, dst, seg.destinationPort(), src, seg.sourcePort(),
                ip.loop().clock().nanos());
        synRequests.add(r);
        synRequestsCount.inc();
        anyListener.accept(r);
        return true;
    }

    TcpConnection acceptRequest(TcpSynRequest r, TcpHandler handler) {
        forgetRequest(r);
        if (connections.get(r.key, r.localAddress()) != null) {
            throw new UncheckedIOException(new BindException("a connection with the 4-tuple of " + r + " exists"));
        }
        TcpSegment seg = new TcpSegment().wrap(r.datagram, r.ipHeaderLength, r.datagram.length - r.ipHeaderLength);
        TcpOptions opts = new TcpOptions();
        opts.parse(seg);
        TcpConnection c = new TcpConnection(this, config, r.localAddress(), r.localPort(), r.remoteAddress(), r.remotePort(), handler);
        connections.add(c);
        passiveOpens.inc();
        c.acceptSyn(seg, opts, isn(r.localAddress(), r.localPort(), r.remoteAddress(), r.remotePort()));
        return c;
    }

    void resetRequest(TcpSynRequest r) {
        forgetRequest(r);
        TcpSegment seg = new TcpSegment().wrap(r.datagram, r.ipHeaderLength, r.datagram.length - r.ipHeaderLength);
        sendRst(r.localAddress(), r.localPort(), r.remoteAddress(), r.remotePort(), 0,
                seg.sequenceNumber() + 1, true);
    }

    void unreachableRequest(TcpSynRequest r, int code) {
        forgetRequest(r);
        ip.icmp().sendError(r.iface, IcmpMessage.TYPE_DEST_UNREACHABLE, code, 0, r.datagram, 0, r.datagram.length);
    }

    private void forgetRequest(TcpSynRequest r) {
        synRequests.remove(r);
    }

    /** RFC 9293 §3.10.7.1: no connection — answer anything but a RST with a RST. */
    private void closedInput(TcpSegment seg, int src, int dst) {
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            sendRst(dst, seg.destinationPort(), src, seg.sourcePort(), seg.acknowledgmentNumber(), 0, false);
        } else {
            sendRst(dst, seg.destinationPort(), src, seg.sourcePort(), 0, seg.sequenceNumber() + seg.sequenceLength(), true);
        }
    }

    /** RFC 9293 §3.10.7.2 (LISTEN). */
    private void listenInput(TcpListener l, TcpSegment seg, int src, int dst) {
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            if (!seg.isSyn() && !seg.isFin() && cookiesSent.get() > 0 && admits(l, src, false)
                    && acceptCookie(l, seg, src, dst)) {
                return;
            }
            sendRst(dst, seg.destinationPort(), src, seg.sourcePort(), seg.acknowledgmentNumber(), 0, false);
            return;
        }
        if (!seg.isSyn()) {
            return;
        }
        if (l.acceptQueueFull()) {
            listenOverflows.inc(); // the client retransmits its SYN; by then the application may have accepted
            return;
        }
        if (!admits(l, src, true)) {
            return; // refused and counted: the peer's SYN retransmissions try again later
        }
        if (l.halfOpen >= config.synQueue() || memory.underPressure()) {
            // RFC 4987 §3.6: keep serving without state — the ISN carries what we must remember.
            // Under memory pressure too (as Linux prefers cookies then): a half-open connection is state.
            (memory.underPressure() ? pressureCookies : synQueueFull).inc();
            sendSynCookie(seg, src, dst);
            return;
        }
        if (connections.size() >= config.maxConnections()) {
            connectionLimit.inc();
            return;
        }
        TcpConnection c = new TcpConnection(this, l.connectionConfig(), dst, seg.destinationPort(), src, seg.sourcePort(), null);
        c.listener = l;
        l.halfOpen++;
        admitted(c, l, true);
        connections.add(c);
        passiveOpens.inc();
        c.acceptSyn(seg, rxOptions, isn(dst, seg.destinationPort(), src, seg.sourcePort()));
    }

    // ---------------------------------------------------------------- admission: memory, per source, per listener

    /** Per remote address: {connections, of which half-open} that came in through a listener. */
    private final IntMap<int[]> perSource = new IntMap<>();

    /**
     * Whether a new connection from {@code src} through {@code l} may be made ({@code halfOpen}:
     * it starts half-open, from a SYN; else established, from a SYN cookie); counts a refusal. The
     * memory budget spent refuses everything new — established connections keep their memory.
     */
    private boolean admits(TcpListener l, int src, boolean halfOpen) {
        if (memory.used() >= memory.limit()) {
            refusedMemory.inc();
            return false;
        }
        if (l.connections >= l.connectionConfig().maxConnectionsPerListener()) {
            refusedPerListener.inc();
            return false;
        }
        int[] n = perSource.get(src);
        if (n != null && n[0] >= config.maxConnectionsPerSource()) {
            refusedPerSource.inc();
            return false;
        }
        if (halfOpen && n != null && n[1] >= config.maxHalfOpenPerSource()) {
            refusedPerSourceHalfOpen.inc();
            return false;
        }
        return true;
    }

    private void admitted(TcpConnection c, TcpListener l, boolean halfOpen) {
        c.admittedBy = l;
        c.halfOpenCounted = halfOpen;
        l.connections++;
        int[] n = perSource.get(c.remoteIp);
        if (n == null) {
            n = new int[2];
            perSource.put(c.remoteIp, n);
        }
        n[0]++;
        if (halfOpen) {
            n[1]++;
        }
    }

    private void halfOpenEnded(TcpConnection c) {
        if (c.admittedBy != null && c.halfOpenCounted) {
            c.halfOpenCounted = false;
            perSource.get(c.remoteIp)[1]--;
        }
    }

    private void released(TcpConnection c, TcpState was) {
        TcpListener l = c.admittedBy;
        if (l == null) {
            return;
        }
        halfOpenEnded(c);
        c.admittedBy = null;
        l.connections--;
        int[] n = perSource.get(c.remoteIp);
        if (--n[0] == 0) {
            perSource.remove(c.remoteIp);
        }
    }

    /** Connections (any state) from {@code remoteAddress} that came in through listeners (loop thread). */
    public int connectionsFrom(int remoteAddress) {
        int[] n = perSource.get(remoteAddress);
        return n == null ? 0 : n[0];
    }

    // ---------------------------------------------------------------- SYN cookies (RFC 4987 §3.6)

    private final Counter cookiesSent;
    private final Counter cookiesAccepted;

    private void sendSynCookie(TcpSegment syn, int src, int dst) {
        int peerMss = rxOptions.hasMss() ? rxOptions.mss() : 536;
        int idx = SynCookies.mssIndex(Math.min(peerMss, mssFor(src)));
        int isn = synCookies.make(idx, dst, syn.destinationPort(), src, syn.sourcePort(), syn.sequenceNumber());
        TcpOptions o = txOptions.clear().setMss(SynCookies.MSS[idx]); // nothing else can be remembered
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        int hl = TcpSegment.write(tx, t, syn.destinationPort(), syn.sourcePort(), isn, syn.sequenceNumber() + 1,
                TcpSegment.SYN | TcpSegment.ACK, 65535, 0, o, 0, dst, src);
        txSegments.inc();
        cookiesSent.inc();
        ip.send(dst, src, Ipv4Packet.PROTO_TCP, 0, false, tx, t, hl);
    }

    /** The ACK completing a cookie handshake: if the cookie checks out, the connection starts ESTABLISHED. */
    private boolean acceptCookie(TcpListener l, TcpSegment seg, int src, int dst) {
        if (cookiesSent.get() == 0 || l.acceptQueueFull() || connections.size() >= config.maxConnections()) {
            return false;
        }
        int isn = seg.acknowledgmentNumber() - 1;
        int peerIsn = seg.sequenceNumber() - 1;
        int idx = synCookies.check(isn, dst, seg.destinationPort(), src, seg.sourcePort(), peerIsn);
        if (idx < 0) {
            return false;
        }
        TcpConnection c = new TcpConnection(this, l.connectionConfig(), dst, seg.destinationPort(), src,
                seg.sourcePort(), null);
        connections.add(c);
        passiveOpens.inc();
        cookiesAccepted.inc();
        admitted(c, l, false);
        c.acceptCookie(seg, rxOptions, isn, SynCookies.MSS[idx]);
        l.established(c);
        c.input(seg, rxOptions); // any data the ACK carries
        return true;
    }

    @Override
    public void icmpError(int type, int code, int fromIp, int quotedDst, int srcPort, int dstPort) {
        // The quote's source is not passed up; the address we would send from stands for it.
        TcpConnection c = connections.get(key(quotedDst, dstPort, srcPort), ip.sourceAddressFor(quotedDst));
        if (c == null || c.state() != TcpState.SYN_SENT || type != IcmpMessage.TYPE_DEST_UNREACHABLE) {
            return; // RFC 1122 §4.2.3.9: soft errors for established connections
        }
        if (code == IcmpMessage.CODE_PORT_UNREACHABLE || code == IcmpMessage.CODE_PROTOCOL_UNREACHABLE) {
            c.failFromIcmp(new ConnectException("Connection refused"));
        } else if (code == IcmpMessage.CODE_HOST_UNREACHABLE || code == IcmpMessage.CODE_NET_UNREACHABLE) {
            c.failFromIcmp(new NoRouteToHostException("No route to host"));
        }
    }

    // ---------------------------------------------------------------- output

    /**
     * Payloads from this size on are checksummed while they are copied (out of the send buffer,
     * into the receive buffer): one pass over the bytes instead of two. Measured in one JVM
     * (BENCHMARKS.md §4.7): +14 % per CPU-second at MTU 9000, but −10 % at MTU 1500, where a
     * segment's bytes stay in L1 after the copy and the second pass is cheaper than the staging.
     */
    static final int SUM_WHILE_COPYING = 4096;

    /**
     * Sends one segment of {@code c}; payload bytes come from its send buffer at {@code bufferOffset}.
     * With {@code offloads} the device completes the checksum and, when {@code segmentSize > 0},
     * cuts this super-segment into segments of {@code segmentSize} payload bytes.
     */
    void sendSegment(TcpConnection c, int seq, int ack, int flags, int window, TcpOptions opts, int bufferOffset, int len,
                     LinkOffloads offloads, int segmentSize) {
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        int hl = TcpSegment.headerLength(opts);
        txSegments.inc();
        if (offloads.txChecksum()) {
            if (len > 0) {
                c.copySendData(bufferOffset, tx, t + hl, len);
            }
            TcpSegment.writeHeader(tx, t, c.localPort, c.remotePort, seq, ack, flags, window, 0, opts);
            TcpSegment.fillPartialChecksum(tx, t, hl + len, c.localIp, c.remoteIp);
            ip.sendOffloaded(c.localIp, c.remoteIp, Ipv4Packet.PROTO_TCP, c.trafficClass(), tx, t, hl + len, TcpSegment.CHECKSUM_OFFSET, segmentSize);
            return;
        }
        if (len >= SUM_WHILE_COPYING) {
            // The payload is summed while it is copied out of the send buffer (one pass, not two);
            // the header is summed after it is written. hl is a multiple of 4, so the payload's
            // sum joins the header's without a byte swap (RFC 1071 §2(B)).
            int payloadSum = c.copySendDataAndSum(bufferOffset, tx, t + hl, len);
            TcpSegment.writeHeader(tx, t, c.localPort, c.remotePort, seq, ack, flags, window, 0, opts);
            int sum = Checksum.partial(tx, t, hl, Checksum.pseudoHeader(c.localIp, c.remoteIp, Ipv4Packet.PROTO_TCP, hl + len));
            Bytes.putU16(tx, t + TcpSegment.CHECKSUM_OFFSET, Checksum.finish(Checksum.addPiece(sum, payloadSum, hl)));
        } else {
            if (len > 0) {
                c.copySendData(bufferOffset, tx, t + hl, len);
            }
            TcpSegment.write(tx, t, c.localPort, c.remotePort, seq, ack, flags, window, 0, opts, len, c.localIp, c.remoteIp);
        }
        ip.send(c.localIp, c.remoteIp, Ipv4Packet.PROTO_TCP, c.trafficClass(), false, tx, t, hl + len);
    }

    // ---------------------------------------------------------------- ACK per receive batch

    private final java.util.ArrayList<TcpConnection> batchAcks = new java.util.ArrayList<>();
    /** Fires in the loop turn that received the batch: timers run right after the devices are read. */
    private Timer batchEnd;

    /**
     * Queues {@code c}'s every-second-segment ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2) until the
     * frames the loop took from the device in this turn are all processed: a connection that
     * received 40 segments in one batch sends one ACK, not 20. Out-of-order data, holes filled and
     * FINs are still acknowledged at once (their ACKs drive the sender's loss recovery).
     */
    void ackAfterBatch(TcpConnection c) {
        if (c.batchAckQueued) {
            return;
        }
        c.batchAckQueued = true;
        queueForBatchEnd(c);
    }

    private void queueForBatchEnd(TcpConnection c) {
        if (c.batchQueued) {
            return;
        }
        c.batchQueued = true;
        batchAcks.add(c);
        if (batchEnd == null) {
            batchEnd = ip.loop().newTimer(this::sendBatchAcks);
        }
        if (!batchEnd.isScheduled()) {
            batchEnd.schedule(0);
        }
    }

    /**
     * True while an established connection processes a received segment: the new data its ACK
     * lets out (and what the application writes from {@code onSent}) is queued with
     * {@link #outputAfterBatch} and written when the batch ends. Over a TAP every frame written is
     * the kernel's receive path run inside our {@code write(2)}; frames written back to back find
     * the kernel's reader still awake instead of waking it (a cross-CPU wake-up) for every one or
     * two segments, as writing after each ACK of a receive batch did.
     */
    boolean inInput;

    /** Queues {@code c}'s {@link TcpConnection#output} until the end of this receive batch. */
    void outputAfterBatch(TcpConnection c) {
        c.batchOutputWanted = true;
        queueForBatchEnd(c);
    }

    private void sendBatchAcks() {
        // Index loop: no iterator allocated; a connection queued while flushing is flushed too.
        for (int i = 0; i < batchAcks.size(); i++) {
            batchAcks.get(i).sendBatchAck();
        }
        batchAcks.clear();
    }

    /** What the device towards {@code remoteIp} does for us (checksums, segmentation). */
    LinkOffloads offloadsFor(int remoteIp) {
        return ip.offloadsFor(remoteIp);
    }

    void sendRst(int localIp, int localPort, int remoteIp, int remotePort, int seq, int ack, boolean withAck) {
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        int hl = TcpSegment.write(tx, t, localPort, remotePort, seq, withAck ? ack : 0,
                TcpSegment.RST | (withAck ? TcpSegment.ACK : 0), 0, 0, null, 0, localIp, remoteIp);
        txSegments.inc();
        txResets.inc();
        ip.send(localIp, remoteIp, Ipv4Packet.PROTO_TCP, 0, false, tx, t, hl);
    }

    // ---------------------------------------------------------------- shared services

    static long key(int remoteIp, int remotePort, int localPort) {
        return ((long) remoteIp << 32) | ((long) (remotePort & 0xFFFF) << 16) | (localPort & 0xFFFF);
    }

    /** RFC 6056 §3.3.4 (algorithm 4, double-hash); a port is free if the 4-tuple is and nobody listens on it. */
    private int ephemeralPort(int srcIp, int dstIp, int dstPort) {
        int port = ip.ephemeralPort(Ipv4Packet.PROTO_TCP, srcIp, dstIp, dstPort,
                p -> connections.get(key(dstIp, dstPort, p), srcIp) != null || listeners.containsKey(p));
        if (port >= 0) {
            return port;
        }
        throw new UncheckedIOException(new BindException("no free ephemeral TCP port towards "
                + Ipv4Address.format(dstIp) + ":" + dstPort));
    }

    /** Tests only: fixed ISNs (e.g. near 2^32 to exercise wrap-around). */
    java.util.function.IntSupplier isnOverride;

    /** Tests: the SYN-cookie maker and checker. */
    SynCookies synCookies() {
        return synCookies;
    }

    int isn(int localIp, int localPort, int remoteIp, int remotePort) {
        if (isnOverride != null) {
            return isnOverride.getAsInt();
        }
        return isnGenerator.next(localIp, localPort, remoteIp, remotePort);
    }

    /** MSS to advertise towards {@code remoteIp}: the interface MTU less IPv4 and TCP headers. */
    int mssFor(int remoteIp) {
        return Math.min(65495, ip.mtuFor(remoteIp) - 40);
    }

    void handshakeCompleted(TcpConnection c) {
        halfOpenEnded(c);
        TcpListener l = c.listener;
        if (l != null) {
            l.halfOpen--;
            if (l.isClosed()) {
                c.abort();
                return;
            }
            c.listener = null;
            l.established(c);
        } else {
            c.connectedBySimultaneousOpen();
        }
    }

    void remove(TcpConnection c, TcpState was) {
        connections.remove(c);
        released(c, was);
        TcpListener l = c.listener;
        if (l != null) {
            if (was == TcpState.SYN_RECEIVED) {
                l.halfOpen--;
            }
            l.forget(c);
            c.listener = null;
        }
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
     * The offset added to our RFC 7323 TSval towards {@code remoteIp}: a keyed hash of the address
     * pair, as Linux does, so the clock it shows says nothing of our uptime or of other peers' offsets,
     * while one peer sees our timestamps advance across connections (RFC 6191 relies on that).
     */
    int timestampOffset(int localIp, int remoteIp) {
        return (int) timestampKey.hashTuple(localIp, 0, remoteIp, 0);
    }

    /** The stack's memory budget, which the connections' buffers are charged to. */
    public MemoryBudget memory() {
        return memory;
    }

    TcpOptions txOptions() {
        return txOptions;
    }

    int[] sackStarts() {
        return sackStarts;
    }

    int[] sackEnds() {
        return sackEnds;
    }

    /**
     * May {@code c} send a challenge ACK (RFC 5961 §3.2, §4.2, §5.2) now? At most one an interval
     * per connection ({@link #invalidAckAllowed}), and all connections together within a global
     * budget per second that is drawn anew, at random around {@link TcpConfig#challengeAckRate()},
     * each second (RFC 5961 §7; as Linux since 4.7): with a fixed global budget an off-path
     * attacker could count the challenge ACKs it did not receive and so learn whether its guesses
     * hit someone else's connection (CVE-2016-5696).
     */
    boolean challengeAckAllowed(TcpConnection c) {
        if (!perConnection(c)) {
            challengeAcksLimitedPerConnection.inc();
            return false;
        }
        if (!challengeAcks.tryAcquire()) {
            challengeAcksLimitedGlobal.inc();
            return false;
        }
        return true;
    }

    /**
     * May {@code c} answer a segment outside its window that carries no data with an ACK now? At
     * most one an interval ({@link TcpConfig#challengeAckInterval()}), which breaks ACK loops
     * between two confused ends and bounds what forged segments can draw from us.
     */
    boolean invalidAckAllowed(TcpConnection c) {
        if (!perConnection(c)) {
            outOfWindowAcksLimited.inc();
            return false;
        }
        return true;
    }

    private boolean perConnection(TcpConnection c) {
        long now = ip.loop().clock().nanos();
        if (c.lastInvalidAckNanos != Long.MIN_VALUE && now - c.lastInvalidAckNanos < invalidAckIntervalNanos) {
            return false;
        }
        c.lastInvalidAckNanos = now;
        return true;
    }

    /** {@link #challengeAckAllowed(TcpConnection)} for a connection waiting out TIME-WAIT. */
    boolean challengeAckAllowed(TimeWaits.Record r) {
        if (!perRecord(r)) {
            challengeAcksLimitedPerConnection.inc();
            return false;
        }
        if (!challengeAcks.tryAcquire()) {
            challengeAcksLimitedGlobal.inc();
            return false;
        }
        return true;
    }

    /** {@link #invalidAckAllowed(TcpConnection)} for a connection waiting out TIME-WAIT. */
    boolean invalidAckAllowed(TimeWaits.Record r) {
        if (!perRecord(r)) {
            outOfWindowAcksLimited.inc();
            return false;
        }
        return true;
    }

    /** The per-connection interval on a record's millisecond clock (int differences survive wrap-around). */
    private boolean perRecord(TimeWaits.Record r) {
        int now = (int) (ip.loop().clock().nanos() / 1_000_000L);
        if (now - r.lastInvalidAckMillis < invalidAckIntervalNanos / 1_000_000L) {
            return false;
        }
        r.lastInvalidAckMillis = now;
        return true;
    }

    void countChallengeAck() { challengeAckCount.inc(); }
    void countPaws() { pawsRejected.inc(); }
    void countOutOfWindow() { outOfWindow.inc(); }
    void countAckTooNew() { ackTooNew.inc(); }
    void countDupAck() { dupAcks.inc(); }
    void countFastRetransmit() { fastRetransmits.inc(); }
    void countRetransmit() { retransmits.inc(); }
    void countTimeout() { timeouts.inc(); }
    void countWindowProbe() { windowProbes.inc(); }
    void countKeepalive() { keepalives.inc(); }
    void countAbort() { aborts.inc(); }
    void countListenOverflow() { listenOverflows.inc(); }
}
