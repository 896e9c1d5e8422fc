package org.jnetstack.link;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jnetstack.testing.TextbookChecksum;

/**
 * TCP and UDP frames over IPv4 and IPv6 with partial checksums (the pseudo-header sum in the
 * checksum field, as an offloading stack or a Linux TAP leaves it), built by hand with the textbook
 * checksum, and checks of frames fit for a wire. Independent of the stack's wire code.
 */
final class OffloadTestFrames {
    static final int ETH = 14;
    static final int FIN = 0x01;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int CWR = 0x80;
    static final long SEQ = 0xFFFF_F000L; // wraps within a 64 KiB super-segment

    private OffloadTestFrames() {
    }

    /** A TCP super-segment (or segment) of {@code payload} random bytes, checksum partial; destination MAC unknown to a switch. */
    static byte[] tcp(boolean ipv6, int payload, int tcpFlags, SplittableRandom r) {
        int ipHeader = ipv6 ? 40 : 20;
        int tcpHeader = 32; // with 12 bytes of options (a timestamp), copied into every segment
        byte[] f = new byte[ETH + ipHeader + tcpHeader + payload];
        ipHeader(f, ipv6, 6, tcpHeader + payload);
        int t = ETH + ipHeader;
        put32(f, t, 0x1F90_C350L); // ports 8080 -> 50000
        put32(f, t + 4, SEQ);
        put32(f, t + 8, 0x0102_0304L);
        f[t + 12] = (byte) ((tcpHeader / 4) << 4);
        f[t + 13] = (byte) tcpFlags;
        put16(f, t + 14, 65535);
        f[t + 20] = 1;
        f[t + 21] = 1;
        f[t + 22] = 8;
        f[t + 23] = 10;
        for (int i = t + 24; i < t + 32; i++) {
            f[i] = (byte) r.nextInt();
        }
        for (int i = t + tcpHeader; i < f.length; i++) {
            f[i] = (byte) r.nextInt();
        }
        put16(f, t + 16, pseudo(f, ipv6, 6, tcpHeader + payload));
        return f;
    }

    /** A UDP datagram with a partial checksum. */
    static byte[] udp(boolean ipv6, int payload, SplittableRandom r) {
        int ipHeader = ipv6 ? 40 : 20;
        byte[] f = new byte[ETH + ipHeader + 8 + payload];
        ipHeader(f, ipv6, 17, 8 + payload);
        int u = ETH + ipHeader;
        put32(f, u, 0x0035_1234L);
        put16(f, u + 4, 8 + payload);
        for (int i = u + 8; i < f.length; i++) {
            f[i] = (byte) r.nextInt();
        }
        put16(f, u + 6, pseudo(f, ipv6, 17, 8 + payload));
        return f;
    }

    private static void ipHeader(byte[] f, boolean ipv6, int protocol, int transportLength) {
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (0x02 + i * 0x11); // 02:11:22:33:44:55, learned by nobody
            f[6 + i] = (byte) (0x02 + i);
        }
        int ip = ETH;
        if (ipv6) {
            put16(f, 12, 0x86DD);
            f[ip] = 0x60;
            put16(f, ip + 4, transportLength);
            f[ip + 6] = (byte) protocol;
            f[ip + 7] = 64;
            for (int i = 0; i < 32; i++) {
                f[ip + 8 + i] = (byte) (0xfd + i * 7);
            }
        } else {
            put16(f, 12, 0x0800);
            f[ip] = 0x45;
            put16(f, ip + 2, 20 + transportLength);
            put16(f, ip + 4, 0xFFFE); // wraps while segments count up
            put16(f, ip + 6, 0x4000); // DF
            f[ip + 8] = 64;
            f[ip + 9] = (byte) protocol;
            put32(f, ip + 12, 0x0A00_0264L);
            put32(f, ip + 16, 0x0A00_0202L);
            put16(f, ip + 10, ~TextbookChecksum.partial(f, ip, 20, 0) & 0xFFFF);
        }
    }

    /** The pseudo-header sum (RFC 768 / RFC 8200 §8.1) of the frame's addresses, protocol and length. */
    static int pseudo(byte[] f, boolean ipv6, int protocol, int transportLength) {
        int sum = ipv6 ? TextbookChecksum.partial(f, ETH + 8, 32, 0) : TextbookChecksum.partial(f, ETH + 12, 8, 0);
        return TextbookChecksum.partial(new byte[] {0, (byte) protocol, (byte) (transportLength >>> 8), (byte) transportLength},
                0, 4, sum);
    }

    static boolean ipv6(byte[] f) {
        return (f[12] & 0xFF) == 0x86;
    }

    static int transport(byte[] f) {
        return ETH + (ipv6(f) ? 40 : 20);
    }

    /** Whether the frame's IPv4 header checksum (if any) and transport checksum are complete and right. */
    static boolean checksumsRight(byte[] f) {
        boolean v6 = ipv6(f);
        if (!v6 && TextbookChecksum.partial(f, ETH, 20, 0) != 0xFFFF) {
            return false;
        }
        int t = transport(f);
        int protocol = f[ETH + (v6 ? 6 : 9)] & 0xFF;
        int len = f.length - t;
        return TextbookChecksum.partial(f, t, len, pseudo(f, v6, protocol, len)) == 0xFFFF;
    }

    /** The frame with its partial checksum completed by the textbook (what a wire should carry). */
    static byte[] completed(byte[] partial) {
        byte[] f = partial.clone();
        int t = transport(f);
        int field = t + ((f[ETH + (ipv6(f) ? 6 : 9)] & 0xFF) == 6 ? 16 : 6);
        int sum = TextbookChecksum.partial(f, t, f.length - t, 0); // the field holds the pseudo-header sum
        put16(f, field, ~sum & 0xFFFF);
        return f;
    }

    static byte[] payload(byte[] f) {
        int t = transport(f);
        return Arrays.copyOfRange(f, t + ((f[t + 12] & 0xF0) >>> 2), f.length);
    }

    static byte[] concat(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static int u16(byte[] f, int at) {
        return ((f[at] & 0xFF) << 8) | (f[at + 1] & 0xFF);
    }

    static long u32(byte[] f, int at) {
        return ((long) u16(f, at) << 16) | u16(f, at + 2);
    }

    static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }

    static void put32(byte[] f, int at, long v) {
        put16(f, at, (int) (v >>> 16));
        put16(f, at + 2, (int) v);
    }

    /** Keeps every frame with its flags. */
    static final class FlagRecorder implements FrameHandler {
        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> flags = new ArrayList<>();

        @Override
        public void onFrame(byte[] buf, int off, int len) {
            onFrame(buf, off, len, 0);
        }

        @Override
        public void onFrame(byte[] buf, int off, int len, int f) {
            frames.add(Arrays.copyOfRange(buf, off, off + len));
            flags.add(f);
        }
    }
}
