package org.jnetstack.ip;

import org.jnetstack.internal.IntMap;
import org.jnetstack.internal.RateLimiter;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Malformed;

/**
 * ICMP (RFC 792, RFC 1122 §3.2.2): answers echo requests (rate-limited), sends echo requests
 * for {@link #ping}, reports unreachable ports and protocols (rate-limited), passes received
 * errors that quote a datagram from one of our addresses to the transport that sent it (a
 * "fragmentation needed" with the MTU it reports, RFC 1191 §4: the transport checks the quote
 * against its state and lowers the path MTU, RFC 5927 §4.1), and ignores redirects (a host that
 * follows redirects can be steered by anyone on the link).
 */
public final class Icmp {
    /** Largest error message we send: RFC 1812 §4.3.2.3 keeps it within 576 octets. */
    private static final int MAX_ERROR_DATAGRAM = 576;

    private final Ipv4 ip;
    private final IcmpMessage msg = new IcmpMessage();
    private final Ipv4Packet quoted = new Ipv4Packet();
    private final RateLimiter echoLimiter;
    private final RateLimiter errorLimiter;
    private final IntMap<PendingPing> pings = new IntMap<>();

    private final Counter rxMessages;
    private final Counter rxEchoRequests;
    private final Counter rxEchoReplies;
    private final Counter rxUnreachable;
    private final Counter rxTimeExceeded;
    private final Counter rxRedirectsIgnored;
    private final Counter rxOther;
    private final Counter rxErrorsNotOurs;
    private final Counter rxFragNeeded;
    private final Counter rxFragNeededWithoutDf;
    private final Counter rxUnmatchedReplies;
    private final Counter rxBroadcastEchoIgnored;
    private final Counter rxForeignEcho;
    private ForeignEchoHandler foreignEcho;
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    private final Counter txEchoReplies;
    private final Counter txEchoRequests;
    private final Counter txErrors;
    private final Counter echoRateLimited;
    private final Counter errorRateLimited;
    private final Counter errorSuppressed;

    private final class PendingPing {
        final int key;
        final int dst;
        final int sequence;
        final long sentAt;
        final PingListener listener;
        final Timer timer;

        PendingPing(int key, int dst, int sequence, long sentAt, PingListener listener, long timeoutNanos) {
            this.key = key;
            this.dst = dst;
            this.sequence = sequence;
            this.sentAt = sentAt;
            this.listener = listener;
            this.timer = ip.loop().schedule(timeoutNanos, () -> {
                if (pings.get(key) == this) {
                    pings.remove(key);
                    listener.onFailure(sequence, 0, "Request timeout");
                }
            });
        }
    }

    Icmp(Ipv4 ip, Counters counters) {
        this.ip = ip;
        var cfg = ip.config();
        var clock = ip.loop().clock();
        echoLimiter = new RateLimiter(clock, cfg.icmpEchoRate(), cfg.icmpEchoBurst());
        errorLimiter = new RateLimiter(clock, cfg.icmpErrorRate(), cfg.icmpErrorBurst());
        rxMessages = counters.counter("icmp.rx.messages");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter("icmp.rx.drop." + m.id());
        }
        rxEchoRequests = counters.counter("icmp.rx.echo_requests");
        rxEchoReplies = counters.counter("icmp.rx.echo_replies");
        rxUnmatchedReplies = counters.counter("icmp.rx.echo_replies_unmatched");
        rxUnreachable = counters.counter("icmp.rx.dest_unreachable");
        rxTimeExceeded = counters.counter("icmp.rx.time_exceeded");
        rxRedirectsIgnored = counters.counter("icmp.rx.redirects_ignored");
        rxBroadcastEchoIgnored = counters.counter("icmp.rx.broadcast_echo_ignored");
        rxForeignEcho = counters.counter("icmp.rx.foreign_echo_requests");
        rxOther = counters.counter("icmp.rx.other_types");
        rxErrorsNotOurs = counters.counter("icmp.rx.errors_not_about_ours");
        rxFragNeeded = counters.counter("icmp.rx.frag_needed");
        rxFragNeededWithoutDf = counters.counter("icmp.rx.frag_needed_without_df");
        txEchoReplies = counters.counter("icmp.tx.echo_replies");
        txEchoRequests = counters.counter("icmp.tx.echo_requests");
        txErrors = counters.counter("icmp.tx.errors");
        echoRateLimited = counters.counter("icmp.tx.echo_replies_rate_limited");
        errorRateLimited = counters.counter("icmp.tx.errors_rate_limited");
        errorSuppressed = counters.counter("icmp.tx.errors_suppressed");
    }

    void input(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len) {
        rxMessages.inc();
        Malformed m = msg.wrap(buf, off, len).check();
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        switch (msg.type()) {
            case IcmpMessage.TYPE_ECHO_REQUEST -> echoRequest(ni, pkt, buf, off, len);
            case IcmpMessage.TYPE_ECHO_REPLY -> echoReply(pkt);
            case IcmpMessage.TYPE_DEST_UNREACHABLE -> {
                rxUnreachable.inc();
                // RFC 1191 §4: a "fragmentation needed" carries the next-hop MTU in the low 16 bits of the second word.
                error(msg.type(), msg.code(), msg.restOfHeader() & 0xFFFF, pkt.source(), buf, msg.payloadOffset(),
                        msg.payloadLength());
            }
            case IcmpMessage.TYPE_TIME_EXCEEDED -> {
                rxTimeExceeded.inc();
                error(msg.type(), msg.code(), 0, pkt.source(), buf, msg.payloadOffset(), msg.payloadLength());
            }
            case IcmpMessage.TYPE_REDIRECT -> rxRedirectsIgnored.inc();
            default -> rxOther.inc();
        }
    }

    private void echoRequest(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len) {
        rxEchoRequests.inc();
        int dst = pkt.destination();
        // An address we answer ARP for on another's behalf (a gateway's DNS address) answers ping too:
        // to the host on the link it is one of ours.
        if (!ip.isLocalAddress(dst) && !ni.isProxyArp(dst)) {
            if (foreignEcho != null && !ni.isBroadcast(dst) && !Ipv4Address.isMulticast(dst)) {
                // A gateway that accepts any destination stands in for this one.
                rxForeignEcho.inc();
                foreignEcho.onEchoRequest(pkt.source(), dst, msg.identifier(), msg.sequence(), buf,
                        msg.payloadOffset(), msg.payloadLength());
                return;
            }
            // RFC 1122 §3.2.2.6 allows silently ignoring broadcast echo requests (smurf amplification).
            rxBroadcastEchoIgnored.inc();
            return;
        }
        if (!echoLimiter.tryAcquire()) {
            echoRateLimited.inc();
            return;
        }
        // RFC 792: the reply carries the request's identifier, sequence and data unchanged.
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        System.arraycopy(buf, off, tx, t, len);
        tx[t] = IcmpMessage.TYPE_ECHO_REPLY;
        tx[t + 1] = 0;
        tx[t + 2] = 0;
        tx[t + 3] = 0;
        IcmpMessage.fillChecksum(tx, t, len);
        txEchoReplies.inc();
        ip.send(dst, pkt.source(), Ipv4Packet.PROTO_ICMP, 0, false, tx, t, len);
    }

    /**
     * Echo requests to addresses that are not ours reach {@code handler} (null: ignored, as by
     * default): a gateway that accepts any destination answers for the hosts it stands in for
     * with {@link #sendEchoReplyFrom}. Loop thread.
     */
    public void setForeignEchoHandler(ForeignEchoHandler handler) {
        this.foreignEcho = handler;
    }

    /** An echo request to a foreign address; {@code buf[dataOff, dataOff + dataLen)} is its data, valid during the call. */
    @FunctionalInterface
    public interface ForeignEchoHandler {
        void onEchoRequest(int src, int dst, int identifier, int sequence, byte[] buf, int dataOff, int dataLen);
    }

    /**
     * Sends an echo reply (RFC 792) from {@code src}, any address, to {@code dst}, carrying
     * {@code identifier}, {@code sequence} and the data unchanged. Loop thread.
     */
    public boolean sendEchoReplyFrom(int src, int dst, int identifier, int sequence, byte[] data, int off, int len) {
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        if (len < 0 || t + IcmpMessage.HEADER_LENGTH + len > tx.length) {
            return false;
        }
        tx[t] = IcmpMessage.TYPE_ECHO_REPLY;
        tx[t + 1] = 0;
        tx[t + 2] = 0;
        tx[t + 3] = 0;
        tx[t + 4] = (byte) (identifier >>> 8);
        tx[t + 5] = (byte) identifier;
        tx[t + 6] = (byte) (sequence >>> 8);
        tx[t + 7] = (byte) sequence;
        System.arraycopy(data, off, tx, t + IcmpMessage.HEADER_LENGTH, len);
        IcmpMessage.fillChecksum(tx, t, IcmpMessage.HEADER_LENGTH + len);
        txEchoReplies.inc();
        return ip.send(src, dst, Ipv4Packet.PROTO_ICMP, 0, false, tx, t, IcmpMessage.HEADER_LENGTH + len);
    }

    private void echoReply(Ipv4Packet pkt) {
        rxEchoReplies.inc();
        int key = (msg.identifier() << 16) | msg.sequence();
        PendingPing p = pings.get(key);
        if (p == null || (p.dst != pkt.source() && p.dst != -1 && !isBroadcastTarget(p.dst))) {
            rxUnmatchedReplies.inc();
            return;
        }
        pings.remove(key);
        p.timer.cancel();
        long rtt = ip.loop().clock().nanos() - p.sentAt;
        p.listener.onReply(p.sequence, pkt.source(), pkt.ttl(), msg.payloadLength() + IcmpMessage.HEADER_LENGTH, rtt);
    }

    private boolean isBroadcastTarget(int dst) {
        for (NetInterface ni : ip.interfaces()) {
            if (ni.isBroadcast(dst)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends one echo request (loop thread). The outcome comes to {@code listener}: a reply, an
     * ICMP error about it, a local failure (no route, unresolvable next hop), or a timeout.
     */
    public void ping(int dst, int identifier, int sequence, int payloadLength, long timeoutNanos, PingListener listener) {
        if (payloadLength < 0 || payloadLength > Ipv4.MAX_DATAGRAM - Ipv4Packet.MIN_HEADER_LENGTH - IcmpMessage.HEADER_LENGTH) {
            throw new IllegalArgumentException("ping payload must be 0-65507 bytes: " + payloadLength);
        }
        int key = ((identifier & 0xFFFF) << 16) | (sequence & 0xFFFF);
        PendingPing old = pings.remove(key);
        if (old != null) {
            old.timer.cancel();
        }
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        IcmpMessage.writeHeader(tx, t, IcmpMessage.TYPE_ECHO_REQUEST, 0, (identifier & 0xFFFF) << 16 | (sequence & 0xFFFF));
        long now = ip.loop().clock().nanos();
        for (int i = 0; i < payloadLength; i++) {
            // Like ping(8): a timestamp first, then a counting pattern.
            tx[t + 8 + i] = i < 8 ? (byte) (now >>> (8 * (7 - i))) : (byte) i;
        }
        IcmpMessage.fillChecksum(tx, t, IcmpMessage.HEADER_LENGTH + payloadLength);
        PendingPing p = new PendingPing(key, dst, sequence & 0xFFFF, now, listener, timeoutNanos);
        pings.put(key, p);
        txEchoRequests.inc();
        if (!ip.send(0, dst, Ipv4Packet.PROTO_ICMP, 0, false, tx, t, IcmpMessage.HEADER_LENGTH + payloadLength)) {
            pings.remove(key);
            p.timer.cancel();
            listener.onFailure(sequence & 0xFFFF, 0, "Network is unreachable");
        }
    }

    /** Pings waiting for an answer (diagnostics). */
    public int pendingPings() {
        return pings.size();
    }

    /**
     * An ICMP error about a datagram we sent, received from {@code from} or raised locally.
     * {@code buf[off, off+len)} is the quoted datagram (IPv4 header + at least 8 bytes).
     */
    private void error(int type, int code, int nextHopMtu, int from, byte[] buf, int off, int len) {
        if (len < Ipv4Packet.MIN_HEADER_LENGTH) {
            return;
        }
        Ipv4Packet q = quoted.wrap(buf, off, len);
        int hl = q.headerLength();
        if (q.version() != 4 || hl < Ipv4Packet.MIN_HEADER_LENGTH || len < hl + 8) {
            return; // RFC 792: the quote must hold the header and 64 bits of data
        }
        if (!ip.isLocalAddress(q.source()) && !ip.acceptsAnyDestination()) {
            // RFC 5927 §4.1: the quoted datagram must be one we could have sent (a gateway that
            // stands in for any address sends from any).
            rxErrorsNotOurs.inc();
            return;
        }
        int mtu = 0;
        if (type == IcmpMessage.TYPE_DEST_UNREACHABLE && code == IcmpMessage.CODE_FRAGMENTATION_NEEDED) {
            rxFragNeeded.inc();
            if (!q.dontFragment()) {
                rxFragNeededWithoutDf.inc(); // a router fragments such a datagram; this report is forged
                return;
            }
            mtu = PathMtuPlateaus.reportedMtu(nextHopMtu, q.totalLength());
        }
        int proto = q.protocol();
        if (proto == Ipv4Packet.PROTO_ICMP) {
            int t = off + hl;
            if ((buf[t] & 0xFF) != IcmpMessage.TYPE_ECHO_REQUEST) {
                return;
            }
            int id = ((buf[t + 4] & 0xFF) << 8) | (buf[t + 5] & 0xFF);
            int seq = ((buf[t + 6] & 0xFF) << 8) | (buf[t + 7] & 0xFF);
            int key = (id << 16) | seq;
            PendingPing p = pings.get(key);
            if (p != null && p.dst == q.destination()) {
                pings.remove(key);
                p.timer.cancel();
                p.listener.onFailure(seq, from, describe(type, code));
            }
            return;
        }
        IpProtocolHandler h = ip.protocol(proto);
        if (h != null) {
            int t = off + hl;
            h.icmpError(type, code, from, q.source(), q.destination(), mtu, buf, t, off + len - t);
        }
    }

    /** An error found locally (e.g. ARP gave up): reported to the sender as if a router had sent it. */
    void localError(int type, int code, int from, byte[] packet, int off, int len) {
        error(type, code, 0, from, packet, off, len);
    }

    /** Like {@link #localError(int, int, int, byte[], int, int)}, with the next-hop MTU of a "fragmentation needed". */
    void localError(int type, int code, int nextHopMtu, int from, byte[] packet, int off, int len) {
        error(type, code, nextHopMtu, from, packet, off, len);
    }

    /**
     * Sends an ICMP error about the datagram at {@code buf[ipOff, ipOff+ipLen)}, unless RFC 1122
     * §3.2.2 forbids it: never about an ICMP error, a broadcast or multicast datagram, a
     * non-initial fragment, or a datagram whose source is not a unicast host.
     */
    public void sendError(NetInterface ni, int type, int code, int restOfHeader, byte[] buf, int ipOff, int ipLen) {
        Ipv4Packet q = quoted.wrap(buf, ipOff, ipLen);
        if (ipLen < Ipv4Packet.MIN_HEADER_LENGTH) {
            return;
        }
        int src = q.source();
        int dst = q.destination();
        int hl = q.headerLength();
        boolean suppressed = src == 0 || src == -1 || Ipv4Address.isMulticast(src) || Ipv4Address.isMulticast(dst)
                || ni.isBroadcast(dst) || ni.isBroadcast(src) || q.fragmentOffset() != 0
                || (q.protocol() == Ipv4Packet.PROTO_ICMP && ipLen > hl && isError(buf[ipOff + hl] & 0xFF));
        if (suppressed) {
            errorSuppressed.inc();
            return;
        }
        if (!errorLimiter.tryAcquire()) {
            errorRateLimited.inc();
            return;
        }
        int quote = Math.min(ipLen, MAX_ERROR_DATAGRAM - Ipv4Packet.MIN_HEADER_LENGTH - IcmpMessage.HEADER_LENGTH);
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        int len = IcmpMessage.writeError(tx, t, type, code, restOfHeader, buf, ipOff, quote);
        txErrors.inc();
        int from = ip.isLocalAddress(dst) ? dst : ni.address();
        ip.send(from, src, Ipv4Packet.PROTO_ICMP, 0, false, tx, t, len);
    }

    private static boolean isError(int type) {
        return type == IcmpMessage.TYPE_DEST_UNREACHABLE || type == IcmpMessage.TYPE_TIME_EXCEEDED
                || type == IcmpMessage.TYPE_REDIRECT || type == 4 /* source quench */ || type == 12 /* parameter problem */;
    }

    /** The words ping(8) uses for an ICMP error. */
    public static String describe(int type, int code) {
        if (type == IcmpMessage.TYPE_DEST_UNREACHABLE) {
            return switch (code) {
                case IcmpMessage.CODE_NET_UNREACHABLE -> "Destination Net Unreachable";
                case IcmpMessage.CODE_HOST_UNREACHABLE -> "Destination Host Unreachable";
                case IcmpMessage.CODE_PROTOCOL_UNREACHABLE -> "Destination Protocol Unreachable";
                case IcmpMessage.CODE_PORT_UNREACHABLE -> "Destination Port Unreachable";
                case IcmpMessage.CODE_FRAGMENTATION_NEEDED -> "Frag needed and DF set";
                case 9, 10, 13 -> "Packet filtered";
                default -> "Dest Unreachable, Bad Code: " + code;
            };
        }
        if (type == IcmpMessage.TYPE_TIME_EXCEEDED) {
            return code == IcmpMessage.CODE_REASSEMBLY_TIME_EXCEEDED ? "Frag reassembly time exceeded" : "Time to live exceeded";
        }
        return "ICMP type " + type + " code " + code;
    }
}
