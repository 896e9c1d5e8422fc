package org.jnetstack.link;

import java.nio.ByteOrder;
import org.jnetstack.wire.Checksum;

/**
 * The {@code struct virtio_net_hdr} (10 bytes, virtio spec 1.2 §5.1.6) that a TAP opened with
 * {@code IFF_VNET_HDR} puts in front of every frame, in both directions:
 * <pre>
 *   u8  flags        NEEDS_CSUM (1): the checksum at csum_start + csum_offset holds only the
 *                    pseudo-header sum; DATA_VALID (2): the checksum was verified
 *   u8  gso_type     NONE (0), TCPV4 (1), UDP (3), TCPV6 (4); | ECN (0x80)
 *   u16 hdr_len      Ethernet + IP + TCP header bytes (a hint)
 *   u16 gso_size     payload bytes per segment when gso_type is not NONE
 *   u16 csum_start   offset of the transport header in the frame
 *   u16 csum_offset  offset of the checksum field in that header (16 for TCP, 6 for UDP)
 * </pre>
 * The 16-bit fields are in the host's byte order (Linux {@code tun_is_little_endian}: little
 * endian unless {@code TUNSETVNETBE}; x86-64 and arm64 are little endian).
 */
final class VirtioNetHeader {
    static final int LENGTH = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;

    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private VirtioNetHeader() {
    }

    static int flags(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    static int gsoType(byte[] b, int off) {
        return b[off + 1] & 0xFF;
    }

    static int headerLength(byte[] b, int off) {
        return u16(b, off + 2);
    }

    static int gsoSize(byte[] b, int off) {
        return u16(b, off + 4);
    }

    static int checksumStart(byte[] b, int off) {
        return u16(b, off + 6);
    }

    static int checksumOffset(byte[] b, int off) {
        return u16(b, off + 8);
    }

    /**
     * Frame flags ({@link FrameHandler}) for the frame {@code frame[off, off+len)} that arrived after
     * the header at {@code h}, or -1 when the header does not fit the frame (malformed: drop it).
     * A checksum the kernel verified (DATA_VALID), or left partial because the frame never left
     * this host's memory (NEEDS_CSUM), needs no check by us; a partial one where
     * {@link OffloadFrames} finds it is passed on as {@link FrameHandler#CHECKSUM_PARTIAL}, one
     * anywhere else is completed here. A TCP super-segment (TCPV4, TCPV6) becomes
     * {@link FrameHandler#GSO_TCP} with its segment size; it must carry a partial checksum, a
     * segment size above 0, headers ({@code hdr_len}) inside the frame and the IP version its type
     * says. Nothing else is accepted as a super-segment (we never offer UDP segmentation).
     */
    static int rxFrameFlags(byte[] h, int hoff, byte[] frame, int off, int len, int mtu) {
        int f = flags(h, hoff);
        int out = (f & F_DATA_VALID) != 0 ? FrameHandler.RX_CHECKSUM_VERIFIED : 0;
        if ((f & F_NEEDS_CSUM) != 0) {
            int start = checksumStart(h, hoff);
            int offset = checksumOffset(h, hoff);
            int t = OffloadFrames.transportStart(frame, off, len);
            if (t >= 0 && t == start && offset == OffloadFrames.checksumOffset(OffloadFrames.protocol(frame, off))) {
                out = FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.CHECKSUM_PARTIAL;
            } else if (completeChecksum(frame, off, len, start, offset)) {
                out = FrameHandler.RX_CHECKSUM_VERIFIED;
            } else {
                return -1;
            }
        }
        int gso = gsoType(h, hoff) & ~GSO_ECN;
        if (gso == GSO_NONE) {
            return (out & FrameHandler.CHECKSUM_PARTIAL) == 0 || OffloadFrames.valid(frame, off, len, out, mtu) ? out : -1;
        }
        if ((gso != GSO_TCPV4 && gso != GSO_TCPV6) || (out & FrameHandler.CHECKSUM_PARTIAL) == 0
                || (gso == GSO_TCPV6) != OffloadFrames.isIpv6(frame, off)
                || gsoSize(h, hoff) == 0 || headerLength(h, hoff) > len) {
            return -1;
        }
        out |= FrameHandler.gso(gsoSize(h, hoff));
        return OffloadFrames.valid(frame, off, len, out, mtu) ? out : -1;
    }

    /** A header that asks for nothing: the frame is complete as it is. */
    static void writePlain(byte[] b, int off) {
        for (int i = 0; i < LENGTH; i++) {
            b[off + i] = 0;
        }
    }

    /**
     * A header asking the kernel to complete the checksum at {@code csumStart + csumOffset} and,
     * when {@code gsoSize > 0}, to cut the TCP frame (IPv4, or IPv6 with {@code ipv6}) into segments of {@code gsoSize}
     * payload bytes (the kernel copies the headers, fixes lengths, IP ids, sequence numbers and
     * checksums; FIN and PSH go to the last segment only).
     */
    static void writeOffload(byte[] b, int off, int headerBytes, int csumStart, int csumOffset, int gsoSize, boolean ipv6) {
        b[off] = (byte) F_NEEDS_CSUM;
        b[off + 1] = (byte) (gsoSize <= 0 ? GSO_NONE : ipv6 ? GSO_TCPV6 : GSO_TCPV4);
        putU16(b, off + 2, headerBytes);
        putU16(b, off + 4, gsoSize);
        putU16(b, off + 6, csumStart);
        putU16(b, off + 8, csumOffset);
    }

    /**
     * Completes a partial checksum in software: the field holds the pseudo-header sum; sum from
     * {@code csumStart} to the end of the frame and store the complement (what the kernel would do).
     * Returns false if the offsets do not fit the frame.
     */
    static boolean completeChecksum(byte[] frame, int off, int len, int csumStart, int csumOffset) {
        if (csumStart < 0 || csumOffset < 0 || csumStart + csumOffset + 2 > len) {
            return false;
        }
        Checksum.finishPartial(frame, off + csumStart, len - csumStart, csumOffset);
        return true;
    }

    private static int u16(byte[] b, int off) {
        int lo = b[off] & 0xFF;
        int hi = b[off + 1] & 0xFF;
        return LITTLE ? (hi << 8) | lo : (lo << 8) | hi;
    }

    private static void putU16(byte[] b, int off, int v) {
        if (LITTLE) {
            b[off] = (byte) v;
            b[off + 1] = (byte) (v >>> 8);
        } else {
            b[off] = (byte) (v >>> 8);
            b[off + 1] = (byte) v;
        }
    }
}
