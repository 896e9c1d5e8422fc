package org.jnetstack.ip6;

import org.jnetstack.internal.IntMap;
import org.jnetstack.internal.RateLimiter;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Malformed;

/**
 * ICMPv6 (RFC 4443): answers echo requests (rate-limited), sends them for {@link #ping}, sends
 * errors under a token bucket (§2.4(f)) and never about an error, a multicast packet or an
 * unspecified or multicast source except where §2.4(e) allows, passes received errors to the
 * upper layer that sent the quoted packet, and hands Neighbor Discovery messages to
 * {@link Ndp}.
 */
public final class Icmpv6 {
    /** RFC 4443 §2.4(c): an error message must not exceed the minimum IPv6 MTU. */
    private static final int MAX_ERROR_PACKET = Ipv6Packet.MIN_MTU;

    private final Ipv6 ip;
    private final Icmpv6Message msg = new Icmpv6Message();
    private final RateLimiter echoLimiter;
    private final RateLimiter errorLimiter;
    private final IntMap<PendingPing> pings = new IntMap<>();

    private final Counter rxMessages;
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    private final Counter rxEchoRequests;
    private final Counter rxEchoReplies;
    private final Counter rxUnmatchedReplies;
    private final Counter rxErrors;
    private final Counter rxErrorsNotOurs;
    private final Counter rxOther;
    private final Counter rxForeignEcho;
    private ForeignEchoHandler foreignEcho;
    private final Counter txEchoReplies;
    private final Counter txEchoRequests;
    private final Counter txErrors;
    private final Counter echoRateLimited;
    private final Counter errorRateLimited;
    private final Counter errorSuppressed;

    private final class PendingPing {
        final int key;
        final long dstHi;
        final long dstLo;
        final int sequence;
        final long sentAt;
        final Ping6Listener listener;
        final Timer timer;

        PendingPing(int key, long dstHi, long dstLo, int sequence, long sentAt, Ping6Listener listener, long timeoutNanos) {
            this.key = key;
            this.dstHi = dstHi;
            this.dstLo = dstLo;
            this.sequence = sequence;
            this.sentAt = sentAt;
            this.listener = listener;
            this.timer = ip.loop().schedule(timeoutNanos, () -> {
                if (pings.get(key) == this) {
                    pings.remove(key);
                    listener.onFailure(sequence, 0, 0, "Request timeout");
                }
            });
        }
    }

    Icmpv6(Ipv6 ip, Counters counters) {
        this.ip = ip;
        var cfg = ip.config();
        var clock = ip.loop().clock();
        echoLimiter = new RateLimiter(clock, cfg.icmpEchoRate(), cfg.icmpEchoBurst());
        errorLimiter = new RateLimiter(clock, cfg.icmpErrorRate(), cfg.icmpErrorBurst());
        String p = "icmp6.";
        rxMessages = counters.counter(p + "rx.messages");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter(p + "rx.drop." + m.id());
        }
        rxEchoRequests = counters.counter(p + "rx.echo_requests");
        rxEchoReplies = counters.counter(p + "rx.echo_replies");
        rxUnmatchedReplies = counters.counter(p + "rx.echo_replies_unmatched");
        rxErrors = counters.counter(p + "rx.errors");
        rxErrorsNotOurs = counters.counter(p + "rx.errors_not_about_ours");
        rxOther = counters.counter(p + "rx.other_types");
        rxForeignEcho = counters.counter(p + "rx.foreign_echo_requests");
        txEchoReplies = counters.counter(p + "tx.echo_replies");
        txEchoRequests = counters.counter(p + "tx.echo_requests");
        txErrors = counters.counter(p + "tx.errors");
        echoRateLimited = counters.counter(p + "tx.echo_replies_rate_limited");
        errorRateLimited = counters.counter(p + "tx.errors_rate_limited");
        errorSuppressed = counters.counter(p + "tx.errors_suppressed");
    }

    /** True for an NS or NA: what a packet to a tentative address may carry (RFC 4862 §5.4). */
    static boolean isNeighborDiscovery(int nextHeader, byte[] buf, int off, int len) {
        if (nextHeader != Ipv6Packet.NH_ICMPV6 || len < 1) {
            return false;
        }
        int type = buf[off] & 0xFF;
        return type == Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION || type == Icmpv6Message.TYPE_NEIGHBOR_ADVERTISEMENT;
    }

    /** An ICMPv6 message at {@code buf[off, off+len)} of the packet {@code pkt}, received on {@code ifc}. */
    void input(Ipv6Interface ifc, Ipv6Packet pkt, byte[] buf, int off, int len) {
        rxMessages.inc();
        Malformed m = msg.wrap(buf, off, len).check(pkt.sourceHi(), pkt.sourceLo(), pkt.destinationHi(), pkt.destinationLo());
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        int type = msg.type();
        switch (type) {
            case Icmpv6Message.TYPE_ECHO_REQUEST -> echoRequest(ifc, pkt, buf, off, len);
            case Icmpv6Message.TYPE_ECHO_REPLY -> echoReply(pkt);
            case Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION, Icmpv6Message.TYPE_NEIGHBOR_ADVERTISEMENT,
                 Icmpv6Message.TYPE_ROUTER_SOLICITATION, Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT,
                 Icmpv6Message.TYPE_REDIRECT -> ifc.ndp().input(type, pkt, buf, off, len);
            case Icmpv6Message.TYPE_MLD_QUERY -> ifc.mld().query(pkt, buf, off, len);
            default -> {
                if (type < 128) {
                    // §2.4(b): errors, known or not, go to the upper layer that sent the quoted packet.
                    rxErrors.inc();
                    error(type, msg.code(), type == Icmpv6Message.TYPE_PACKET_TOO_BIG ? msg.mtu() : 0,
                            pkt.sourceHi(), pkt.sourceLo(), buf, msg.quotedOffset(), msg.quotedLength());
                } else {
                    rxOther.inc(); // §2.4(b): unknown informational messages are discarded
                }
            }
        }
    }

    private void echoRequest(Ipv6Interface ifc, Ipv6Packet pkt, byte[] buf, int off, int len) {
        rxEchoRequests.inc();
        if (!echoLimiter.tryAcquire()) {
            echoRateLimited.inc();
            return;
        }
        long srcHi = pkt.sourceHi();
        long srcLo = pkt.sourceLo();
        if (Ipv6Address.isUnspecified(srcHi, srcLo)) {
            return; // nowhere to answer
        }
        // §4.2: the reply comes from the address the request went to; for a multicast request,
        // from an address of the interface it arrived on (selected as for any packet to the sender).
        long fromHi = pkt.destinationHi();
        long fromLo = pkt.destinationLo();
        if (Ipv6Address.isMulticast(fromHi)) {
            fromHi = 0;
            fromLo = 0;
        }
        byte[] tx = ip.txBuffer();
        int t = Ipv6.TRANSPORT_OFFSET;
        System.arraycopy(buf, off, tx, t, len);
        tx[t] = (byte) Icmpv6Message.TYPE_ECHO_REPLY;
        Ipv6Route r = ip.route(ifc, srcHi, srcLo);
        if (r == null || (fromHi == 0 && fromLo == 0 && !r.hasSource())) {
            return;
        }
        if (fromHi == 0 && fromLo == 0) {
            fromHi = r.sourceHi();
            fromLo = r.sourceLo();
        }
        Icmpv6Message.writeChecksum(tx, t, len, fromHi, fromLo, srcHi, srcLo);
        txEchoReplies.inc();
        ip.send(ifc, fromHi, fromLo, srcHi, srcLo, Ipv6Packet.NH_ICMPV6, -1, tx, t, len);
    }

    /**
     * An ICMPv6 message to a foreign address that reached us only through
     * {@link Ipv6#setAcceptAnyDestination}: a valid echo request goes to the foreign echo handler
     * (a malformed one is dropped and counted). Returns false for what is not taken — any other
     * message, or any at all while there is no handler — which must not be answered as ours.
     */
    boolean foreignInput(Ipv6Packet pkt, byte[] buf, int off, int len) {
        if (foreignEcho == null || len < 1 || (buf[off] & 0xFF) != Icmpv6Message.TYPE_ECHO_REQUEST) {
            return false;
        }
        rxMessages.inc();
        Malformed m = msg.wrap(buf, off, len).check(pkt.sourceHi(), pkt.sourceLo(), pkt.destinationHi(), pkt.destinationLo());
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return true;
        }
        if (Ipv6Address.isUnspecified(pkt.sourceHi(), pkt.sourceLo())) {
            return false; // nowhere to answer
        }
        rxForeignEcho.inc();
        foreignEcho.onEchoRequest(pkt.sourceHi(), pkt.sourceLo(), pkt.destinationHi(), pkt.destinationLo(), msg.identifier(),
                msg.sequence(), buf, msg.echoDataOffset(), msg.echoDataLength());
        return true;
    }

    /**
     * Echo requests to foreign addresses (see {@link Ipv6#setAcceptAnyDestination}) reach
     * {@code handler} (null: dropped, as by default): a gateway answers for the hosts it stands in
     * for with {@link #sendEchoReplyFrom}. Loop thread.
     */
    public void setForeignEchoHandler(ForeignEchoHandler handler) {
        this.foreignEcho = handler;
    }

    /** An echo request to a foreign address; {@code buf[dataOff, dataOff + dataLen)} is its data, valid during the call. */
    @FunctionalInterface
    public interface ForeignEchoHandler {
        void onEchoRequest(long srcHi, long srcLo, long dstHi, long dstLo, int identifier, int sequence, byte[] buf,
                           int dataOff, int dataLen);
    }

    /**
     * Sends an echo reply (RFC 4443 §4.2) from {@code src}, any address, to {@code dst}, carrying
     * {@code identifier}, {@code sequence} and the data unchanged. Loop thread.
     */
    public boolean sendEchoReplyFrom(long srcHi, long srcLo, long dstHi, long dstLo, int identifier, int sequence,
                                     byte[] data, int off, int len) {
        byte[] tx = ip.txBuffer();
        int t = Ipv6.TRANSPORT_OFFSET;
        if (len < 0 || len > Ipv6.MAX_PAYLOAD - Icmpv6Message.HEADER_LENGTH || t + Icmpv6Message.HEADER_LENGTH + len > tx.length) {
            return false;
        }
        int n = Icmpv6Message.writeEcho(tx, t, Icmpv6Message.TYPE_ECHO_REPLY, identifier & 0xFFFF, sequence & 0xFFFF, data, off, len);
        Icmpv6Message.writeChecksum(tx, t, n, srcHi, srcLo, dstHi, dstLo);
        txEchoReplies.inc();
        return ip.send(null, srcHi, srcLo, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, -1, tx, t, n);
    }

    private void echoReply(Ipv6Packet pkt) {
        rxEchoReplies.inc();
        int key = (msg.identifier() << 16) | msg.sequence();
        PendingPing p = pings.get(key);
        if (p == null || (!Ipv6Address.isMulticast(p.dstHi) && (p.dstHi != pkt.sourceHi() || p.dstLo != pkt.sourceLo()))) {
            rxUnmatchedReplies.inc();
            return;
        }
        pings.remove(key);
        p.timer.cancel();
        long rtt = ip.loop().clock().nanos() - p.sentAt;
        p.listener.onReply(p.sequence, pkt.sourceHi(), pkt.sourceLo(), pkt.hopLimit(), msg.bodyLength() + Icmpv6Message.HEADER_LENGTH, rtt);
    }

    /**
     * Sends one echo request (loop thread) to {@code dst}, on {@code via} for a link-local or
     * multicast destination (null: the first interface). The outcome comes to
     * {@code listener}: a reply, an ICMPv6 error about it, a local failure, or a timeout.
     */
    public void ping(Ipv6Interface via, long dstHi, long dstLo, int identifier, int sequence, int payloadLength,
                     long timeoutNanos, Ping6Listener listener) {
        if (payloadLength < 0 || payloadLength > Ipv6.MAX_PAYLOAD - 8) {
            throw new IllegalArgumentException("ping payload must be 0-65527 bytes: " + payloadLength);
        }
        int key = ((identifier & 0xFFFF) << 16) | (sequence & 0xFFFF);
        PendingPing old = pings.remove(key);
        if (old != null) {
            old.timer.cancel();
        }
        Ipv6Route r = ip.route(via, dstHi, dstLo);
        if (r == null || !r.hasSource()) {
            listener.onFailure(sequence & 0xFFFF, 0, 0, r == null ? "Network is unreachable" : "Cannot assign requested address");
            return;
        }
        long srcHi = r.sourceHi();
        long srcLo = r.sourceLo();
        Ipv6Interface ifc = r.iface();
        byte[] tx = ip.txBuffer();
        int t = Ipv6.TRANSPORT_OFFSET;
        int len = Icmpv6Message.writeHeader(tx, t, Icmpv6Message.TYPE_ECHO_REQUEST, 0,
                (identifier & 0xFFFF) << 16 | (sequence & 0xFFFF)) + payloadLength;
        long now = ip.loop().clock().nanos();
        for (int i = 0; i < payloadLength; i++) {
            // Like ping(8): a timestamp first, then a counting pattern.
            tx[t + 8 + i] = i < 8 ? (byte) (now >>> (8 * (7 - i))) : (byte) i;
        }
        Icmpv6Message.writeChecksum(tx, t, len, srcHi, srcLo, dstHi, dstLo);
        PendingPing p = new PendingPing(key, dstHi, dstLo, sequence & 0xFFFF, now, listener, timeoutNanos);
        pings.put(key, p);
        txEchoRequests.inc();
        if (!ip.send(ifc, srcHi, srcLo, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, -1, tx, t, len)) {
            pings.remove(key);
            p.timer.cancel();
            listener.onFailure(sequence & 0xFFFF, srcHi, srcLo, "Network is unreachable");
        }
    }

    /** Pings waiting for an answer (diagnostics). */
    public int pendingPings() {
        return pings.size();
    }

    /**
     * An error about a packet we sent, from {@code from} (or raised here): a pending ping it
     * quotes fails; anything else goes to the upper layer's {@link Ipv6ProtocolHandler#icmpError}.
     */
    private void error(int type, int code, long mtu, long fromHi, long fromLo, byte[] buf, int off, int len) {
        if (len < Ipv6Packet.HEADER_LENGTH + 8 || (buf[off] & 0xF0) != 0x60) {
            return;
        }
        long qSrcHi = Ipv6Address.readHi(buf, off + 8);
        long qSrcLo = Ipv6Address.readLo(buf, off + 8);
        long qDstHi = Ipv6Address.readHi(buf, off + 24);
        long qDstLo = Ipv6Address.readLo(buf, off + 24);
        if (!ip.isLocalAddress(qSrcHi, qSrcLo)) {
            rxErrorsNotOurs.inc(); // RFC 5927 §4.1: the quoted packet must be one we could have sent
            return;
        }
        int nh = buf[off + 6] & 0xFF;
        int t = off + Ipv6Packet.HEADER_LENGTH;
        Ipv6ProtocolHandler h = nh == Ipv6Packet.NH_ICMPV6 ? null : ip.protocol(nh);
        if (type == Icmpv6Message.TYPE_PACKET_TOO_BIG && (h == null || !h.validatesPacketTooBig())) {
            // A transport that keeps state (TCP) checks the quote against it and lowers the path MTU itself.
            Ipv6Route r = ip.route(null, qDstHi, qDstLo);
            if (r != null) {
                ip.pathMtu().tooBig(qDstHi, qDstLo, mtu, r.iface().linkMtu());
            }
        }
        if (nh == Ipv6Packet.NH_ICMPV6) {
            if ((buf[t] & 0xFF) != Icmpv6Message.TYPE_ECHO_REQUEST) {
                return;
            }
            int key = (Bytes.u16(buf, t + 4) << 16) | Bytes.u16(buf, t + 6);
            PendingPing p = pings.get(key);
            if (p != null && p.dstHi == qDstHi && p.dstLo == qDstLo) {
                pings.remove(key);
                p.timer.cancel();
                p.listener.onFailure(p.sequence, fromHi, fromLo, describe(type, code, mtu));
            }
            return;
        }
        if (h != null) {
            h.icmpError(type, code, mtu, qSrcHi, qSrcLo, qDstHi, qDstLo, buf, t, off + len - t);
        }
    }

    /** A packet we could not deliver because its next hop did not answer (RFC 4861 §7.2.2): address unreachable. */
    void localUnreachable(Ipv6Interface ifc, byte[] buf, int ipOff, int ipLen) {
        long srcHi = Ipv6Address.readHi(buf, ipOff + 8);
        long srcLo = Ipv6Address.readLo(buf, ipOff + 8);
        if (ip.isLocalAddress(srcHi, srcLo)) {
            error(Icmpv6Message.TYPE_DEST_UNREACHABLE, Icmpv6Message.CODE_ADDRESS_UNREACHABLE, 0, srcHi, srcLo, buf, ipOff, ipLen);
        }
    }

    /**
     * Destination Unreachable (RFC 4443 §3.1, code e.g. {@link Icmpv6Message#CODE_ADDRESS_UNREACHABLE})
     * about the packet at {@code buf[ipOff, ipOff+ipLen)} received on {@code ifc}: a gateway telling
     * a host that the destination it stands in for could not be reached. The rules of
     * {@link #sendError} apply. Loop thread.
     */
    public void sendUnreachable(Ipv6Interface ifc, int code, byte[] buf, int ipOff, int ipLen) {
        sendError(ifc, Icmpv6Message.TYPE_DEST_UNREACHABLE, code, 0, buf, ipOff, ipLen, false);
    }

    /**
     * Sends an ICMPv6 error about the packet at {@code buf[ipOff, ipOff+ipLen)} unless RFC 4443
     * §2.4(e) forbids it: never about an ICMPv6 error or a redirect, nor a packet from an
     * unspecified or multicast source, nor one to a multicast address unless
     * {@code evenToMulticast} (Packet Too Big, and Parameter Problem code 2 about an option that
     * asks for it). Rate-limited (§2.4(f)).
     */
    void sendError(Ipv6Interface ifc, int type, int code, long mtuOrPointer, byte[] buf, int ipOff, int ipLen, boolean evenToMulticast) {
        if (ipLen < Ipv6Packet.HEADER_LENGTH) {
            return;
        }
        long srcHi = Ipv6Address.readHi(buf, ipOff + 8);
        long srcLo = Ipv6Address.readLo(buf, ipOff + 8);
        long dstHi = Ipv6Address.readHi(buf, ipOff + 24);
        long dstLo = Ipv6Address.readLo(buf, ipOff + 24);
        boolean aboutError = (buf[ipOff + 6] & 0xFF) == Ipv6Packet.NH_ICMPV6 && ipLen > Ipv6Packet.HEADER_LENGTH
                && isErrorOrRedirect(buf[ipOff + Ipv6Packet.HEADER_LENGTH] & 0xFF);
        if (aboutError || Ipv6Address.isUnspecified(srcHi, srcLo) || Ipv6Address.isMulticast(srcHi)
                || (Ipv6Address.isMulticast(dstHi) && !evenToMulticast)) {
            errorSuppressed.inc();
            return;
        }
        if (!errorLimiter.tryAcquire()) {
            errorRateLimited.inc();
            return;
        }
        int quote = Math.min(ipLen, MAX_ERROR_PACKET - Ipv6Packet.HEADER_LENGTH - 8);
        Ipv6Route r = ip.route(ifc, srcHi, srcLo);
        if (r == null) {
            return;
        }
        long fromHi = r.sourceHi();
        long fromLo = r.sourceLo();
        if (ifc.usableAddress(dstHi, dstLo) != null) {
            fromHi = dstHi;
            fromLo = dstLo;
        } else if (!r.hasSource()) {
            return;
        }
        byte[] tx = ip.txBuffer();
        int t = Ipv6.TRANSPORT_OFFSET;
        if (buf == tx) {
            return; // the quoted packet is in the buffer the error would be built in
        }
        int len = Icmpv6Message.writeError(tx, t, type, code, mtuOrPointer, buf, ipOff, quote);
        Icmpv6Message.writeChecksum(tx, t, len, fromHi, fromLo, srcHi, srcLo);
        txErrors.inc();
        ip.send(ifc, fromHi, fromLo, srcHi, srcLo, Ipv6Packet.NH_ICMPV6, -1, tx, t, len);
    }

    private static boolean isErrorOrRedirect(int type) {
        return type < 128 || type == Icmpv6Message.TYPE_REDIRECT;
    }

    /** The words ping(8) uses for an ICMPv6 error. */
    public static String describe(int type, int code, long mtu) {
        return switch (type) {
            case Icmpv6Message.TYPE_DEST_UNREACHABLE -> "Destination unreachable: " + switch (code) {
                case 0 -> "No route";
                case 1 -> "Administratively prohibited";
                case 2 -> "Beyond scope of source address";
                case 3 -> "Address unreachable";
                case 4 -> "Port unreachable";
                default -> "Unknown code " + code;
            };
            case Icmpv6Message.TYPE_PACKET_TOO_BIG -> "Packet too big: mtu=" + mtu;
            case Icmpv6Message.TYPE_TIME_EXCEEDED -> "Time exceeded: " + (code == 0 ? "Hop limit" : "Defragmentation failure");
            case Icmpv6Message.TYPE_PARAMETER_PROBLEM -> "Parameter problem: " + switch (code) {
                case 0 -> "Wrong header field";
                case 1 -> "Unknown header";
                case 2 -> "Unknown option";
                default -> "code " + code;
            };
            default -> "ICMPv6 type " + type + " code " + code;
        };
    }
}
