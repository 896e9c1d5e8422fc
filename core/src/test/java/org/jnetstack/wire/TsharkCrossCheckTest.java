package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent judge: frames built by our writers are dissected by Wireshark's tshark, which
 * must find every checksum good, nothing malformed, and the field values we wrote. Skipped
 * where tshark is not installed.
 */
class TsharkCrossCheckTest {
    private static final long MAC_A = 0x02_00_00_00_00_0AL;
    private static final long MAC_B = 0x02_00_00_00_00_0BL;
    private static final int IP_A = 0xC0A80A01; // 192.168.10.1
    private static final int IP_B = 0xC0A80A02;

    private static final String[] FIELDS = {"frame.number", "_ws.malformed", "ip.checksum.status", "icmp.checksum.status",
        "udp.checksum.status", "tcp.checksum.status", "arp.dst.proto_ipv4", "icmp.seq", "dns.qry.name",
        "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.timestamp.tsval",
        "tcp.options.timestamp.tsecr", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.len", "udp.dstport"};

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTshark() {
        boolean present = false;
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            present = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, "tshark not installed");
    }

    @Test
    void tsharkAgreesWithEveryFrameWeBuild() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        frames.add(arpRequest());
        frames.add(echoRequest());
        byte[] dns = dnsQuery();
        frames.add(dns);
        frames.add(synWithAllOptions());
        frames.add(ackWithSackBlocks());
        frames.add(portUnreachable(dns));

        Path pcap = dir.resolve("built.pcap");
        Files.write(pcap, pcap(frames));
        List<String[]> rows = dissect(pcap);
        assertThat(rows).hasSize(frames.size());
        for (String[] row : rows) {
            assertThat(field(row, "_ws.malformed")).as("frame %s malformed", row[0]).isEmpty();
            for (String f : List.of("ip.checksum.status", "icmp.checksum.status", "udp.checksum.status", "tcp.checksum.status")) {
                // 1 = Good; an ICMP error repeats fields for the quoted datagram, all must be good,
                // except the quoted UDP checksum, which cannot be verified over 8 quoted bytes (2).
                String v = field(row, f);
                String expected = row[0].equals("6") && f.equals("udp.checksum.status") ? "2" : "1";
                if (!v.isEmpty()) {
                    assertThat(v.split(",")).as("frame %s %s", row[0], f).containsOnly(expected);
                }
            }
        }
        assertThat(field(rows.get(0), "arp.dst.proto_ipv4")).isEqualTo("192.168.10.2");
        assertThat(field(rows.get(1), "icmp.seq")).isEqualTo("7");
        assertThat(field(rows.get(2), "dns.qry.name")).isEqualTo("example.com");
        String[] syn = rows.get(3);
        assertThat(field(syn, "tcp.options.mss_val")).isEqualTo("1460");
        assertThat(field(syn, "tcp.options.wscale.shift")).isEqualTo("7");
        assertThat(field(syn, "tcp.options.timestamp.tsval")).isEqualTo("4000000000");
        assertThat(field(syn, "tcp.options.timestamp.tsecr")).isEqualTo("0");
        String[] sack = rows.get(4);
        assertThat(field(sack, "tcp.options.sack_le")).isEqualTo("3000,2000,1000");
        assertThat(field(sack, "tcp.options.sack_re")).isEqualTo("3100,2100,1100");
        assertThat(field(sack, "tcp.len")).isEqualTo("5");
        assertThat(field(rows.get(5), "udp.dstport")).isEqualTo("53");
    }

    private static byte[] arpRequest() {
        byte[] f = new byte[42];
        int n = EthernetFrame.write(f, 0, 0xFFFF_FFFF_FFFFL, MAC_A, EthernetFrame.TYPE_ARP);
        ArpPacket.write(f, n, ArpPacket.OP_REQUEST, MAC_A, IP_A, 0, IP_B);
        return f;
    }

    private static byte[] echoRequest() {
        byte[] f = new byte[14 + 20 + 8 + 32];
        int n = EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        n += Ipv4Packet.writeHeader(f, n, new Ipv4Header().tos(0).totalLength(20 + 8 + 32)
                .identification(1).flagsAndOffset(Ipv4Packet.FLAG_DF)
                .ttl(64).protocol(Ipv4Packet.PROTO_ICMP).addresses(IP_A, IP_B));
        int icmp = n;
        n += IcmpMessage.writeHeader(f, n, IcmpMessage.TYPE_ECHO_REQUEST, 0, (0x1234 << 16) | 7);
        for (int i = n; i < f.length; i++) {
            f[i] = (byte) i;
        }
        IcmpMessage.fillChecksum(f, icmp, 40);
        return f;
    }

    private static byte[] dnsQuery() {
        byte[] query = Arrays.copyOfRange(Captures.bytes(Captures.UDP_DNS_QUERY), 42, 42 + 29);
        byte[] f = new byte[14 + 20 + 8 + query.length];
        int n = EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        n += Ipv4Packet.writeHeader(f, n, new Ipv4Header().tos(0).totalLength(20 + 8 + query.length)
                .identification(2).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(IP_A, IP_B));
        int udp = n;
        n += UdpDatagram.writeHeader(f, n, 50000, 53, query.length);
        System.arraycopy(query, 0, f, n, query.length);
        UdpDatagram.fillChecksum(f, udp, 8 + query.length, IP_A, IP_B);
        return f;
    }

    private static byte[] synWithAllOptions() {
        TcpOptions o = new TcpOptions().setMss(1460).setSackPermitted(true).setTimestamps((int) 4_000_000_000L, 0).setWindowScale(7);
        int hl = TcpSegment.headerLength(o);
        byte[] f = new byte[14 + 20 + hl];
        int n = EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        n += Ipv4Packet.writeHeader(f, n, new Ipv4Header().tos(0).totalLength(20 + hl)
                .identification(3).flagsAndOffset(Ipv4Packet.FLAG_DF)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(IP_A, IP_B));
        TcpSegment.write(f, n, new TcpHeader().ports(40000, 80)
                .segment(0x7000_0000, 0, TcpSegment.SYN, 64240).options(o), 0, IP_A, IP_B);
        return f;
    }

    private static byte[] ackWithSackBlocks() {
        TcpOptions o = new TcpOptions().setTimestamps(5, 6).addSackBlock(3000, 3100).addSackBlock(2000, 2100).addSackBlock(1000, 1100);
        int hl = TcpSegment.headerLength(o);
        byte[] f = new byte[14 + 20 + hl + 5];
        int n = EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        n += Ipv4Packet.writeHeader(f, n, new Ipv4Header().tos(0).totalLength(20 + hl + 5)
                .identification(4).flagsAndOffset(Ipv4Packet.FLAG_DF)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(IP_A, IP_B));
        System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, f, n + hl, 5);
        TcpSegment.write(f, n, new TcpHeader().ports(40000, 80)
                .segment(900, 1, TcpSegment.ACK | TcpSegment.PSH, 501).options(o), 5, IP_A, IP_B);
        return f;
    }

    private static byte[] portUnreachable(byte[] offending) {
        int quoted = 20 + 8; // RFC 792: the IP header plus the first 64 bits of data
        byte[] f = new byte[14 + 20 + 8 + quoted];
        int n = EthernetFrame.write(f, 0, MAC_A, MAC_B, EthernetFrame.TYPE_IPV4);
        n += Ipv4Packet.writeHeader(f, n, new Ipv4Header().tos(0xC0).totalLength(20 + 8 + quoted)
                .identification(5).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_ICMP).addresses(IP_B, IP_A));
        IcmpMessage.writeError(f, n, IcmpMessage.TYPE_DEST_UNREACHABLE, IcmpMessage.CODE_PORT_UNREACHABLE, 0,
                offending, 14, quoted);
        return f;
    }

    /** Classic libpcap format, Ethernet link type. */
    static byte[] pcap(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.writeBytes(h.array());
        int t = 0;
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(1_700_000_000 + t++).putInt(0).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static List<String[]> dissect(Path pcap) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=|"));
        for (String f : FIELDS) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("tshark exit status").isZero();
        List<String[]> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                rows.add(line.split("\\|", -1));
            }
        }
        return rows;
    }

    private static String field(String[] row, String name) {
        int i = Arrays.asList(FIELDS).indexOf(name);
        return i < row.length ? row[i] : "";
    }
}
