package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jnetstack.testing.TextbookChecksum;
import org.junit.jupiter.api.Test;

class SendBufferTest {

    private static byte[] bytes(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static byte[] out(SendBuffer b, int offset, int len) {
        byte[] d = new byte[len];
        b.copyOut(offset, d, 0, len);
        return d;
    }

    @Test
    void allocatesOnlyOnTheFirstWrite() {
        SendBuffer b = new SendBuffer(256 * 1024);
        assertThat(b.capacity()).isEqualTo(256 * 1024);
        assertThat(b.free()).isEqualTo(256 * 1024);
        assertThat(b.isAllocated()).isFalse();
        b.resize(512 * 1024);
        assertThat(b.isAllocated()).as("resizing an empty buffer allocates nothing").isFalse();
        assertThat(b.write(new byte[10], 0, 0)).isZero();
        assertThat(b.isAllocated()).as("an empty write allocates nothing").isFalse();
        assertThat(b.write(new byte[10], 0, 1)).isEqualTo(1);
        assertThat(b.isAllocated()).isTrue();
    }

    @Test
    void acceptsOnlyWhatFits() {
        SendBuffer b = new SendBuffer(10);
        assertThat(b.write(bytes(0, 7), 0, 7)).isEqualTo(7);
        assertThat(b.write(bytes(7, 7), 0, 7)).isEqualTo(3);
        assertThat(b.size()).isEqualTo(10);
        assertThat(b.free()).isZero();
        assertThat(b.write(bytes(0, 1), 0, 1)).isZero();
        assertThat(out(b, 0, 10)).isEqualTo(bytes(0, 10));
    }

    @Test
    void ringWrapsAround() {
        SendBuffer b = new SendBuffer(8);
        b.write(bytes(0, 6), 0, 6);
        b.release(5);                     // head at 5, one byte held
        assertThat(b.write(bytes(6, 6), 0, 6)).isEqualTo(6); // fills 6,7 then wraps to 0..3
        assertThat(b.size()).isEqualTo(7);
        assertThat(out(b, 0, 7)).isEqualTo(bytes(5, 7));
        assertThat(out(b, 2, 4)).isEqualTo(bytes(7, 4));   // a range that crosses the wrap
        b.release(7);
        assertThat(b.size()).isZero();
        assertThat(b.write(bytes(20, 8), 0, 8)).isEqualTo(8);
        assertThat(out(b, 0, 8)).isEqualTo(bytes(20, 8));
    }

    @Test
    void offsetsFromSequenceNumbersAcrossTheWrap() {
        // The caller maps seq to offset as seq - snd.una, which works across 2^32.
        int sndUna = 0xFFFFFF00;
        SendBuffer b = new SendBuffer(1024);
        b.write(bytes(0, 600), 0, 600);
        int seq = 0x00000010;             // 0x110 = 272 bytes after snd.una, past the wrap
        assertThat(out(b, seq - sndUna, 4)).isEqualTo(bytes(272, 4));
        int ack = 0x00000020;
        b.release(ack - sndUna);
        assertThat(b.size()).isEqualTo(600 - 288);
        assertThat(out(b, 0, 1)).isEqualTo(bytes(288, 1));
    }

    @Test
    void rangeChecks() {
        SendBuffer b = new SendBuffer(16);
        b.write(bytes(0, 4), 0, 4);
        assertThatThrownBy(() -> b.copyOut(2, new byte[8], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.copyOut(-1, new byte[8], 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.copyOut(0, new byte[2], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.release(5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.release(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.write(new byte[3], 1, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.resize(3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendBuffer(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendBuffer(SendBuffer.MAX_CAPACITY + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.size()).isEqualTo(4);
    }

    @Test
    void resizeKeepsWrappedContent() {
        SendBuffer b = new SendBuffer(8);
        b.write(bytes(0, 8), 0, 8);
        b.release(6);
        b.write(bytes(8, 5), 0, 5);       // wrapped: 7 bytes 6..12
        b.resize(20);
        assertThat(b.capacity()).isEqualTo(20);
        assertThat(out(b, 0, 7)).isEqualTo(bytes(6, 7));
        assertThat(b.write(bytes(13, 13), 0, 13)).isEqualTo(13);
        assertThat(out(b, 0, 20)).isEqualTo(bytes(6, 20));
        b.release(15);
        b.resize(5);                      // shrink to exactly the size held
        assertThat(out(b, 0, 5)).isEqualTo(bytes(21, 5));
        assertThat(b.free()).isZero();
    }

    @Test
    void trimGivesTheArrayBackOnlyWhenEmpty() {
        SendBuffer b = new SendBuffer(64);
        b.write(bytes(0, 10), 0, 10);
        assertThat(b.trim()).isFalse();
        b.release(10);
        assertThat(b.trim()).isTrue();
        assertThat(b.isAllocated()).isFalse();
        b.write(bytes(1, 3), 0, 3);
        assertThat(out(b, 0, 3)).isEqualTo(bytes(1, 3));
    }

    /** Random writes, acknowledgements, reads and resizes against a plain byte list. */
    @Property(tries = 300)
    void behavesLikeAQueueOfBytes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int capacity) {
        Random r = new Random(seed);
        SendBuffer b = new SendBuffer(capacity);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        int released = 0; // bytes of `written` released so far
        int next = 0;
        for (int step = 0; step < 200; step++) {
            byte[] model = Arrays.copyOfRange(written.toByteArray(), released, written.size());
            assertThat(b.size()).isEqualTo(model.length);
            assertThat(b.free()).isEqualTo(b.capacity() - model.length).isNotNegative();
            switch (r.nextInt(4)) {
                case 0 -> {
                    int len = r.nextInt(b.capacity() + 5);
                    int off = r.nextInt(4);
                    byte[] src = new byte[off + len];
                    for (int i = 0; i < len; i++) {
                        src[off + i] = (byte) (next + i);
                    }
                    int n = b.write(src, off, len);
                    assertThat(n).isEqualTo(Math.min(len, b.capacity() - model.length));
                    written.write(src, off, n);
                    next += n;
                }
                case 1 -> {
                    int n = r.nextInt(model.length + 1);
                    b.release(n);
                    released += n;
                }
                case 2 -> {
                    if (model.length > 0) {
                        int o = r.nextInt(model.length);
                        int len = r.nextInt(model.length - o + 1);
                        assertThat(out(b, o, len)).isEqualTo(Arrays.copyOfRange(model, o, o + len));
                    }
                }
                default -> {
                    if (r.nextInt(4) == 0) {
                        b.resize(Math.max(1, model.length + r.nextInt(300)));
                    }
                }
            }
        }
        byte[] model = Arrays.copyOfRange(written.toByteArray(), released, written.size());
        assertThat(out(b, 0, b.size())).isEqualTo(model);
    }

    @Property(tries = 300)
    void copyOutAndSumCopiesLikeCopyOutAndSumsTheCopiedBytes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int capacity) {
        // Random head positions (so segments wrap the ring at any byte, odd ones included) and
        // random segment offsets/lengths; the sum must be the textbook sum of the bytes copied.
        Random r = new Random(seed);
        SendBuffer b = new SendBuffer(capacity);
        for (int step = 0; step < 40; step++) {
            byte[] src = new byte[r.nextInt(capacity + 1)];
            r.nextBytes(src);
            b.write(src, 0, src.length);
            if (b.size() > 0) {
                int offset = r.nextInt(b.size());
                int len = r.nextInt(b.size() - offset + 1);
                int dstOff = r.nextInt(5);
                byte[] dst = new byte[dstOff + len + 3];
                int sum = b.copyOutAndSum(offset, dst, dstOff, len);
                assertThat(Arrays.copyOfRange(dst, dstOff, dstOff + len)).isEqualTo(out(b, offset, len));
                assertThat(sum).isEqualTo(TextbookChecksum.partial(dst, dstOff, len, 0));
            }
            b.release(r.nextInt(b.size() + 1));
        }
    }

    @Test
    void copyOutAndSumAcrossAnOddWrap() {
        SendBuffer b = new SendBuffer(9);
        b.write(bytes(0, 5), 0, 5);
        b.release(5);                       // head at 5: 4 bytes to the end of the ring, then wrap
        b.write(bytes(0x70, 9), 0, 9);      // 70..73 at ring 5..8, 74..78 at ring 0..4
        byte[] dst = new byte[8];
        int sum = b.copyOutAndSum(1, dst, 0, 8); // ring 6..8 (3 bytes, odd) then 0..4
        assertThat(dst).isEqualTo(bytes(0x71, 8));
        assertThat(sum).isEqualTo(TextbookChecksum.partial(bytes(0x71, 8), 0, 8, 0));
    }
}
