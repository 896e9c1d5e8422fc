package org.jnetstack.tcp;

import org.jnetstack.ip.NetInterface;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.wire.IcmpMessage;

/**
 * A SYN that no listener took, handed to the catch-all of {@link Tcp#listenAny}, which decides
 * later whether the connection may exist: a user-mode gateway accepts the guest's connection to
 * {@code A:P} only once its own host socket to {@code A:P} has connected, and refuses it the way
 * the real destination did.
 *
 * <p>Exactly one of {@link #accept}, {@link #reset} or {@link #unreachable} ends the request.
 * Until then retransmissions of the SYN are absorbed (the peer keeps waiting, as it would for
 * a slow server) and nothing is answered. Only the SYN's headers are kept (a few dozen
 * bytes): data carried on the SYN is not acknowledged, so the peer sends it again after the
 * handshake. Loop thread only.
 */
public final class TcpSynRequest {
    private final PassiveOpens tcp;
    final NetInterface iface;
    /** The IPv6 interface the SYN came in on, or null for IPv4. */
    final Ipv6Interface ipv6Iface;
    final byte[] datagram; // IP header (IPv6: the fixed one) + TCP header of the SYN (no payload)
    final int ipHeaderLength;
    final FourTuple tuple;
    /** The next request with the same table key and another local address; see TupleTable. */
    TcpSynRequest sameKeyNext;
    private final long receivedAt;
    private boolean decided;

    TcpSynRequest(PassiveOpens tcp, NetInterface iface, Ipv6Interface ipv6Iface, byte[] datagram, int ipHeaderLength,
                  FourTuple tuple, long receivedAt) {
        this.tcp = tcp;
        this.iface = iface;
        this.ipv6Iface = ipv6Iface;
        this.datagram = datagram;
        this.ipHeaderLength = ipHeaderLength;
        this.tuple = tuple;
        this.receivedAt = receivedAt;
    }

    /** Whether the SYN came over IPv6: then the addresses are {@link #localHi()} etc., not {@link #localAddress()}. */
    public boolean isIpv6() {
        return ipv6Iface != null;
    }

    /** The address the SYN was sent to (ours, or any address on a gateway), in the two-long form; IPv4 as ::ffff:a.b.c.d. */
    public long localHi() {
        return tuple.localHi;
    }

    public long localLo() {
        return tuple.localLo;
    }

    /** The peer's address in the two-long form. */
    public long remoteHi() {
        return tuple.remoteHi;
    }

    public long remoteLo() {
        return tuple.remoteLo;
    }

    /** The IPv4 address the SYN was sent to: ours, or any address on a gateway. */
    public int localAddress() {
        return Tcp.v4Of(tuple.localHi, tuple.localLo);
    }

    public int localPort() {
        return tuple.localPort;
    }

    /** The IPv4 peer that wants to connect. */
    public int remoteAddress() {
        return Tcp.v4Of(tuple.remoteHi, tuple.remoteLo);
    }

    public int remotePort() {
        return tuple.remotePort;
    }

    /** Loop-clock time the first SYN arrived. */
    public long receivedAt() {
        return receivedAt;
    }

    /** True until accepted, reset or reported unreachable. */
    public boolean isPending() {
        return !decided;
    }

    /**
     * Answers the SYN with a SYN-ACK: the connection is SYN-RECEIVED now, and
     * {@link TcpHandler#onConnected} runs when the peer's ACK completes the handshake (or
     * {@link TcpHandler#onError} if it never does).
     */
    public TcpConnection accept(TcpHandler handler) {
        decide();
        return tcp.acceptRequest(this, handler);
    }

    /** Refuses with a RST, as a closed port does (the peer sees "connection refused"). */
    public void reset() {
        decide();
        tcp.resetRequest(this);
    }

    /**
     * Refuses with ICMP destination unreachable (RFC 792), e.g. {@link IcmpMessage#CODE_HOST_UNREACHABLE}
     * when the real destination could not be reached; over IPv6 with the ICMPv6 code that says the
     * same (RFC 4443 §3.1: no route for net unreachable, address unreachable otherwise). Rate limits of ICMP errors apply.
     */
    public void unreachable(int icmpCode) {
        decide();
        tcp.unreachableRequest(this, icmpCode);
    }

    private void decide() {
        if (decided) {
            throw new IllegalStateException("this SYN request was already answered");
        }
        decided = true;
    }

    @Override
    public String toString() {
        return "syn " + tuple;
    }
}
