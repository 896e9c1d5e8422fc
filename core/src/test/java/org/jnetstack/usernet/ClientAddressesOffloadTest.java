package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnetstack.link.DeviceAttachment;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counters;
import org.jnetstack.testing.TextbookChecksum;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * The forward's source translation on a segment whose checksum the gateway left partial (an
 * offloading link): the field holds the pseudo-header sum, not its complement, and must be
 * adjusted as such, so that the checksum completed further on (here by the switch, for a plain
 * port) is right for the rewritten source address.
 */
class ClientAddressesOffloadTest {
    private static final int GATEWAY = Ipv4Address.parseBits("10.0.2.2");
    private static final int GUEST = Ipv4Address.parseBits("10.0.2.100");
    private static final int CLIENT = Ipv4Address.parseBits("192.0.2.77");

    @Test
    void aPartialChecksumIsAdjustedForTheClientsAddress() {
        EventLoop loop = EventLoop.virtual();
        VirtualSwitch sw = new VirtualSwitch();
        VirtualSwitch.Port gw = sw.newPort("gw");
        VirtualSwitch.Port guest = sw.newPort("guest");
        gw.setOffloads(LinkOffloads.ALL);
        List<byte[]> received = new ArrayList<>();
        DeviceAttachment.attach(loop, guest, (b, o, l) -> received.add(Arrays.copyOfRange(b, o, o + l)));
        ClientAddresses ca = new ClientAddresses(gw, loop, GATEWAY);
        ca.configure(16, 1_000_000_000L, new Counters());
        ca.addTcp(GUEST, 8080, 50000, CLIENT);
        assertThat(ca.offloads()).isEqualTo(LinkOffloads.ALL);

        for (int payload : new int[] {0, 1, 999}) {
            byte[] f = partialTcp(GATEWAY, GUEST, 8080, 50000, payload);
            assertThat(ca.sendOffloaded(f, 0, f.length, 34, 16, 0)).isTrue();
        }
        byte[] plain = partialTcp(GATEWAY, GUEST, 8080, 50000, 10);
        int sum = TextbookChecksum.partial(plain, 34, plain.length - 34, 0); // completed, as without offloads
        plain[50] = (byte) (~sum >>> 8);
        plain[51] = (byte) ~sum;
        assertThat(ca.send(plain, 0, plain.length)).isTrue();
        loop.runPending();

        assertThat(received).hasSize(4);
        for (byte[] r : received) {
            assertThat(readInt(r, 26)).as("source rewritten").isEqualTo(CLIENT);
            assertThat(TextbookChecksum.partial(r, 14, 20, 0)).as("IPv4 header checksum").isEqualTo(0xFFFF);
            int tcpLen = r.length - 34;
            int pseudo = TextbookChecksum.partial(r, 26, 8, 6 + tcpLen);
            assertThat(TextbookChecksum.partial(r, 34, tcpLen, pseudo)).as("TCP checksum for the client's address").isEqualTo(0xFFFF);
        }
    }

    /** A TCP segment from {@code src} to {@code dst}, its checksum field holding the pseudo-header sum. */
    private static byte[] partialTcp(int src, int dst, int srcPort, int dstPort, int payload) {
        byte[] f = new byte[54 + payload];
        f[0] = 0x02;
        f[5] = 0x09; // to a MAC the switch has not learnt: flooded to the guest port
        f[6] = 0x02;
        f[11] = 0x01;
        f[12] = 0x08;
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, 40 + payload);
        put16(f, ip + 6, 0x4000);
        f[ip + 8] = 64;
        f[ip + 9] = 6;
        writeInt(f, ip + 12, src);
        writeInt(f, ip + 16, dst);
        put16(f, ip + 10, ~TextbookChecksum.partial(f, ip, 20, 0) & 0xFFFF);
        int t = 34;
        put16(f, t, srcPort);
        put16(f, t + 2, dstPort);
        writeInt(f, t + 4, 0x12345678);
        f[t + 12] = 0x50;
        f[t + 13] = 0x18;
        put16(f, t + 14, 65535);
        for (int i = 0; i < payload; i++) {
            f[54 + i] = (byte) (i * 31 + 7);
        }
        put16(f, t + 16, TextbookChecksum.partial(f, ip + 12, 8, 6 + 20 + payload));
        return f;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static void writeInt(byte[] b, int at, int v) {
        put16(b, at, v >>> 16);
        put16(b, at + 2, v);
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
