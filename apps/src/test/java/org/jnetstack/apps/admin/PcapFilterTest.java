package org.jnetstack.apps.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PcapFilterTest {
    /** An Ethernet frame: {@code vlan} adds an 802.1Q tag; {@code ipv6} an IPv6 header, else IPv4 (ports follow). */
    private static byte[] frame(boolean vlan, boolean ipv6, int protocol, int fragmentOffset, int src, int dst, int marker) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.put(new byte[12]);
        if (vlan) {
            b.putShort((short) 0x8100).putShort((short) 7);
        }
        if (ipv6) {
            b.putShort((short) 0x86DD);
            b.put((byte) 0x60).put(new byte[5]).put((byte) protocol).put((byte) 64).put(new byte[32]);
        } else {
            b.putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putShort((short) 0).putShort((short) fragmentOffset)
                    .put((byte) 64).put((byte) protocol).putShort((short) 0).put(new byte[8]);
        }
        b.putShort((short) src).putShort((short) dst).put((byte) marker);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static byte[] pcap(ByteOrder order, List<byte[]> frames, int truncatedTail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer g = ByteBuffer.allocate(24).order(order);
        g.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.writeBytes(g.array());
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt(1).putInt(2).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        if (truncatedTail > 0) {
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt(1).putInt(2).putInt(1000).putInt(1000);
            out.writeBytes(r.array());
            out.writeBytes(new byte[truncatedTail]);
        }
        return out.toByteArray();
    }

    /** The last byte of each record (the frames' markers), read with the file's own byte order. */
    private static List<Integer> markers(byte[] pcap, ByteOrder order) {
        List<Integer> m = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(pcap).order(order);
        int off = 24;
        while (off + 16 <= pcap.length) {
            int len = b.getInt(off + 8);
            m.add(pcap[off + 16 + len - 1] & 0xFF);
            off += 16 + len;
        }
        return m;
    }

    @Test
    void framesToOrFromThePortAreLeftOutWhateverTheirShape() {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            List<byte[]> frames = List.of(
                    frame(false, false, 6, 0, 80, 40000, 1),    // IPv4 TCP from the port: out
                    frame(false, false, 6, 0, 40000, 7, 2),     // another port: kept
                    frame(false, true, 6, 0, 40000, 80, 3),     // IPv6 TCP to the port: out
                    frame(true, false, 6, 0, 40000, 80, 4),     // behind a VLAN tag: out
                    frame(false, false, 17, 0, 80, 80, 5),      // UDP on that port: kept
                    frame(false, false, 6, 0x0010, 80, 80, 6),  // a later fragment carries no ports: kept
                    frame(false, false, 6, 0, 40001, 80, 7));   // out

            byte[] filtered = PcapFilter.withoutTcpPort(pcap(order, frames, 20), 80);

            assertThat(markers(filtered, order)).as(order.toString()).containsExactly(2, 5, 6);
        }
    }
}
