package org.jnetstack.tcp;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.ip.PathMtuCache;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;

/**
 * ICMP and ICMPv6 errors about segments we sent, both families. An error is believed only when
 * its quote names a connection we have — the full 4-tuple, the quoted source being the address
 * the connection sends from — and a sequence number that connection has sent and not yet had
 * acknowledged, SND.UNA ≤ SEG.SEQ < SND.MAX (RFC 5927 §4.1, §5.1); anything else is dropped and
 * counted ({@code tcp.icmp.no_connection}, {@code tcp.icmp.bad_sequence}). Then:
 * <ul>
 *   <li>"fragmentation needed" (RFC 1191 §4) and Packet Too Big (RFC 8201 §4) lower the path MTU
 *       towards the peer, and the connection's MSS follows ({@link #followPathMtu});</li>
 *   <li>in SYN-SENT, "port/protocol unreachable" refuses the connection and "no route" fails it;
 *       on a synchronized connection they are soft errors and ignored (RFC 1122 §4.2.3.9, RFC 5461).</li>
 * </ul>
 */
final class IcmpErrors {
    private final Tcp tcp;
    private final Ipv4 ip;
    private final TupleTable<TcpConnection> connections;

    IcmpErrors(Tcp tcp, Ipv4 ip, TupleTable<TcpConnection> connections) {
        this.tcp = tcp;
        this.ip = ip;
        this.connections = connections;
    }

    /** An ICMP error quoting our segment from {@code quotedSrc} to {@code quotedDst}; {@code mtu} as {@link org.jnetstack.ip.IpProtocolHandler}'s. */
    void ipv4(int type, int code, int quotedSrc, int quotedDst, int mtu, byte[] buf, int off, int len) {
        long srcLo = TransportAddresses.mappedLo(quotedSrc);
        long dstLo = TransportAddresses.mappedLo(quotedDst);
        TcpConnection c = quotedConnection(0, srcLo, 0, dstLo, buf, off, len);
        if (c == null || type != IcmpMessage.TYPE_DEST_UNREACHABLE) {
            return;
        }
        if (code == IcmpMessage.CODE_FRAGMENTATION_NEEDED) {
            if (c.config.pathMtuDiscovery()) {
                tcp.counters.pathMtuReports.inc();
                ip.lowerPathMtu(quotedDst, mtu);
                followPathMtu(c);
            }
        } else if (c.state() == TcpState.SYN_SENT) {
            if (code == IcmpMessage.CODE_PORT_UNREACHABLE || code == IcmpMessage.CODE_PROTOCOL_UNREACHABLE) {
                c.fail(new ConnectException("Connection refused"));
            } else if (code == IcmpMessage.CODE_HOST_UNREACHABLE || code == IcmpMessage.CODE_NET_UNREACHABLE) {
                c.fail(new NoRouteToHostException("No route to host"));
            }
        }
    }

    /** An ICMPv6 error quoting our segment (RFC 4443 §3.1, §3.2); {@code mtu} the Packet Too Big MTU. */
    void ipv6(int type, int code, long mtu, long srcHi, long srcLo, long dstHi, long dstLo, byte[] buf, int off, int len) {
        TcpConnection c = quotedConnection(srcHi, srcLo, dstHi, dstLo, buf, off, len);
        if (c == null) {
            return;
        }
        if (type == Icmpv6Message.TYPE_PACKET_TOO_BIG) {
            tcp.counters.pathMtuReports.inc();
            tcp.writer.ip6().lowerPathMtu(dstHi, dstLo, mtu);
            followPathMtu(c);
        } else if (type == Icmpv6Message.TYPE_DEST_UNREACHABLE && c.state() == TcpState.SYN_SENT) {
            if (code == Icmpv6Message.CODE_PORT_UNREACHABLE) {
                c.fail(new ConnectException("Connection refused"));
            } else if (code == Icmpv6Message.CODE_NO_ROUTE || code == Icmpv6Message.CODE_ADDRESS_UNREACHABLE) {
                c.fail(new NoRouteToHostException("No route to host"));
            }
        }
    }

    /** RFC 5927 §4.1, §5.1: the connection the quote names, if it has the quoted sequence number in flight. */
    private TcpConnection quotedConnection(long srcHi, long srcLo, long dstHi, long dstLo, byte[] buf, int off, int len) {
        if (len < 8) {
            tcp.counters.icmpNoConnection.inc();
            return null;
        }
        int srcPort = Bytes.u16(buf, off);
        int dstPort = Bytes.u16(buf, off + 2);
        int seq = Bytes.i32(buf, off + 4);
        TcpConnection c = connections.get(tcp.keys.key(dstHi, dstLo, dstPort, srcPort), srcHi, srcLo, dstHi, dstLo, dstPort, srcPort);
        if (c == null) {
            tcp.counters.icmpNoConnection.inc();
            return null;
        }
        if (Seq.lt(seq, c.sndUna) || !Seq.lt(seq, c.sndMax)) {
            tcp.counters.icmpBadSequence.inc();
            return null;
        }
        return c;
    }

    /**
     * The path MTU towards {@code c}'s peer may have changed: its MSS becomes the path MTU less the
     * IP and TCP headers, never above what the peer announced. Smaller: what is in flight was too
     * big, so it is sent again at once in segments of the new size — from SND.UNA, as after a
     * timeout, but without a timeout's congestion response (RFC 1191 §6.5, RFC 8201 §5.2: a lost
     * packet to a narrower path is no sign of congestion). Larger (the estimate aged back, RFC 1191
     * §6.3): later segments grow again. While the MSS is below the peer's, it is looked at again
     * once the estimate may have aged ({@link Sender#output}).
     */
    static void followPathMtu(TcpConnection c) {
        if (!c.state().isLive() || c.state().isOpening()) {
            return; // the handshake takes the path MTU as it stands (Tcp.mssFor)
        }
        int full = c.peerMss - (c.tsOk ? 12 : 0);
        int mss = Math.max(64, Math.min(c.peerMss, c.tcp.mssFor(c.tuple))) - (c.tsOk ? 12 : 0);
        c.pathMtuCheckAt = mss < full ? c.now() + PathMtuCache.AGE_NANOS : 0;
        if (mss == c.mss) {
            return;
        }
        boolean smaller = mss < c.mss;
        c.mss = mss;
        c.cc.setMss(mss);
        if (!smaller) {
            c.tcp.counters.pathMtuMssRaised.inc();
            return;
        }
        c.tcp.counters.pathMtuMssLowered.inc();
        if (c.sndNxt != c.sndUna && !c.inRecovery) {
            c.sndNxt = c.sndUna;
            c.rttTiming = false; // Karn: what is sent again gives no RTT sample
            c.sender.output();
        }
    }
}
