package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pcap check the interop tests rely on must actually catch what it is meant to catch: a
 * checker that passes everything would make every capture look clean. Frames are built here
 * by hand (not by the stack), so this needs tshark but not root.
 */
class TsharkCheckTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsTshark() {
        Requirements.tools("tshark");
    }

    @Test
    void wellFormedFramesPass() throws IOException {
        Path pcap = write("good.pcap", udpFrame(false, false), icmpEcho(false));

        assertThat(Tshark.count(pcap, "udp || icmp")).isEqualTo(2);
        assertThat(Tshark.problems(pcap)).isEmpty();
    }

    @Test
    void badUdpChecksumIsAProblem() throws IOException {
        Path pcap = write("udp.pcap", udpFrame(true, false));

        assertThat(Tshark.problems(pcap)).hasSize(1);
    }

    @Test
    void badIpv4HeaderChecksumIsAProblem() throws IOException {
        Path pcap = write("ip.pcap", udpFrame(false, true));

        assertThat(Tshark.problems(pcap)).hasSize(1);
    }

    @Test
    void badIcmpChecksumIsAProblem() throws IOException {
        Path pcap = write("icmp.pcap", icmpEcho(true));

        assertThat(Tshark.problems(pcap)).hasSize(1);
    }

    @Test
    void truncatedDatagramIsMalformed() throws IOException {
        byte[] full = udpFrame(false, false);
        byte[] cut = java.util.Arrays.copyOf(full, 14 + 20 + 4); // UDP header cut in half
        Path pcap = write("cut.pcap", cut);

        assertThat(Tshark.problems(pcap)).singleElement().asString().contains("Malformed");
    }

    // --- hand-built frames -------------------------------------------------------------

    private static final byte[] KERNEL = {10, 0, 0, 1};
    private static final byte[] STACK = {10, 0, 0, 2};

    private static byte[] udpFrame(boolean badUdp, boolean badIp) {
        byte[] payload = "hello, kernel".getBytes();
        ByteBuffer udp = ByteBuffer.allocate(8 + payload.length);
        udp.putShort((short) 7).putShort((short) 40000).putShort((short) udp.capacity()).putShort((short) 0).put(payload);
        ByteBuffer pseudo = ByteBuffer.allocate(12 + udp.capacity());
        pseudo.put(STACK).put(KERNEL).put((byte) 0).put((byte) 17).putShort((short) udp.capacity()).put(udp.array());
        int c = checksum(pseudo.array());
        udp.putShort(6, (short) (badUdp ? c ^ 0x1234 : c));
        return ethernet(ipv4(17, udp.array(), badIp));
    }

    private static byte[] icmpEcho(boolean bad) {
        ByteBuffer icmp = ByteBuffer.allocate(8 + 16);
        icmp.put((byte) 0).put((byte) 0).putShort((short) 0).putShort((short) 0x1234).putShort((short) 1);
        int c = checksum(icmp.array());
        icmp.putShort(2, (short) (bad ? c ^ 0x00FF : c));
        return ethernet(ipv4(1, icmp.array(), false));
    }

    private static byte[] ipv4(int protocol, byte[] payload, boolean badChecksum) {
        ByteBuffer ip = ByteBuffer.allocate(20 + payload.length);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) ip.capacity()).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) protocol).putShort((short) 0).put(STACK).put(KERNEL);
        int c = checksum(java.util.Arrays.copyOf(ip.array(), 20));
        ip.putShort(10, (short) (badChecksum ? c ^ 0x0101 : c));
        ip.put(payload);
        return ip.array();
    }

    private static byte[] ethernet(byte[] ipPacket) {
        ByteBuffer f = ByteBuffer.allocate(14 + ipPacket.length);
        f.put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2}).putShort((short) 0x0800).put(ipPacket);
        return f.array();
    }

    /** RFC 1071 Internet checksum. */
    private static int checksum(byte[] b) {
        long sum = 0;
        for (int i = 0; i + 1 < b.length; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if ((b.length & 1) != 0) {
            sum += (b[b.length - 1] & 0xFF) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** Classic pcap (microsecond timestamps, link type 1 = Ethernet). */
    private Path write(String name, byte[]... frames) throws IOException {
        int size = 24;
        for (byte[] f : frames) {
            size += 16 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        int second = 1;
        for (byte[] f : frames) {
            b.putInt(second++).putInt(0).putInt(f.length).putInt(f.length).put(f);
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }
}
