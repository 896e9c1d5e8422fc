package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
 * The IPv6 writers judged by Wireshark's tshark: every ICMPv6 checksum good (also over two
 * fragments tshark reassembles), nothing malformed, no expert warning or error, and the field
 * values we wrote. Skipped where tshark is not installed.
 */
class TsharkIpv6CrossCheckTest {
    private static final long MAC_A = 0x02_00_00_00_00_0AL;
    private static final long MAC_B = 0x02_00_00_00_00_0BL;
    private static final Ipv6Address A = Ipv6Address.parse("fe80::a");
    private static final Ipv6Address B = Ipv6Address.parse("fe80::b");
    private static final Ipv6Address PREFIX = Ipv6Address.parse("2001:db8:5::");

    private static final String[] FIELDS = {"frame.number", "_ws.malformed", "_ws.expert.severity", "icmpv6.checksum.status",
        "icmpv6.type", "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address", "icmpv6.nd.na.flag.s",
        "icmpv6.opt.linkaddr", "icmpv6.opt.prefix", "icmpv6.opt.prefix.length", "icmpv6.opt.mtu", "icmpv6.opt.rdnss",
        "icmpv6.opt.rdnss.lifetime", "icmpv6.nd.ra.router_lifetime", "icmpv6.mldr.nb_mcast_records",
        "icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar.record_type", "ipv6.opt.router_alert", "icmpv6.mtu",
        "icmpv6.pointer", "icmpv6.echo.sequence_number", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.ident"};

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTshark() {
        boolean present;
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            present = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, "tshark not installed");
    }

    /** An Ethernet frame holding an IPv6 packet with {@code payload} after the fixed header. */
    private static byte[] frame(long dstMac, long srcMac, Ipv6Address src, Ipv6Address dst, int nextHeader, int hopLimit,
                                byte[] payload, int len) {
        byte[] f = new byte[14 + 40 + len];
        int n = EthernetFrame.write(f, 0, dstMac, srcMac, EthernetFrame.TYPE_IPV6);
        n += Ipv6Packet.writeHeader(f, n, new Ipv6Header().payloadLength(len).nextHeader(nextHeader).hopLimit(hopLimit)
                .source(src.hi(), src.lo()).destination(dst.hi(), dst.lo()));
        System.arraycopy(payload, 0, f, n, len);
        return f;
    }

    /** An ICMPv6 message, checksummed, in a frame without extension headers. */
    private static byte[] icmp(long dstMac, long srcMac, Ipv6Address src, Ipv6Address dst, int hopLimit, byte[] msg, int len) {
        Icmpv6Message.writeChecksum(msg, 0, len, src.hi(), src.lo(), dst.hi(), dst.lo());
        return frame(dstMac, srcMac, src, dst, Ipv6Packet.NH_ICMPV6, hopLimit, msg, len);
    }

    @Test
    void tsharkAgreesWithEveryIpv6FrameWeBuild() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        byte[] m = new byte[1300];
        Ipv6Address snB = new Ipv6Address(Ipv6Address.solicitedNodeHi(), Ipv6Address.solicitedNodeLo(B.lo()));
        int n = NdpWriter.writeNeighborSolicitation(m, 0, B.hi(), B.lo(), MAC_A);
        frames.add(icmp(Ipv6Address.multicastMac(snB.lo()), MAC_A, A, snB, 255, m, n));
        n = NdpWriter.writeNeighborAdvertisement(m, 0, false, true, true, B.hi(), B.lo(), MAC_B);
        frames.add(icmp(MAC_A, MAC_B, B, A, 255, m, n));
        n = NdpWriter.writeRouterSolicitation(m, 0, MAC_A);
        frames.add(icmp(Ipv6Address.multicastMac(2), MAC_A, A, Ipv6Address.ALL_ROUTERS, 255, m, n));
        NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().routerLifetime(900).sourceMac(MAC_B).mtu(1400)
                .addPrefix(PREFIX.hi(), 0, 64, true, true, 86400, 14400)
                .addDnsServer(PREFIX.hi(), 0x53).addDnsServer(PREFIX.hi(), 0x54).dnsLifetime(1200);
        n = NdpWriter.writeRouterAdvertisement(m, 0, ra);
        frames.add(icmp(Ipv6Address.multicastMac(1), MAC_B, B, Ipv6Address.ALL_NODES, 255, m, n));

        // MLDv2 report: Hop-by-Hop Router Alert, then two records.
        long[] groups = {Ipv6Address.solicitedNodeHi(), Ipv6Address.solicitedNodeLo(A.lo()), 0xff02_0000_0000_0000L, 0xfb};
        Ipv6Address mldr = Ipv6Address.ALL_MLDV2_ROUTERS;
        int h = Ipv6Extensions.writeHopByHopRouterAlert(m, 0, Ipv6Packet.NH_ICMPV6);
        n = Mldv2.writeReport(m, h, Mldv2.RECORD_CHANGE_TO_EXCLUDE, groups, 2);
        Icmpv6Message.writeChecksum(m, h, n, A.hi(), A.lo(), mldr.hi(), mldr.lo());
        frames.add(frame(Ipv6Address.multicastMac(0x16), MAC_A, A, mldr, Ipv6Packet.NH_HOP_BY_HOP, 1, m, h + n));

        byte[] data = new byte[32];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (0x40 + i);
        }
        n = Icmpv6Message.writeEcho(m, 0, Icmpv6Message.TYPE_ECHO_REQUEST, 0x1234, 7, data, 0, data.length);
        byte[] echo = icmp(MAC_B, MAC_A, A, B, 64, m, n);
        frames.add(echo);
        n = Icmpv6Message.writeError(m, 0, Icmpv6Message.TYPE_PACKET_TOO_BIG, 0, 1280, echo, 14, echo.length - 14);
        frames.add(icmp(MAC_A, MAC_B, B, A, 64, m, n));
        n = Icmpv6Message.writeError(m, 0, Icmpv6Message.TYPE_PARAMETER_PROBLEM, Icmpv6Message.CODE_UNRECOGNIZED_OPTION, 42,
                echo, 14, echo.length - 14);
        frames.add(icmp(MAC_A, MAC_B, B, A, 64, m, n));

        // The echo request again, in two fragments: 16 bytes (its header and 8 data bytes), then 24.
        byte[] whole = Arrays.copyOfRange(echo, 54, echo.length);
        whole[7] = 8;
        Icmpv6Message.writeChecksum(whole, 0, whole.length, A.hi(), A.lo(), B.hi(), B.lo());
        byte[] p = new byte[8 + 24];
        Ipv6Extensions.writeFragmentHeader(p, 0, Ipv6Packet.NH_ICMPV6, 0, true, 0x0BADCAFE);
        System.arraycopy(whole, 0, p, 8, 16);
        frames.add(frame(MAC_B, MAC_A, A, B, Ipv6Packet.NH_FRAGMENT, 64, p, 8 + 16));
        Ipv6Extensions.writeFragmentHeader(p, 0, Ipv6Packet.NH_ICMPV6, 16, false, 0x0BADCAFE);
        System.arraycopy(whole, 16, p, 8, 24);
        frames.add(frame(MAC_B, MAC_A, A, B, Ipv6Packet.NH_FRAGMENT, 64, p, 8 + 24));

        Path pcap = dir.resolve("ipv6.pcap");
        Files.write(pcap, TsharkCrossCheckTest.pcap(frames));
        List<String[]> rows = dissect(pcap);
        assertThat(rows).hasSize(frames.size());
        for (String[] row : rows) {
            assertThat(field(row, "_ws.malformed")).as("frame %s malformed", row[0]).isEmpty();
            // Expert severities: 2097152 is "note", 4194304 "warning", 8388608 "error" (chats and notes are fine).
            for (String s : field(row, "_ws.expert.severity").split(",")) {
                if (!s.isEmpty()) {
                    assertThat(Long.parseLong(s)).as("frame %s expert severity", row[0]).isLessThan(4194304L);
                }
            }
            String status = field(row, "icmpv6.checksum.status");
            if (!row[0].equals("9")) {
                // 1 = Good. An error repeats the fields for the quoted message, whose checksum tshark
                // leaves unverified (2); ours, the first, must be good.
                assertThat(status.split(",")[0]).as("frame %s icmpv6 checksum", row[0]).isEqualTo("1");
                assertThat(status.split(",")).as("frame %s icmpv6 checksums", row[0]).isSubsetOf("1", "2");
            }
        }
        assertThat(field(rows.get(0), "icmpv6.nd.ns.target_address")).isEqualTo("fe80::b");
        assertThat(field(rows.get(0), "icmpv6.opt.linkaddr")).isEqualTo("02:00:00:00:00:0a");
        assertThat(field(rows.get(1), "icmpv6.nd.na.target_address")).isEqualTo("fe80::b");
        assertThat(field(rows.get(1), "icmpv6.nd.na.flag.s")).isIn("1", "True");
        assertThat(field(rows.get(2), "icmpv6.type")).isEqualTo("133");
        String[] adv = rows.get(3);
        assertThat(field(adv, "icmpv6.nd.ra.router_lifetime")).isEqualTo("900");
        assertThat(field(adv, "icmpv6.opt.prefix")).isEqualTo("2001:db8:5::");
        assertThat(field(adv, "icmpv6.opt.prefix.length")).isEqualTo("64");
        assertThat(field(adv, "icmpv6.opt.mtu")).isEqualTo("1400");
        assertThat(field(adv, "icmpv6.opt.rdnss")).isEqualTo("2001:db8:5::53,2001:db8:5::54");
        assertThat(field(adv, "icmpv6.opt.rdnss.lifetime")).isEqualTo("1200");
        String[] mld = rows.get(4);
        assertThat(field(mld, "ipv6.opt.router_alert")).isEqualTo("0");
        assertThat(field(mld, "icmpv6.mldr.nb_mcast_records")).isEqualTo("2");
        assertThat(field(mld, "icmpv6.mldr.mar.multicast_address")).isEqualTo("ff02::1:ff00:a,ff02::fb");
        assertThat(field(mld, "icmpv6.mldr.mar.record_type")).isEqualTo("4,4");
        assertThat(field(rows.get(5), "icmpv6.echo.sequence_number")).isEqualTo("7");
        assertThat(field(rows.get(6), "icmpv6.mtu")).isEqualTo("1280");
        assertThat(field(rows.get(7), "icmpv6.pointer")).isEqualTo("42");
        assertThat(field(rows.get(8), "ipv6.fraghdr.more")).isIn("1", "True");
        assertThat(field(rows.get(8), "ipv6.fraghdr.ident")).isEqualTo("0x0badcafe");
        // The second fragment completes the echo: tshark reassembles it and verifies its checksum.
        assertThat(field(rows.get(9), "ipv6.fraghdr.offset")).isEqualTo("2");
        assertThat(field(rows.get(9), "icmpv6.echo.sequence_number")).isEqualTo("8");
        assertThat(field(rows.get(9), "icmpv6.checksum.status")).isEqualTo("1");
    }

    private static List<String[]> dissect(Path pcap) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-T", "fields", "-E", "separator=|"));
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
