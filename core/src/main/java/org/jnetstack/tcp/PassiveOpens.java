package org.jnetstack.tcp;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.Arrays;
import java.util.function.Consumer;
import org.jnetstack.internal.LongMap;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * Passive opens: SYNs to a listener (RFC 9293 §3.10.7.2), SYN cookies when the SYN queue is full
 * or memory is short (RFC 4987 §3.6), the limits a new connection must pass (memory, per source,
 * per listener), and the catch-all of a gateway ({@link Tcp#listenAny}) with its undecided
 * {@link TcpSynRequest}s. It keeps the books of who came in through which listener until each
 * connection ends.
 */
final class PassiveOpens {
    private final Tcp tcp;
    private final Ipv4 ip;
    private final TcpConfig config;
    private final MemoryBudget memory;
    private final TcpCounters counters;
    private final TupleTable<TcpConnection> connections;
    private final SynCookies synCookies;
    private final TupleTable<TcpSynRequest> synRequests = new TupleTable<>(r -> r.tuple,
            r -> r.sameKeyNext, (r, next) -> r.sameKeyNext = next);
    private Consumer<TcpSynRequest> anyListener;
    /**
     * Per remote address, by its keyed hash ({@link TupleKeys#addressKey}): {connections, of which
     * half-open} that came in through a listener.
     */
    private final LongMap<int[]> perSource = new LongMap<>();

    PassiveOpens(Tcp tcp, Ipv4 ip, TcpConfig config, TupleTable<TcpConnection> connections, SynCookies synCookies) {
        this.tcp = tcp;
        this.ip = ip;
        this.config = config;
        this.memory = MemoryBudget.of(ip.memory());
        this.counters = tcp.counters;
        this.connections = connections;
        this.synCookies = synCookies;
    }

    SynCookies synCookies() {
        return synCookies;
    }

    // ---------------------------------------------------------------- listeners

    /** RFC 9293 §3.10.7.2 (LISTEN). */
    void listenInput(TcpListener l, TcpSegment seg, TcpOptions opts, long srcHi, long srcLo, long dstHi, long dstLo) {
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            int cookie = !seg.isSyn() && !seg.isFin() ? validCookie(seg, srcHi, srcLo, dstHi, dstLo) : -1;
            if (cookie < 0) {
                tcp.writer.sendRst(dstHi, dstLo, seg.destinationPort(), srcHi, srcLo, seg.sourcePort(),
                        seg.acknowledgmentNumber(), 0, false);
            } else if (admits(l, srcHi, srcLo, false) && !l.acceptQueueFull() && connections.size() < config.maxConnections()) {
                acceptCookie(l, seg, opts, srcHi, srcLo, dstHi, dstLo, cookie);
            } else {
                // A handshake we answered, completed while there is no room: dropped without a
                // reset, as a SYN would be, so the peer's retransmissions open it once there is
                // room (as Linux does unless tcp_abort_on_overflow).
                counters.cookieAcksDeferred.inc();
            }
            return;
        }
        if (!seg.isSyn()) {
            return;
        }
        if (l.acceptQueueFull()) {
            counters.listenOverflows.inc(); // the client retransmits its SYN; by then the application may have accepted
            return;
        }
        if (!admits(l, srcHi, srcLo, true)) {
            return; // refused and counted: the peer's SYN retransmissions try again later
        }
        if (l.halfOpen() >= config.synQueue() || memory.underPressure()) {
            // RFC 4987 §3.6: keep serving without state — the ISN carries what we must remember.
            // Under memory pressure too (as Linux prefers cookies then): a half-open connection is state.
            (memory.underPressure() ? counters.pressureCookies : counters.synQueueFull).inc();
            sendSynCookie(seg, opts, srcHi, srcLo, dstHi, dstLo);
            return;
        }
        if (connections.size() >= config.maxConnections()) {
            counters.connectionLimit.inc();
            return;
        }
        TcpConnection c = new TcpConnection(tcp, l.connectionConfig(),
                new FourTuple(tcp.keys, dstHi, dstLo, seg.destinationPort(), srcHi, srcLo, seg.sourcePort()), null);
        c.listener = l;
        l.halfOpenStarted();
        admitted(c, l, true);
        connections.add(c);
        counters.passiveOpens.inc();
        c.arrival.acceptSyn(seg, opts, tcp.isn(c.tuple));
    }

    /** {@code c}'s handshake completed: to its listener's accept queue (or, opened actively, connected). */
    void handshakeCompleted(TcpConnection c) {
        halfOpenEnded(c);
        TcpListener l = c.listener;
        if (l != null) {
            l.halfOpenEnded();
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

    /** {@code c} ended in state {@code was}: off its listener's and its source's books. */
    void ended(TcpConnection c, TcpState was) {
        released(c);
        TcpListener l = c.listener;
        if (l != null) {
            if (was == TcpState.SYN_RECEIVED) {
                l.halfOpenEnded();
            }
            l.forget(c);
            c.listener = null;
        }
    }

    // ---------------------------------------------------------------- admission: memory, per source, per listener

    /**
     * Whether a new connection from {@code src} through {@code l} may be made ({@code halfOpen}:
     * it starts half-open, from a SYN; else established, from a SYN cookie); counts a refusal. The
     * memory budget spent refuses everything new — established connections keep their memory.
     */
    private boolean admits(TcpListener l, long srcHi, long srcLo, boolean halfOpen) {
        if (memory.used() >= memory.limit()) {
            counters.refusedMemory.inc();
            return false;
        }
        if (l.connections() >= l.connectionConfig().maxConnectionsPerListener()) {
            counters.refusedPerListener.inc();
            return false;
        }
        int[] n = perSource.get(tcp.keys.addressKey(srcHi, srcLo));
        if (n != null && n[0] >= config.maxConnectionsPerSource()) {
            counters.refusedPerSource.inc();
            return false;
        }
        if (halfOpen && n != null && n[1] >= config.maxHalfOpenPerSource()) {
            counters.refusedPerSourceHalfOpen.inc();
            return false;
        }
        return true;
    }

    private void admitted(TcpConnection c, TcpListener l, boolean halfOpen) {
        c.admittedBy = l;
        c.halfOpenCounted = halfOpen;
        l.admitted();
        c.sourceKey = tcp.keys.addressKey(c.tuple.remoteHi, c.tuple.remoteLo);
        int[] n = perSource.get(c.sourceKey);
        if (n == null) {
            n = new int[2];
            perSource.put(c.sourceKey, n);
        }
        n[0]++;
        if (halfOpen) {
            n[1]++;
        }
    }

    private void halfOpenEnded(TcpConnection c) {
        if (c.admittedBy != null && c.halfOpenCounted) {
            c.halfOpenCounted = false;
            perSource.get(c.sourceKey)[1]--;
        }
    }

    private void released(TcpConnection c) {
        TcpListener l = c.admittedBy;
        if (l == null) {
            return;
        }
        halfOpenEnded(c);
        c.admittedBy = null;
        l.released();
        int[] n = perSource.get(c.sourceKey);
        if (--n[0] == 0) {
            perSource.remove(c.sourceKey);
        }
    }

    /** Connections (any state) from {@code remoteAddress} that came in through listeners (loop thread). */
    int connectionsFrom(long remoteHi, long remoteLo) {
        int[] n = perSource.get(tcp.keys.addressKey(remoteHi, remoteLo));
        return n == null ? 0 : n[0];
    }

    // ---------------------------------------------------------------- SYN cookies (RFC 4987 §3.6)

    private void sendSynCookie(TcpSegment syn, TcpOptions opts, long srcHi, long srcLo, long dstHi, long dstLo) {
        int peerMss = opts.hasMss() ? opts.mss() : SegmentArrival.DEFAULT_MSS;
        int idx = SynCookies.mssIndex(Math.min(peerMss, tcp.mssFor(srcHi, srcLo)));
        int isn = synCookies.make(idx, dstHi, dstLo, syn.destinationPort(), srcHi, srcLo, syn.sourcePort(),
                syn.sequenceNumber());
        TcpOptions o = tcp.writer.txOptions().clear().setMss(SynCookies.MSS[idx]); // nothing else can be remembered
        counters.cookiesSent.inc();
        tcp.writer.sendBare(dstHi, dstLo, srcHi, srcLo, tcp.writer.bareHeader().ports(syn.destinationPort(), syn.sourcePort())
                .segment(isn, syn.sequenceNumber() + 1, TcpSegment.SYN | TcpSegment.ACK, 65535).options(o));
    }

    /** The ACK completing a cookie handshake: if the cookie checks out, the connection starts ESTABLISHED. */
    /** The MSS index of the SYN cookie {@code seg} acknowledges, or -1 when it acknowledges none of ours. */
    private int validCookie(TcpSegment seg, long srcHi, long srcLo, long dstHi, long dstLo) {
        if (counters.cookiesSent.get() == 0) {
            return -1;
        }
        return synCookies.check(seg.acknowledgmentNumber() - 1, dstHi, dstLo, seg.destinationPort(), srcHi, srcLo,
                seg.sourcePort(), seg.sequenceNumber() - 1);
    }

    /** Opens the connection whose SYN cookie {@code seg} acknowledges (its MSS index {@code idx}). */
    private void acceptCookie(TcpListener l, TcpSegment seg, TcpOptions opts, long srcHi, long srcLo,
                              long dstHi, long dstLo, int idx) {
        int isn = seg.acknowledgmentNumber() - 1;
        TcpConnection c = new TcpConnection(tcp, l.connectionConfig(),
                new FourTuple(tcp.keys, dstHi, dstLo, seg.destinationPort(), srcHi, srcLo, seg.sourcePort()), null);
        connections.add(c);
        counters.passiveOpens.inc();
        counters.cookiesAccepted.inc();
        admitted(c, l, false);
        c.arrival.acceptCookie(seg, opts, isn, SynCookies.MSS[idx]);
        l.established(c);
        c.arrival.input(seg, opts, false); // any data the ACK carries
    }

    // ---------------------------------------------------------------- the catch-all (listenAny)

    void listenAny(Consumer<TcpSynRequest> onSyn) {
        this.anyListener = onSyn;
    }

    boolean hasCatchAll() {
        return anyListener != null;
    }

    int pendingSynRequests() {
        return synRequests.size();
    }

    /**
     * The catch-all (listenAny): a new SYN becomes a request; segments of an undecided request
     * are absorbed. Returns false to let the segment be answered as for a closed port.
     */
    boolean anyInput(NetInterface ni, Ipv4Packet pkt, TcpSegment seg, long k, int src, int dst) {
        int decision = anyDecision(seg, k, 0, TransportAddresses.mappedLo(src), 0, TransportAddresses.mappedLo(dst));
        if (decision != NEW_REQUEST) {
            return decision == ABSORBED;
        }
        int ipHl = pkt.headerLength();
        int ipOff = pkt.payloadOffset() - ipHl;
        byte[] copy = Arrays.copyOfRange(seg.buffer(), ipOff, ipOff + ipHl + seg.headerLength());
        newRequest(new TcpSynRequest(this, ni, null, copy, ipHl, new FourTuple(tcp.keys, 0, TransportAddresses.mappedLo(dst),
                seg.destinationPort(), 0, TransportAddresses.mappedLo(src), seg.sourcePort()), ip.loop().clock().nanos()));
        return true;
    }

    /**
     * {@link #anyInput} over IPv6. The request keeps the fixed header, rewritten to be followed
     * directly by the TCP header (extension headers are not kept), for an ICMPv6 error to quote.
     */
    boolean anyInput6(Ipv6Interface ifc, Ipv6Packet pkt, TcpSegment seg, long k) {
        long srcHi = pkt.sourceHi();
        long srcLo = pkt.sourceLo();
        long dstHi = pkt.destinationHi();
        long dstLo = pkt.destinationLo();
        int decision = anyDecision(seg, k, srcHi, srcLo, dstHi, dstLo);
        if (decision != NEW_REQUEST) {
            return decision == ABSORBED;
        }
        int ipOff = pkt.payloadOffset() - Ipv6Packet.HEADER_LENGTH;
        int tcpHl = seg.headerLength();
        byte[] copy = new byte[Ipv6Packet.HEADER_LENGTH + tcpHl];
        System.arraycopy(seg.buffer(), ipOff, copy, 0, Ipv6Packet.HEADER_LENGTH);
        System.arraycopy(seg.buffer(), seg.payloadOffset() - tcpHl, copy, Ipv6Packet.HEADER_LENGTH, tcpHl);
        copy[4] = (byte) (tcpHl >>> 8); // payload length: the TCP header alone
        copy[5] = (byte) tcpHl;
        copy[6] = (byte) Ipv4Packet.PROTO_TCP; // next header: TCP, the extension headers dropped
        newRequest(new TcpSynRequest(this, ifc.netInterface(), ifc, copy, Ipv6Packet.HEADER_LENGTH, new FourTuple(tcp.keys,
                dstHi, dstLo, seg.destinationPort(), srcHi, srcLo, seg.sourcePort()), ip.loop().clock().nanos()));
        return true;
    }

    private static final int NOT_TAKEN = 0;
    private static final int ABSORBED = 1;
    private static final int NEW_REQUEST = 2;

    /** What the catch-all does with {@code seg}: absorb it, answer it as a closed port, or make a new request of it. */
    private int anyDecision(TcpSegment seg, long k, long srcHi, long srcLo, long dstHi, long dstLo) {
        if (synRequests.get(k, dstHi, dstLo, srcHi, srcLo, seg.sourcePort(), seg.destinationPort()) != null) {
            return ABSORBED; // a retransmitted SYN, or a stray segment, while the catch-all decides
        }
        if (!seg.isSyn() || seg.isAck() || seg.isRst()) {
            return NOT_TAKEN;
        }
        if (synRequests.size() >= config.synQueue()) {
            counters.synQueueFull.inc();
            return ABSORBED;
        }
        if (connections.size() + synRequests.size() >= config.maxConnections()) {
            counters.connectionLimit.inc();
            return ABSORBED;
        }
        if (memory.used() >= memory.limit()) {
            counters.refusedMemory.inc(); // no new work while the budget is spent: the guest retransmits its SYN
            return ABSORBED;
        }
        return NEW_REQUEST;
    }

    private void newRequest(TcpSynRequest r) {
        synRequests.add(r);
        counters.synRequests.inc();
        anyListener.accept(r);
    }

    TcpConnection acceptRequest(TcpSynRequest r, TcpHandler handler) {
        forgetRequest(r);
        if (connections.get(r.tuple) != null) {
            throw new UncheckedIOException(new BindException("a connection with the 4-tuple of " + r + " exists"));
        }
        TcpSegment seg = new TcpSegment().wrap(r.datagram, r.ipHeaderLength, r.datagram.length - r.ipHeaderLength);
        TcpOptions opts = new TcpOptions();
        opts.parse(seg);
        TcpConnection c = new TcpConnection(tcp, config, r.tuple, handler);
        connections.add(c);
        counters.passiveOpens.inc();
        c.arrival.acceptSyn(seg, opts, tcp.isn(r.tuple));
        return c;
    }

    void resetRequest(TcpSynRequest r) {
        forgetRequest(r);
        TcpSegment seg = new TcpSegment().wrap(r.datagram, r.ipHeaderLength, r.datagram.length - r.ipHeaderLength);
        tcp.writer.sendRst(r.tuple, 0, seg.sequenceNumber() + 1, true);
    }

    void unreachableRequest(TcpSynRequest r, int code) {
        forgetRequest(r);
        if (r.ipv6Iface != null) {
            // RFC 4443 §3.1: the ICMPv6 code that says the same as IPv4's net or host unreachable.
            r.ipv6Iface.ipv6().icmp().sendUnreachable(r.ipv6Iface, code == IcmpMessage.CODE_NET_UNREACHABLE
                    ? Icmpv6Message.CODE_NO_ROUTE : Icmpv6Message.CODE_ADDRESS_UNREACHABLE, r.datagram, 0, r.datagram.length);
            return;
        }
        ip.icmp().sendError(r.iface, IcmpMessage.TYPE_DEST_UNREACHABLE, code, 0, r.datagram, 0, r.datagram.length);
    }

    private void forgetRequest(TcpSynRequest r) {
        synRequests.remove(r);
    }
}
