package org.jnetstack.dhcp;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.Dhcpv6Message;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Header;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.NdpWriter;
import org.jnetstack.wire.UdpDatagram;

/**
 * Test-only stateless DHCPv6 server and router on the client's link: it sees every frame the
 * client's port sends, records each Information-Request (time, transaction id, elapsed time,
 * client id) and answers it from fe80::5 port 547 — or not, or with another transaction id — and
 * sends router advertisements with chosen M and O flags.
 */
final class TestDhcpv6Server {
    static final long MAC = 0x02_00_00_00_00_05L;
    static final Ipv6Address ADDRESS = new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 5);
    static final Ipv6Address DNS_1 = Ipv6Address.parse("2001:db8::53");
    static final Ipv6Address DNS_2 = Ipv6Address.parse("2001:db8::54");
    static final byte[] SERVER_DUID = {0, 3, 0, 1, 2, 0, 0, 0, 0, 5};

    record Seen(long atNanos, int xid, int elapsedCentis, boolean fromLinkLocal, int srcPort, byte[] clientId) {
    }

    final List<Seen> seen = new ArrayList<>();
    boolean silent;
    int xidOffset;
    long refreshSeconds = 3600;
    private final TestPort port;
    private final org.jnetstack.loop.EventLoop loop;

    TestDhcpv6Server(TestPort port, org.jnetstack.loop.EventLoop loop) {
        this.port = port;
        this.loop = loop;
        port.txFilter = this::onFrame;
    }

    private boolean onFrame(byte[] f) {
        int ip = EthernetFrame.HEADER_LENGTH;
        if (f.length < ip + 48 + 4 || Bytes.u16(f, 12) != EthernetFrame.TYPE_IPV6 || (f[ip + 6] & 0xFF) != 17) {
            return true;
        }
        int udp = ip + Ipv6Packet.HEADER_LENGTH;
        if (Bytes.u16(f, udp + 2) != Dhcpv6Message.SERVER_PORT
                || Ipv6Address.readLo(f, ip + 24) != Dhcpv6Message.ALL_SERVERS.lo()) {
            return true;
        }
        int m = udp + UdpDatagram.HEADER_LENGTH;
        int len = f.length - m;
        if ((f[m] & 0xFF) != Dhcpv6Message.INFORMATION_REQUEST) {
            return true;
        }
        int xid = (f[m + 1] & 0xFF) << 16 | (f[m + 2] & 0xFF) << 8 | (f[m + 3] & 0xFF);
        int elapsed = -1;
        byte[] clientId = null;
        for (int p = m + 4; p + 4 <= m + len; p += 4 + Bytes.u16(f, p + 2)) {
            int code = Bytes.u16(f, p);
            if (code == Dhcpv6Message.OPT_ELAPSED_TIME) {
                elapsed = Bytes.u16(f, p + 4);
            } else if (code == Dhcpv6Message.OPT_CLIENTID) {
                clientId = java.util.Arrays.copyOfRange(f, p + 4, p + 4 + Bytes.u16(f, p + 2));
            }
        }
        Ipv6Address client = new Ipv6Address(Ipv6Address.readHi(f, ip + 8), Ipv6Address.readLo(f, ip + 8));
        seen.add(new Seen(loop.clock().nanos(), xid, elapsed, Ipv6Address.isLinkLocal(client.hi()), Bytes.u16(f, udp), clientId));
        if (!silent) {
            port.injectReceived(reply(client, Bytes.u16(f, udp), org.jnetstack.wire.MacAddress.read(f, 6), (xid + xidOffset) & 0xFF_FFFF, clientId));
        }
        return true;
    }

    /** A Reply from fe80::5:547 to {@code client}, with two DNS servers, a search list and the refresh time. */
    byte[] reply(Ipv6Address client, int clientPort, long clientMac, int xid, byte[] clientId) {
        byte[] msg = new byte[200];
        int p = Dhcpv6Message.writeHeader(msg, 0, Dhcpv6Message.REPLY, xid);
        p += Dhcpv6Message.writeOption(msg, p, Dhcpv6Message.OPT_SERVERID, SERVER_DUID, 0, SERVER_DUID.length);
        if (clientId != null) {
            p += Dhcpv6Message.writeOption(msg, p, Dhcpv6Message.OPT_CLIENTID, clientId, 0, clientId.length);
        }
        byte[] dns = new byte[32];
        Ipv6Address.write(dns, 0, DNS_1.hi(), DNS_1.lo());
        Ipv6Address.write(dns, 16, DNS_2.hi(), DNS_2.lo());
        p += Dhcpv6Message.writeOption(msg, p, Dhcpv6Message.OPT_DNS_SERVERS, dns, 0, 32);
        byte[] search = {3, 'l', 'a', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
        p += Dhcpv6Message.writeOption(msg, p, Dhcpv6Message.OPT_DOMAIN_LIST, search, 0, search.length);
        byte[] irt = new byte[4];
        Bytes.putI32(irt, 0, (int) refreshSeconds);
        p += Dhcpv6Message.writeOption(msg, p, Dhcpv6Message.OPT_INFORMATION_REFRESH_TIME, irt, 0, 4);
        return udpFrame(clientMac, client, Dhcpv6Message.SERVER_PORT, clientPort, msg, p);
    }

    /** An Ethernet frame with a UDP datagram from fe80::5 to {@code dst}, checksummed. */
    static byte[] udpFrame(long dstMac, Ipv6Address dst, int srcPort, int dstPort, byte[] payload, int len) {
        int udpLength = UdpDatagram.HEADER_LENGTH + len;
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH + udpLength];
        EthernetFrame.write(f, 0, dstMac, MAC, EthernetFrame.TYPE_IPV6);
        Ipv6Packet.writeHeader(f, 14, new Ipv6Header().payloadLength(udpLength).nextHeader(17).hopLimit(64)
                .source(ADDRESS.hi(), ADDRESS.lo()).destination(dst.hi(), dst.lo()));
        int u = 14 + Ipv6Packet.HEADER_LENGTH;
        UdpDatagram.writeHeader(f, u, srcPort, dstPort, len);
        System.arraycopy(payload, 0, f, u + UdpDatagram.HEADER_LENGTH, len);
        int sum = Checksum.finish(Checksum.partial(f, u, udpLength,
                Checksum.pseudoHeader6(ADDRESS.hi(), ADDRESS.lo(), dst.hi(), dst.lo(), 17, udpLength)));
        Bytes.putU16(f, u + 6, sum == 0 ? 0xFFFF : sum);
        return f;
    }

    /** A router advertisement from fe80::5 to all nodes with the given M and O flags (no prefixes). */
    void advertise(boolean managed, boolean other) {
        NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().routerLifetime(1800).sourceMac(MAC)
                .managed(managed).other(other);
        byte[] m = new byte[256];
        int len = NdpWriter.writeRouterAdvertisement(m, 0, ra);
        byte[] f = new byte[14 + Ipv6Packet.HEADER_LENGTH + len];
        EthernetFrame.write(f, 0, Ipv6Address.multicastMac(1), MAC, EthernetFrame.TYPE_IPV6);
        Ipv6Packet.writeHeader(f, 14, new Ipv6Header().payloadLength(len).nextHeader(Ipv6Packet.NH_ICMPV6).hopLimit(255)
                .source(ADDRESS.hi(), ADDRESS.lo()).destination(Ipv6Address.ALL_NODES.hi(), Ipv6Address.ALL_NODES.lo()));
        System.arraycopy(m, 0, f, 54, len);
        Icmpv6Message.writeChecksum(f, 54, len, ADDRESS.hi(), ADDRESS.lo(), Ipv6Address.ALL_NODES.hi(), Ipv6Address.ALL_NODES.lo());
        port.injectReceived(f);
    }
}
