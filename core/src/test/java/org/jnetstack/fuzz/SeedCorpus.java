package org.jnetstack.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Captures;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.UdpDatagram;

/**
 * The seed inputs of {@link ReceivePathFuzzTest}: real frames from a Linux kernel (10.99.0.1,
 * 02:00:00:00:00:01) to the stack (10.99.0.2, 02:00:00:00:00:02) — the captures of the wire tests —
 * and frames built like them (fragments, a reply to the harness's ping, malformed variants).
 * {@link #main} writes them to the regression-inputs directory; {@code ReceivePathSeedsTest}
 * checks that the files are up to date and that each seed reaches the layer it is meant for.
 */
final class SeedCorpus {
    static final long KERNEL_MAC = ReceivePathHarness.PEER_MAC.bits();
    static final int KERNEL_IP = ReceivePathHarness.PEER_IP;
    static final long STACK_MAC = ReceivePathHarness.MAC.bits();
    static final int STACK_IP = ReceivePathHarness.IP;
    static final String DIR = "src/test/resources/org/jnetstack/fuzz/ReceivePathFuzzTestInputs/receivePath";

    // Real frames from Linux, the wire tests' captures (one copy, in wire.Captures).
    static final String ARP_REQUEST = Captures.ARP_REQUEST;
    static final String ARP_REPLY = Captures.ARP_REPLY;
    static final String ICMP_ECHO_REQUEST = Captures.ICMP_ECHO_REQUEST;
    static final String UDP_DNS_QUERY = Captures.UDP_DNS_QUERY;
    /** Linux's SYN, to a port nobody listens on: answered with RST. */
    static final String TCP_SYN = Captures.TCP_SYN;
    /** Linux's port unreachable about a datagram 10.99.0.2:40001 sent to its port 9. */
    static final String ICMP_PORT_UNREACHABLE = Captures.ICMP_PORT_UNREACHABLE;

    /** The stack's static IPv6 address (the harness configures it) and the peer's. */
    static final String STACK_IPV6 = "fd00:99::2";
    static final String KERNEL_IPV6 = "fd00:99::1";

    private SeedCorpus() {
    }

    static final int AIMED = FrameScript.REPAIR_CHECKSUMS | FrameScript.AIM_MAC | FrameScript.AIM_IP;

    /** Every seed by file name. */
    static Map<String, FrameScript> all() {
        Map<String, FrameScript> m = new LinkedHashMap<>();
        m.put("arp-request", script(0, hex(ARP_REQUEST)));
        m.put("icmp-echo-request", script(AIMED, hex(ARP_REQUEST), hex(ICMP_ECHO_REQUEST)));
        m.put("ping-reply", script(AIMED, hex(ARP_REPLY), echoReply(ReceivePathHarness.PING_ID, 1, 16)));
        m.put("udp-echo", script(AIMED, hex(ARP_REQUEST), udp(40000, 7, "hello".getBytes())));
        m.put("udp-queue-overflow", script(AIMED, udp(40000, 9, new byte[10]), udp(40000, 9, new byte[20]),
                udp(40000, 9, new byte[30]), udp(40000, 9, new byte[40]), udp(40000, 9, new byte[50])));
        m.put("udp-closed-port-and-filter", script(AIMED, hex(ARP_REQUEST), udp(40000, 9999, new byte[4]),
                hex(UDP_DNS_QUERY), udp(5353, 53, new byte[12])));
        m.put("udp-fragments-reordered", script(AIMED, fragmentsOutOfOrder()));
        m.put("fragment-timeout", new FrameScript(AIMED, List.of(
                new FrameScript.Step(hex(ARP_REQUEST), 0), new FrameScript.Step(fragments(udpPayload(7, 3000)).get(0), 255))));
        m.put("tcp-syn-protocol-unreachable", script(AIMED, hex(ARP_REQUEST), hex(TCP_SYN)));
        m.put("icmp-port-unreachable", script(AIMED, hex(ICMP_PORT_UNREACHABLE)));
        m.put("ipv6-solicitation-and-echo", script(0, ipv6Solicitation(), ipv6Echo(KERNEL_IPV6, STACK_IPV6, 1, 56),
                ipv6Echo(KERNEL_IPV6, "ff02::1", 2, 8)));
        m.put("ipv6-router-advertisement", script(0, ipv6RouterAdvertisement()));
        m.put("ipv6-fragments-reordered", script(0, ipv6FragmentsReordered()));
        m.put("malformed", script(FrameScript.JUNK_PREFIX, new byte[10], vlanTagged(), badIpChecksum(),
                truncatedIp(), hex(ARP_REQUEST.substring(0, 40))));
        return m;
    }

    private static FrameScript script(int options, byte[]... frames) {
        return script(options, List.of(frames));
    }

    private static FrameScript script(int options, List<byte[]> frames) {
        List<FrameScript.Step> steps = new ArrayList<>();
        for (byte[] f : frames) {
            steps.add(new FrameScript.Step(f, 0));
        }
        return new FrameScript(options, steps);
    }

    /** An ICMPv6 message from the kernel's link-local or given address, in a frame to {@code dst} (its multicast MAC if a group). */
    private static byte[] icmpv6(String src, String dst, int hopLimit, byte[] msg, int len) {
        org.jnetstack.wire.Ipv6Address s = org.jnetstack.wire.Ipv6Address.parse(src);
        org.jnetstack.wire.Ipv6Address d = org.jnetstack.wire.Ipv6Address.parse(dst);
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + org.jnetstack.wire.Ipv6Packet.HEADER_LENGTH + len];
        long dstMac = org.jnetstack.wire.Ipv6Address.isMulticast(d.hi()) ? org.jnetstack.wire.Ipv6Address.multicastMac(d.lo()) : STACK_MAC;
        EthernetFrame.write(f, 0, dstMac, KERNEL_MAC, EthernetFrame.TYPE_IPV6);
        org.jnetstack.wire.Ipv6Packet.writeHeader(f, 14, new org.jnetstack.wire.Ipv6Header().payloadLength(len)
                .nextHeader(org.jnetstack.wire.Ipv6Packet.NH_ICMPV6).hopLimit(hopLimit).source(s.hi(), s.lo()).destination(d.hi(), d.lo()));
        System.arraycopy(msg, 0, f, 54, len);
        org.jnetstack.wire.Icmpv6Message.writeChecksum(f, 54, len, s.hi(), s.lo(), d.hi(), d.lo());
        return f;
    }

    /** The kernel resolving the stack's static address (RFC 4861 §7.2.3: answered, and the kernel learned). */
    private static byte[] ipv6Solicitation() {
        org.jnetstack.wire.Ipv6Address target = org.jnetstack.wire.Ipv6Address.parse(STACK_IPV6);
        byte[] m = new byte[32];
        int len = org.jnetstack.wire.NdpWriter.writeNeighborSolicitation(m, 0, target.hi(), target.lo(), KERNEL_MAC);
        String group = org.jnetstack.wire.Ipv6Address.format(org.jnetstack.wire.Ipv6Address.solicitedNodeHi(),
                org.jnetstack.wire.Ipv6Address.solicitedNodeLo(target.lo()));
        return icmpv6(KERNEL_IPV6, group, 255, m, len);
    }

    private static byte[] ipv6Echo(String src, String dst, int seq, int dataLength) {
        byte[] m = new byte[8 + dataLength];
        int len = org.jnetstack.wire.Icmpv6Message.writeEcho(m, 0, org.jnetstack.wire.Icmpv6Message.TYPE_ECHO_REQUEST, 0x66, seq,
                new byte[dataLength], 0, dataLength);
        return icmpv6(src, dst, 64, m, len);
    }

    /** A router (the kernel's fe80::1) advertising fd00:98::/64 for SLAAC, an MTU and a DNS server. */
    private static byte[] ipv6RouterAdvertisement() {
        org.jnetstack.wire.Ipv6Address p = org.jnetstack.wire.Ipv6Address.parse("fd00:98::");
        org.jnetstack.wire.Ipv6Address dns = org.jnetstack.wire.Ipv6Address.parse("fd00:98::53");
        byte[] m = new byte[256];
        int len = org.jnetstack.wire.NdpWriter.writeRouterAdvertisement(m, 0, new org.jnetstack.wire.NdpWriter.RouterAdvertisement()
                .routerLifetime(600).sourceMac(KERNEL_MAC).mtu(1400).addPrefix(p.hi(), p.lo(), 64, true, true, 3600, 1800)
                .addDnsServer(dns.hi(), dns.lo()).dnsLifetime(600));
        return icmpv6("fe80::1", "ff02::1", 255, m, len);
    }

    /** An echo request of 3000 bytes in three fragments, the last first. */
    private static List<byte[]> ipv6FragmentsReordered() {
        byte[] whole = ipv6Echo(KERNEL_IPV6, STACK_IPV6, 3, 3000);
        int payload = whole.length - 54;
        List<byte[]> out = new ArrayList<>();
        for (int done = 0; done < payload; done += 1232) {
            int n = Math.min(1232, payload - done);
            boolean more = done + n < payload;
            byte[] f = new byte[54 + 8 + n];
            System.arraycopy(whole, 0, f, 0, 54);
            f[20] = (byte) org.jnetstack.wire.Ipv6Packet.NH_FRAGMENT;
            Bytes.putU16(f, 18, 8 + n);
            org.jnetstack.wire.Ipv6Extensions.writeFragmentHeader(f, 54, org.jnetstack.wire.Ipv6Packet.NH_ICMPV6, done, more, 0x1234);
            System.arraycopy(whole, 54 + done, f, 62, n);
            out.add(0, f);
        }
        return out;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** An IPv4 frame from the kernel to the stack with the given transport bytes. */
    private static byte[] ipFrame(int protocol, int id, int flagsAndOffset, byte[] transport, int tOff, int tLen) {
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + tLen];
        EthernetFrame.write(f, 0, STACK_MAC, KERNEL_MAC, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(f, EthernetFrame.HEADER_LENGTH,
                new Ipv4Header().tos(0).totalLength(Ipv4Packet.MIN_HEADER_LENGTH + tLen)
                .identification(id).flagsAndOffset(flagsAndOffset)
                .ttl(64).protocol(protocol).addresses(KERNEL_IP, STACK_IP));
        System.arraycopy(transport, tOff, f, EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH, tLen);
        return f;
    }

    private static byte[] echoReply(int id, int seq, int dataLength) {
        byte[] m = new byte[IcmpMessage.HEADER_LENGTH + dataLength];
        IcmpMessage.writeHeader(m, 0, IcmpMessage.TYPE_ECHO_REPLY, 0, id << 16 | seq);
        IcmpMessage.fillChecksum(m, 0, m.length);
        return ipFrame(Ipv4Packet.PROTO_ICMP, 0x1000, 0, m, 0, m.length);
    }

    private static byte[] udpPayload(int dstPort, int dataLength) {
        byte[] data = new byte[dataLength];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        return udpDatagram(40000, dstPort, data);
    }

    private static byte[] udpDatagram(int srcPort, int dstPort, byte[] data) {
        byte[] u = new byte[UdpDatagram.HEADER_LENGTH + data.length];
        UdpDatagram.writeHeader(u, 0, srcPort, dstPort, data.length);
        System.arraycopy(data, 0, u, UdpDatagram.HEADER_LENGTH, data.length);
        UdpDatagram.fillChecksum(u, 0, u.length, KERNEL_IP, STACK_IP);
        return u;
    }

    private static byte[] udp(int srcPort, int dstPort, byte[] data) {
        byte[] u = udpDatagram(srcPort, dstPort, data);
        return ipFrame(Ipv4Packet.PROTO_UDP, 0x2000 + dstPort, Ipv4Packet.FLAG_DF, u, 0, u.length);
    }

    /** The datagram cut as Linux would for a 1500-byte MTU: 1480 bytes a fragment. */
    private static List<byte[]> fragments(byte[] udp) {
        List<byte[]> out = new ArrayList<>();
        for (int done = 0; done < udp.length; done += 1480) {
            int n = Math.min(1480, udp.length - done);
            int flags = (done + n < udp.length ? Ipv4Packet.FLAG_MF : 0) | (done >>> 3);
            out.add(ipFrame(Ipv4Packet.PROTO_UDP, 0x3333, flags, udp, done, n));
        }
        return out;
    }

    /** A 3000-byte datagram to the echo port in three fragments, last first, the middle one twice. */
    private static List<byte[]> fragmentsOutOfOrder() {
        List<byte[]> f = fragments(udpPayload(7, 3000));
        return List.of(hex(ARP_REQUEST), f.get(2), f.get(1), f.get(1), f.get(0));
    }

    private static byte[] vlanTagged() {
        byte[] f = hex(ICMP_ECHO_REQUEST);
        byte[] t = new byte[f.length + 4];
        System.arraycopy(f, 0, t, 0, 12);
        Bytes.putU16(t, 12, EthernetFrame.TYPE_VLAN);
        Bytes.putU16(t, 14, 5);
        System.arraycopy(f, 12, t, 16, f.length - 12);
        return t;
    }

    private static byte[] badIpChecksum() {
        byte[] f = hex(ICMP_ECHO_REQUEST);
        f[EthernetFrame.HEADER_LENGTH + 10] ^= 0x55;
        return f;
    }

    /** An echo request whose IPv4 total length claims more than the frame holds. */
    private static byte[] truncatedIp() {
        byte[] f = hex(ICMP_ECHO_REQUEST);
        Bytes.putU16(f, EthernetFrame.HEADER_LENGTH + 2, 200);
        Bytes.putU16(f, EthernetFrame.HEADER_LENGTH + 10, 0);
        Bytes.putU16(f, EthernetFrame.HEADER_LENGTH + 10, Checksum.compute(f, EthernetFrame.HEADER_LENGTH, 20));
        return f;
    }

    static final String WIRE_DIR = "src/test/resources/org/jnetstack/fuzz/WireFuzzTestInputs";

    /** Seeds of {@link WireFuzzTest}, by "method/name": a selector byte of 0 (no junk), then the header. */
    static Map<String, byte[]> wireSeeds() {
        int eth = EthernetFrame.HEADER_LENGTH;
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (String name : List.of("ICMP_ECHO_REQUEST", "UDP_DNS_QUERY", "TCP_SYN", "ICMP_PORT_UNREACHABLE")) {
            byte[] f = hex(frame(name));
            m.put("ethernet/" + name.toLowerCase(), concat(new byte[1], f));
            m.put("ipv4/" + name.toLowerCase(), concat(new byte[1], slice(f, eth, f.length)));
        }
        m.put("ethernet/arp_request", concat(new byte[1], hex(ARP_REQUEST)));
        m.put("arp/request", concat(new byte[1], slice(hex(ARP_REQUEST), eth, hex(ARP_REQUEST).length)));
        m.put("arp/reply", concat(new byte[1], slice(hex(ARP_REPLY), eth, hex(ARP_REPLY).length)));
        byte[] echo = hex(ICMP_ECHO_REQUEST);
        m.put("icmp/echo_request", concat(new byte[1], slice(echo, eth + 20, echo.length)));
        byte[] unreachable = hex(ICMP_PORT_UNREACHABLE);
        m.put("icmp/port_unreachable", concat(new byte[1], slice(unreachable, eth + 20, unreachable.length)));
        byte[] dns = hex(UDP_DNS_QUERY);
        byte[] addresses = new byte[9];
        Bytes.putI32(addresses, 1, KERNEL_IP);
        Bytes.putI32(addresses, 5, STACK_IP);
        m.put("udp/dns_query", concat(addresses, slice(dns, eth + 20, dns.length)));
        m.put("checksum/ipv4_header", concat(new byte[] {10}, slice(echo, eth, eth + 20)));
        m.put("checksum/odd_length", new byte[] {3, 1, 2, 3, 4, 5, 6, 7, (byte) 0xFF, (byte) 0xFF, 9});
        return m;
    }

    private static String frame(String name) {
        return switch (name) {
            case "ICMP_ECHO_REQUEST" -> ICMP_ECHO_REQUEST;
            case "UDP_DNS_QUERY" -> UDP_DNS_QUERY;
            case "TCP_SYN" -> TCP_SYN;
            case "ICMP_PORT_UNREACHABLE" -> ICMP_PORT_UNREACHABLE;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Writes the seed files; run from the core module directory. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(DIR);
        Files.createDirectories(dir);
        for (Map.Entry<String, FrameScript> e : all().entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue().encode());
        }
        for (Map.Entry<String, byte[]> e : wireSeeds().entrySet()) {
            Path file = Path.of(WIRE_DIR, e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue());
        }
        System.out.println("wrote " + all().size() + " + " + wireSeeds().size() + " seeds");
    }
}
