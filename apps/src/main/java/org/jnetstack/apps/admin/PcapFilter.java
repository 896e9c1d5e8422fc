package org.jnetstack.apps.admin;

import java.io.ByteArrayOutputStream;

/**
 * Leaves the frames of one TCP port out of a pcap file (classic format, Ethernet link type, either
 * byte order): the admin page's own traffic, which carries its password and session cookies, is
 * not handed out in the capture it offers. A frame is left out when it is IPv4 or IPv6 (optionally
 * behind one 802.1Q tag) carrying TCP with the port as source or destination. A damaged record
 * ends the file: what follows it is left out rather than guessed at.
 */
final class PcapFilter {
    private static final int GLOBAL_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private PcapFilter() {
    }

    static byte[] withoutTcpPort(byte[] pcap, int port) {
        if (pcap.length < GLOBAL_HEADER) {
            return pcap;
        }
        boolean bigEndian = (pcap[0] & 0xFF) == 0xa1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(pcap.length);
        out.write(pcap, 0, GLOBAL_HEADER);
        int off = GLOBAL_HEADER;
        while (off + RECORD_HEADER <= pcap.length) {
            int captured = int32(pcap, off + 8, bigEndian);
            if (captured < 0 || captured > pcap.length - off - RECORD_HEADER) {
                break; // a damaged record: keep nothing after it rather than guess
            }
            int frame = off + RECORD_HEADER;
            if (!hasTcpPort(pcap, frame, captured, port)) {
                out.write(pcap, off, RECORD_HEADER + captured);
            }
            off = frame + captured;
        }
        return out.toByteArray();
    }

    /** Whether the Ethernet frame at {@code f} of {@code len} bytes carries TCP from or to {@code port}. */
    static boolean hasTcpPort(byte[] b, int f, int len, int port) {
        int end = f + len;
        int p = f + 12;
        if (p + 2 > end) {
            return false;
        }
        int type = uint16(b, p);
        p += 2;
        if (type == 0x8100 && p + 4 <= end) { // IEEE 802.1Q tag
            type = uint16(b, p + 2);
            p += 4;
        }
        int tcp;
        if (type == 0x0800) {
            if (p + 20 > end || (b[p] & 0x0F) < 5 || (b[p + 9] & 0xFF) != 6 || (uint16(b, p + 6) & 0x1FFF) != 0) {
                return false; // not TCP, or a later fragment without the ports
            }
            tcp = p + (b[p] & 0x0F) * 4;
        } else if (type == 0x86DD) {
            if (p + 40 > end || (b[p + 6] & 0xFF) != 6) {
                return false;
            }
            tcp = p + 40;
        } else {
            return false;
        }
        if (tcp + 4 > end) {
            return false;
        }
        return uint16(b, tcp) == port || uint16(b, tcp + 2) == port;
    }

    private static int uint16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | b[i + 1] & 0xFF;
    }

    private static int int32(byte[] b, int i, boolean bigEndian) {
        return bigEndian
                ? (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | b[i + 3] & 0xFF
                : (b[i + 3] & 0xFF) << 24 | (b[i + 2] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | b[i] & 0xFF;
    }
}
