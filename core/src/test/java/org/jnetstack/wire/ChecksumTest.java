package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jnetstack.testing.TextbookChecksum;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums (with end-around carries) to 0xddf2.
        byte[] b = Captures.bytes("0001f203f4f5f6f7");
        assertThat(Checksum.partial(b, 0, b.length, 0)).isEqualTo(0xddf2);
        assertThat(Checksum.compute(b, 0, b.length)).isEqualTo(0x220d);
    }

    @Test
    void partialSumsChainOverEvenSplitsAndTheOddTailIsPaddedWithZero() {
        byte[] b = Captures.bytes("0001f203f4f5f6f7ab");
        int whole = Checksum.partial(b, 0, 9, 0);
        int chained = Checksum.partial(b, 2, 7, Checksum.partial(b, 0, 2, 0));
        assertThat(chained).isEqualTo(whole);
        // 0xddf2 + 0xab00 = 0x188f2 -> 0x88f3
        assertThat(whole).isEqualTo(0x88f3);
        // Unaligned starting offset must not matter.
        byte[] shifted = Captures.bytes("ff0001f203f4f5f6f7ab");
        assertThat(Checksum.partial(shifted, 1, 9, 0)).isEqualTo(whole);
    }

    @Test
    void rfc1624IncrementalUpdateExample() {
        // RFC 1624 §4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285; eqn. 3 gives 0x0000 like a recomputation.
        assertThat(Checksum.update(0xDD2F, 0x5555, 0x3285)).isEqualTo(0x0000);
    }

    @Test
    void incrementalUpdateMatchesRecomputationOnARealHeader() {
        byte[] f = Captures.bytes(Captures.ICMP_ECHO_REQUEST);
        int ip = EthernetFrame.HEADER_LENGTH;
        int oldChecksum = Bytes.u16(f, ip + 10);
        int oldWord = Bytes.u16(f, ip + 8); // TTL + protocol
        int newWord = oldWord - 0x0100;     // TTL decremented, as a router does
        Bytes.putU16(f, ip + 8, newWord);
        int updated = Checksum.update(oldChecksum, oldWord, newWord);
        Bytes.putU16(f, ip + 10, 0);
        assertThat(updated).isEqualTo(Checksum.compute(f, ip, 20));
    }

    @Test
    void validHeaderVerifiesToZeroAndLargeInputsDoNotOverflow() {
        byte[] f = Captures.bytes(Captures.TCP_SYN);
        assertThat(Checksum.compute(f, 14, 20)).isZero();
        // 32767 words of 0xFFFF (each -0) plus a padded tail 0xFF00: the sum must not overflow.
        byte[] big = new byte[65535];
        java.util.Arrays.fill(big, (byte) 0xFF);
        assertThat(Checksum.partial(big, 0, big.length, 0xFFFF)).isEqualTo(0xFF00);
        assertThat(Checksum.compute(big, 0, big.length)).isEqualTo(0x00FF);
    }

    @Test
    void pseudoHeaderSumsAddressesProtocolAndLength() {
        // 10.99.0.1 + 10.99.0.2 + 6 + 40 = 0x0a63+0x0001+0x0a63+0x0002+0x0006+0x0028
        assertThat(Checksum.pseudoHeader(0x0A630001, 0x0A630002, 6, 40)).isEqualTo(0x14F7);
        assertThat(Checksum.finish(0x1FFFE)).isEqualTo(0x0000);
    }

    @Test
    void fastPathsEqualTheTextbookSumAtEveryLengthAndOffset() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        byte[] b = new byte[70_000];
        r.nextBytes(b);
        byte[] ones = new byte[70_000];
        java.util.Arrays.fill(ones, (byte) 0xFF); // worst case for lane overflow
        int[] lengths = {0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 255, 256, 257, 1448, 1480, 9000, 65_483, 65_535, 69_000};
        for (byte[] data : new byte[][] {b, ones}) {
            for (int len : lengths) {
                for (int off = 0; off < 3; off++) {
                    int initial = r.nextInt(0x10000);
                    int expected = TextbookChecksum.partial(data, off, len, initial);
                    assertThat(Checksum.scalarPartial(data, off, len, initial)).as("scalar len %d off %d", len, off).isEqualTo(expected);
                    assertThat(Checksum.partial(data, off, len, initial)).as("partial len %d off %d", len, off).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void buffersFarLargerThanADatagramSumExactly() {
        // Lane accumulators are reduced in 32-bit arithmetic: all-ones data is the worst case, and
        // a megabyte of it wraps a reduction that covers more than 128 KiB at once.
        byte[] ones = new byte[1 << 20];
        Arrays.fill(ones, (byte) 0xFF);
        for (int len : new int[] {131_072, 262_147, 1 << 20}) {
            assertThat(Checksum.partial(ones, 0, len, 0)).as("len %d", len).isEqualTo(TextbookChecksum.partial(ones, 0, len, 0));
            byte[] copy = new byte[len];
            assertThat(Checksum.copyAndPartial(ones, 0, copy, 0, len, 0)).as("copy len %d", len)
                    .isEqualTo(TextbookChecksum.partial(ones, 0, len, 0));
        }
    }

    @Test
    void theSimdKernelRunsInTheseTests() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector (core/pom.xml): the
        // comparison above then covers the vector loop, not only the scalar one.
        assertThat(Checksum.simd()).isTrue();
    }

    @Property(tries = 300)
    void copyAndPartialCopiesExactlyAndSumsLikeTheTextbook(@ForAll long seed, @ForAll @IntRange(max = 70_000) int len,
                                                            @ForAll @IntRange(max = 7) int srcOff, @ForAll @IntRange(max = 7) int dstOff,
                                                            @ForAll boolean allOnes) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] src = new byte[srcOff + len + 5];
        r.nextBytes(src);
        if (allOnes) {
            Arrays.fill(src, (byte) 0xFF); // worst case for lane overflow
        }
        byte[] dst = new byte[dstOff + len + 5];
        r.nextBytes(dst);
        byte[] before = dst.clone();
        int initial = r.nextInt(0x10000);

        int sum = Checksum.copyAndPartial(src, srcOff, dst, dstOff, len, initial);

        assertThat(sum).isEqualTo(TextbookChecksum.partial(src, srcOff, len, initial));
        assertThat(Arrays.copyOfRange(dst, dstOff, dstOff + len)).isEqualTo(Arrays.copyOfRange(src, srcOff, srcOff + len));
        assertThat(Arrays.copyOfRange(dst, 0, dstOff)).as("bytes before the copy untouched").isEqualTo(Arrays.copyOfRange(before, 0, dstOff));
        assertThat(Arrays.copyOfRange(dst, dstOff + len, dst.length)).as("bytes after the copy untouched")
                .isEqualTo(Arrays.copyOfRange(before, dstOff + len, dst.length));
    }

    @Property(tries = 300)
    void piecesSummedAloneAndAddedAtTheirPositionGiveTheWholeSum(@ForAll long seed, @ForAll @IntRange(max = 9000) int len,
                                                                  @ForAll @IntRange(max = 9000) int cut1, @ForAll @IntRange(max = 9000) int cut2) {
        // Splits anywhere, odd positions included (a ring buffer wraps at any byte): RFC 1071 §2(B).
        byte[] b = new byte[len];
        new SplittableRandom(seed).nextBytes(b);
        int p = Math.min(Math.min(cut1, cut2), len);
        int q = Math.min(Math.max(cut1, cut2), len);
        int sum = Checksum.partial(b, 0, p, 0);
        sum = Checksum.addPiece(sum, Checksum.partial(b, p, q - p, 0), p);
        sum = Checksum.addPiece(sum, Checksum.partial(b, q, len - q, 0), q);
        assertThat(Checksum.finish(sum)).isEqualTo(Checksum.finish(TextbookChecksum.partial(b, 0, len, 0)));
    }

    @Test
    void anOddPositionSwapsThePiecesSum() {
        // aa bb cc | dd ee: words aabb ccdd ee00. The piece "dd ee" starts at byte 3, so its bytes
        // are the low half of word 1 and the high half of word 2: 0x00dd + 0xee00, the swap of the
        // 0xddee it sums to alone.
        byte[] b = Captures.bytes("aabbccddee");
        int whole = Checksum.partial(b, 0, 5, 0);
        assertThat(Checksum.addPiece(Checksum.partial(b, 0, 3, 0), Checksum.partial(b, 3, 2, 0), 3)).isEqualTo(whole);
        assertThat(Checksum.addPiece(Checksum.partial(b, 0, 3, 0), Checksum.partial(b, 3, 2, 0), 4))
                .as("the same piece taken at an even position is a different sum").isNotEqualTo(whole);
    }
}
