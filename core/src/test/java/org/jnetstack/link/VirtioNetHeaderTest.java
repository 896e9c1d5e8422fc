package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.TcpHeader;
import org.jnetstack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {
    /** What Linux (x86-64, little endian) put in front of a GSO TCP frame it handed us: captured layout. */
    private static final byte[] KERNEL_GSO = {
            0x01, 0x01,             // NEEDS_CSUM, GSO_TCPV4
            0x42, 0x00,             // hdr_len 66 (14 + 20 + 32)
            (byte) 0xa8, 0x05,      // gso_size 1448
            0x22, 0x00,             // csum_start 34
            0x10, 0x00};            // csum_offset 16

    @Test
    void parsesTheKernelsHeaderInHostOrder() {
        assertThat(VirtioNetHeader.flags(KERNEL_GSO, 0)).isEqualTo(VirtioNetHeader.F_NEEDS_CSUM);
        assertThat(VirtioNetHeader.gsoType(KERNEL_GSO, 0)).isEqualTo(VirtioNetHeader.GSO_TCPV4);
        assertThat(VirtioNetHeader.headerLength(KERNEL_GSO, 0)).isEqualTo(66);
        assertThat(VirtioNetHeader.gsoSize(KERNEL_GSO, 0)).isEqualTo(1448);
        assertThat(VirtioNetHeader.checksumStart(KERNEL_GSO, 0)).isEqualTo(34);
        assertThat(VirtioNetHeader.checksumOffset(KERNEL_GSO, 0)).isEqualTo(16);
    }

    @Test
    void partialAndValidChecksumsAreVouchedForAndNothingElse() {
        byte[] h = new byte[VirtioNetHeader.LENGTH];
        byte[] f = OffloadTestFrames.tcp(false, 100, OffloadTestFrames.ACK, new SplittableRandom(1));
        assertThat(flags(h, f)).isZero();
        h[0] = VirtioNetHeader.F_DATA_VALID;
        assertThat(flags(h, f)).isEqualTo(FrameHandler.RX_CHECKSUM_VERIFIED);
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 34, 16);
        assertThat(flags(h, f)).isEqualTo(FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.CHECKSUM_PARTIAL);
        h[0] = 4; // VIRTIO_NET_HDR_F_RSC_INFO: says nothing about the checksum
        assertThat(flags(h, f)).isZero();
    }

    @Test
    void aKernelSuperSegmentBecomesGsoFlagsWithItsSegmentSize() {
        SplittableRandom r = new SplittableRandom(2);
        byte[] v4 = OffloadTestFrames.tcp(false, 30_000, OffloadTestFrames.ACK, r);
        byte[] h = KERNEL_GSO.clone();
        assertThat(flags(h, v4)).isEqualTo(FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.gso(1448));
        h[1] = (byte) (VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN);
        assertThat(flags(h, v4)).isEqualTo(FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.gso(1448));
        byte[] v6 = OffloadTestFrames.tcp(true, 30_000, OffloadTestFrames.ACK, r);
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6, 86, 1428, 54, 16);
        assertThat(flags(h, v6)).isEqualTo(FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.gso(1428));
    }

    @Test
    void aPartialChecksumElsewhereThanTheTransportHeaderIsCompletedHere() {
        byte[] f = OffloadTestFrames.tcp(false, 300, OffloadTestFrames.ACK, new SplittableRandom(3));
        byte[] h = new byte[VirtioNetHeader.LENGTH];
        // Fields of an IPv4 header with options, as far as our parser knows, so not at 34: done in software.
        f[14] = 0x46;
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 34, 16);
        byte[] expected = f.clone();
        int sum = org.jnetstack.testing.TextbookChecksum.partial(expected, 34, expected.length - 34, 0);
        OffloadTestFrames.put16(expected, 50, ~sum & 0xFFFF);
        assertThat(flags(h, f)).isEqualTo(FrameHandler.RX_CHECKSUM_VERIFIED);
        assertThat(f).isEqualTo(expected);
    }

    @Test
    void malformedOffloadMetadataFromTheKernelIsRefused() {
        SplittableRandom r = new SplittableRandom(4);
        byte[] tcp = OffloadTestFrames.tcp(false, 10_000, OffloadTestFrames.ACK, r);
        byte[] h = new byte[VirtioNetHeader.LENGTH];
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 66, 0, 34, 16);
        assertThat(flags(h, tcp)).as("gso_size 0").isEqualTo(-1);
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, tcp.length + 1, 1448, 34, 16);
        assertThat(flags(h, tcp)).as("hdr_len past the frame").isEqualTo(-1);
        header(h, VirtioNetHeader.F_NEEDS_CSUM, 3, 42, 1400, 34, 6); // GSO_UDP
        assertThat(flags(h, OffloadTestFrames.udp(false, 5000, r))).as("a UDP super-segment").isEqualTo(-1);
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 42, 1400, 34, 6);
        assertThat(flags(h, OffloadTestFrames.udp(false, 5000, r))).as("a TCPV4 super-segment that is UDP").isEqualTo(-1);
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6, 66, 1448, 34, 16);
        assertThat(flags(h, tcp)).as("TCPV6 on an IPv4 frame").isEqualTo(-1);
        header(h, 0, VirtioNetHeader.GSO_TCPV4, 66, 1448, 0, 0);
        assertThat(flags(h, tcp)).as("a super-segment without a partial checksum").isEqualTo(-1);
        header(h, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, tcp.length - 1, 16);
        assertThat(flags(h, tcp)).as("checksum past the frame").isEqualTo(-1);
    }

    private static int flags(byte[] h, byte[] frame) {
        return VirtioNetHeader.rxFrameFlags(h, 0, frame, 0, frame.length, 65_535);
    }

    private static void header(byte[] h, int flags, int gso, int hdrLen, int gsoSize, int start, int offset) {
        VirtioNetHeader.writeOffload(h, 0, hdrLen, start, offset, gsoSize, gso == VirtioNetHeader.GSO_TCPV6);
        h[0] = (byte) flags;
        h[1] = (byte) gso;
    }

    @Test
    void buildsTheHeaderTheKernelExpectsForASuperSegment() {
        byte[] b = new byte[3 + VirtioNetHeader.LENGTH];
        VirtioNetHeader.writeOffload(b, 3, 66, 34, 16, 1448, false);
        byte[] h = java.util.Arrays.copyOfRange(b, 3, 3 + VirtioNetHeader.LENGTH);
        assertThat(h).containsExactly(KERNEL_GSO);
    }

    @Test
    void aPlainSegmentAsksForTheChecksumOnlyAndAPlainFrameForNothing() {
        byte[] b = new byte[VirtioNetHeader.LENGTH];
        VirtioNetHeader.writeOffload(b, 0, 36, 34, 16, 0, false);
        assertThat(VirtioNetHeader.flags(b, 0)).isEqualTo(VirtioNetHeader.F_NEEDS_CSUM);
        assertThat(VirtioNetHeader.gsoType(b, 0)).isEqualTo(VirtioNetHeader.GSO_NONE);
        assertThat(VirtioNetHeader.gsoSize(b, 0)).isZero();
        java.util.Arrays.fill(b, (byte) 7);
        VirtioNetHeader.writePlain(b, 0);
        assertThat(b).containsOnly(0);
    }

    @Test
    void completingAPartialChecksumGivesWhatSoftwareComputes() {
        SplittableRandom r = new SplittableRandom(5);
        for (int payload : new int[] {0, 1, 2, 1447, 1448, 4001}) {
            int src = r.nextInt();
            int dst = r.nextInt();
            byte[] full = new byte[14 + 20 + 20 + payload];
            r.nextBytes(full);
            int tcp = 34;
            int tcpLen = full.length - tcp;
            TcpSegment.writeHeader(full, tcp, new TcpHeader().ports(1234, 80)
                    .segment(r.nextInt(), r.nextInt(), TcpSegment.ACK, 5000));
            byte[] partial = full.clone();
            TcpSegment.fillChecksum(full, tcp, tcpLen, src, dst);
            TcpSegment.fillPartialChecksum(partial, tcp, tcpLen, src, dst);
            assertThat(partial).isNotEqualTo(full);

            assertThat(VirtioNetHeader.completeChecksum(partial, 0, partial.length, tcp, TcpSegment.CHECKSUM_OFFSET)).isTrue();

            assertThat(partial).as("payload %d", payload).isEqualTo(full);
            assertThat(Checksum.finish(Checksum.partial(partial, tcp, tcpLen,
                    Checksum.pseudoHeader(src, dst, 6, tcpLen)))).isZero();
        }
    }

    @Test
    void offsetsOutsideTheFrameAreRefused() {
        byte[] f = new byte[60];
        assertThat(VirtioNetHeader.completeChecksum(f, 0, 60, 34, 25)).isFalse();
        assertThat(VirtioNetHeader.completeChecksum(f, 0, 60, -1, 16)).isFalse();
    }

    @Test
    void offloadsAreConsistent() {
        assertThat(LinkOffloads.NONE.any()).isFalse();
        assertThat(LinkOffloads.NONE.describe()).isEqualTo("none");
        assertThat(new LinkOffloads(true, true, 65535).describe()).isEqualTo("rx-checksum tx-checksum tso(65535)");
        assertThatThrownBy(() -> new LinkOffloads(true, false, 65535)).hasMessageContaining("checksum offload");
        assertThat(LinkOffloads.ALL.describe()).isEqualTo("rx-checksum tx-checksum tso(65535) tso6");
        assertThat(new LinkOffloads(true, true, 65535).segments(true)).isFalse();
        assertThat(LinkOffloads.ALL.segments(true)).isTrue();
    }
}
