package org.jnetstack.link;

import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;

/**
 * Frames whose offload work is still to be done ({@link FrameHandler#CHECKSUM_PARTIAL},
 * {@link FrameHandler#GSO_TCP}): checks that a frame's flags fit the frame, and does the work in
 * software for a receiver that takes only frames fit for a wire — completes the checksum, or cuts
 * a TCP super-segment into segments (software GSO, what Linux does for a device without TSO).
 *
 * <p>Where the checksum lies is not carried with the frame but read from it: the transport header
 * follows an unfragmented IPv4 header or the fixed IPv6 header (no extension headers); TCP's
 * checksum is at 16, UDP's at 6 (RFC 9293 §3.1, RFC 768). That is where every offload of ours and
 * of a Linux TAP puts it; a frame whose flags do not fit it is malformed. No method allocates.
 */
final class OffloadFrames {
    static final int ETH = 14;
    static final int TCP = 6;
    static final int UDP = 17;
    /**
     * The most segments one super-segment may be cut into: 64 KiB at 48 bytes each, the smallest
     * segment Linux sends ({@code net.ipv4.tcp_min_snd_mss}). Bounds the work a single frame can
     * cost a receiver without offloads.
     */
    static final int MAX_SEGMENTS = 65_535 / 48 + 1;
    private static final int TYPE_IPV4 = 0x0800;
    private static final int TYPE_IPV6 = 0x86DD;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private OffloadFrames() {
    }

    /** Offset in the frame of the TCP or UDP header a partial checksum belongs to, or -1. */
    static int transportStart(byte[] b, int off, int len) {
        if (len < ETH + 20) {
            return -1;
        }
        int ip = off + ETH;
        int type = Bytes.u16(b, off + 12);
        if (type == TYPE_IPV4) {
            int ihl = (b[ip] & 0x0F) << 2;
            // RFC 791 §3.1: no fragment offset and no More Fragments: the transport header is here.
            if ((b[ip] & 0xF0) != 0x40 || ihl < 20 || ETH + ihl > len || (Bytes.u16(b, ip + 6) & 0x3FFF) != 0) {
                return -1;
            }
            int p = b[ip + 9] & 0xFF;
            return p == TCP || p == UDP ? ETH + ihl : -1;
        }
        if (type == TYPE_IPV6 && len >= ETH + 40 && (b[ip] & 0xF0) == 0x60) {
            int p = b[ip + 6] & 0xFF;
            return p == TCP || p == UDP ? ETH + 40 : -1;
        }
        return -1;
    }

    static boolean isIpv6(byte[] b, int off) {
        return Bytes.u16(b, off + 12) == TYPE_IPV6;
    }

    /** The transport protocol of a frame {@link #transportStart} accepted. */
    static int protocol(byte[] b, int off) {
        return isIpv6(b, off) ? b[off + ETH + 6] & 0xFF : b[off + ETH + 9] & 0xFF;
    }

    /** Offset of the checksum field in the transport header. */
    static int checksumOffset(int protocol) {
        return protocol == TCP ? 16 : 6;
    }

    /** Where the IP datagram ends (offset in the frame) by its own length field, or -1 past {@code len}. */
    private static int ipEnd(byte[] b, int off, int len) {
        int end = isIpv6(b, off) ? ETH + 40 + Bytes.u16(b, off + ETH + 4) : ETH + Bytes.u16(b, off + ETH + 2);
        return end <= len ? end : -1;
    }

    /**
     * Whether a frame's offload flags fit it: a partial checksum needs a TCP or UDP header where
     * {@link #transportStart} finds it, inside the datagram; a super-segment must moreover be TCP
     * with a segment size above 0, its headers inside the frame, every segment within {@code mtu}
     * (an IP packet's largest size) and at most {@link #MAX_SEGMENTS} of them.
     */
    static boolean valid(byte[] b, int off, int len, int flags, int mtu) {
        if ((flags & FrameHandler.OFFLOADED) == 0) {
            return true;
        }
        int t = transportStart(b, off, len);
        int end = t < 0 ? -1 : ipEnd(b, off, len);
        if (end < 0 || (flags & FrameHandler.CHECKSUM_PARTIAL) == 0) {
            return false;
        }
        int protocol = protocol(b, off);
        if (t + checksumOffset(protocol) + 2 > end) {
            return false;
        }
        if ((flags & FrameHandler.GSO_TCP) == 0) {
            return true;
        }
        int mss = FrameHandler.gsoSize(flags);
        if (protocol != TCP || mss == 0 || t + 20 > end) {
            return false;
        }
        int headers = t + ((b[off + t + 12] & 0xF0) >>> 2);
        return headers >= t + 20 && headers <= end && headers - ETH + mss <= mtu
                && (end - headers + mss - 1) / mss <= MAX_SEGMENTS;
    }

    /** Completes the partial checksum of a {@link #valid} frame in place (not a super-segment). */
    static void completeChecksum(byte[] b, int off, int len) {
        int t = transportStart(b, off, len);
        int protocol = protocol(b, off);
        int field = off + t + checksumOffset(protocol);
        Checksum.finishPartial(b, off + t, ipEnd(b, off, len) - t, checksumOffset(protocol));
        if (protocol == UDP && b[field] == 0 && b[field + 1] == 0) {
            b[field] = (byte) 0xFF; // RFC 768: a computed zero is sent as all ones
            b[field + 1] = (byte) 0xFF;
        }
    }

    /**
     * Cuts the {@link #valid} super-segment {@code b[off, off+len)} into segments of its
     * {@link FrameHandler#gsoSize} payload bytes, each built in {@code scratch} (which must hold
     * the headers and one segment) with complete checksums and handed to {@code sink} with
     * {@code sinkFlags}: headers copied, lengths fixed, IPv4 identification counted up from the
     * super-segment's, sequence numbers advanced; FIN and PSH only on the last segment, CWR only on
     * the first — what a TSO device does (RFC 3168 §6.1.2 for CWR). Returns the segments handed.
     */
    static int segment(byte[] b, int off, int len, int flags, byte[] scratch, FrameHandler sink, int sinkFlags) {
        int t = transportStart(b, off, len);
        int end = ipEnd(b, off, len);
        int headers = t + ((b[off + t + 12] & 0xF0) >>> 2);
        int payload = end - headers;
        int mss = FrameHandler.gsoSize(flags);
        boolean v6 = isIpv6(b, off);
        int ip = off + ETH;
        long seq = Bytes.u32(b, off + t + 4);
        int tcpFlags = b[off + t + 13] & 0xFF;
        int id = v6 ? 0 : Bytes.u16(b, ip + 4);
        int addresses = v6 ? Checksum.partial(b, ip + 8, 32, 0) : Checksum.partial(b, ip + 12, 8, 0);
        int n = 0;
        int done = 0;
        do {
            int chunk = Math.min(mss, payload - done);
            boolean last = done + chunk >= payload;
            System.arraycopy(b, off, scratch, 0, headers);
            System.arraycopy(b, off + headers + done, scratch, headers, chunk);
            int transportLength = headers - t + chunk;
            if (v6) {
                Bytes.putU16(scratch, ETH + 4, transportLength);
            } else {
                Bytes.putU16(scratch, ETH + 2, t - ETH + transportLength);
                Bytes.putU16(scratch, ETH + 4, id + n);
                Bytes.putU16(scratch, ETH + 10, 0);
                Bytes.putU16(scratch, ETH + 10, Checksum.compute(scratch, ETH, t - ETH));
            }
            Bytes.putI32(scratch, t + 4, (int) (seq + done));
            int f = tcpFlags;
            if (!last) {
                f &= ~(TCP_FIN | TCP_PSH);
            }
            if (n > 0) {
                f &= ~TCP_CWR;
            }
            scratch[t + 13] = (byte) f;
            Bytes.putU16(scratch, t + 16, 0);
            int pseudo = Checksum.addPiece(addresses, TCP + transportLength, 0);
            Bytes.putU16(scratch, t + 16, Checksum.finish(Checksum.partial(scratch, t, transportLength, pseudo)));
            sink.onFrame(scratch, 0, headers + chunk, sinkFlags);
            n++;
            done += chunk;
        } while (done < payload);
        return n;
    }
}
