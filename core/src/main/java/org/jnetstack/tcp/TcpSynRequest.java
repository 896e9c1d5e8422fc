package org.jnetstack.tcp;

import org.jnetstack.ip.NetInterface;
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
    final byte[] datagram; // IPv4 header + TCP header of the SYN (no payload)
    final int ipHeaderLength;
    final FourTuple tuple;
    /** The next request with the same table key and another local address; see TupleTable. */
    TcpSynRequest sameKeyNext;
    private final long receivedAt;
    private boolean decided;

    TcpSynRequest(PassiveOpens tcp, NetInterface iface, byte[] datagram, int ipHeaderLength,
                  FourTuple tuple, long receivedAt) {
        this.tcp = tcp;
        this.iface = iface;
        this.datagram = datagram;
        this.ipHeaderLength = ipHeaderLength;
        this.tuple = tuple;
        this.receivedAt = receivedAt;
    }

    /** The address the SYN was sent to: ours, or any address on a gateway. */
    public int localAddress() {
        return Tcp.v4Of(tuple.localHi, tuple.localLo);
    }

    public int localPort() {
        return tuple.localPort;
    }

    /** The peer that wants to connect. */
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
     * when the real destination could not be reached. Rate limits of ICMP errors apply.
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
