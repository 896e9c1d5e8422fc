package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jnetstack.testing.TextbookChecksum;
import org.junit.jupiter.api.Test;

class ReceiveBufferTest {

    /** The byte at stream position p; the stream starts at sequence number ISN + 1. */
    private static byte at(long p) {
        return (byte) (p * 31 + (p >>> 8));
    }

    private static byte[] stream(long from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = at(from + i);
        }
        return b;
    }

    /** A receiver as the connection will use it: absolute sequence numbers mapped to offsets. */
    private static final class Receiver {
        final ReceiveBuffer buf;
        final int irs; // sequence number of stream position 0
        int rcvNxt;

        Receiver(int capacity, int firstSeq) {
            this(new ReceiveBuffer(capacity), firstSeq);
        }

        Receiver(ReceiveBuffer buf, int firstSeq) {
            this.buf = buf;
            this.irs = firstSeq;
            this.rcvNxt = firstSeq;
        }

        /** Delivers stream bytes [pos, pos+len) as one segment; returns the in-order advance. */
        int segment(long pos, int len) {
            int seq = irs + (int) pos;
            int advanced = buf.write(seq - rcvNxt, stream(pos, len), 0, len);
            rcvNxt += advanced;
            return advanced;
        }

        /** SACK blocks as absolute [left, right) pairs. */
        List<int[]> sack(int max) {
            int[] s = new int[4];
            int[] e = new int[4];
            int n = buf.sackBlocks(s, e, max);
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(new int[] {rcvNxt + s[i], rcvNxt + e[i]});
            }
            return out;
        }
    }

    @Test
    void allocatesOnlyWhenDataArrives() {
        ReceiveBuffer b = new ReceiveBuffer(256 * 1024);
        assertThat(b.capacity()).isEqualTo(256 * 1024);
        assertThat(b.window()).isEqualTo(256 * 1024);
        assertThat(b.isAllocated()).isFalse();
        assertThat(b.read(new byte[10], 0, 10)).isZero();
        assertThat(b.write(300 * 1024, new byte[10], 0, 10)).as("beyond the window").isZero();
        assertThat(b.write(-20, new byte[10], 0, 10)).as("entirely old").isZero();
        assertThat(b.isAllocated()).isFalse();
        assertThat(b.write(0, new byte[10], 0, 10)).isEqualTo(10);
        assertThat(b.isAllocated()).isTrue();
    }

    @Test
    void inOrderDataIsReadableAndClosesTheWindowUntilRead() {
        ReceiveBuffer b = new ReceiveBuffer(100);
        assertThat(b.write(0, stream(0, 60), 0, 60)).isEqualTo(60);
        assertThat(b.readable()).isEqualTo(60);
        assertThat(b.window()).isEqualTo(40);
        byte[] d = new byte[25];
        assertThat(b.peek(d, 0, 25)).isEqualTo(25);
        assertThat(d).isEqualTo(stream(0, 25));
        assertThat(b.readable()).as("peek takes nothing").isEqualTo(60);
        assertThat(b.read(d, 0, 25)).isEqualTo(25);
        assertThat(d).isEqualTo(stream(0, 25));
        assertThat(b.window()).isEqualTo(65);
        assertThat(b.skip(5)).isEqualTo(5);
        assertThat(b.skip(1000)).isEqualTo(30);
        assertThat(b.readable()).isZero();
        assertThat(b.window()).isEqualTo(100);
    }

    @Test
    void windowClipsDataAndNeverGoesNegative() {
        ReceiveBuffer b = new ReceiveBuffer(100);
        assertThat(b.write(0, stream(0, 150), 0, 150)).as("only what fits").isEqualTo(100);
        assertThat(b.window()).isZero();
        assertThat(b.write(0, stream(100, 10), 0, 10)).as("zero window").isZero();
        assertThat(b.window()).isZero();
        byte[] d = new byte[100];
        b.read(d, 0, 100);
        assertThat(d).isEqualTo(stream(0, 100));
        // Out-of-order data straddling the right edge keeps only the part inside the window.
        assertThat(b.write(90, stream(190, 20), 0, 20)).isZero();
        int[] s = new int[4];
        int[] e = new int[4];
        assertThat(b.sackBlocks(s, e, 4)).isEqualTo(1);
        assertThat(s[0]).isEqualTo(90);
        assertThat(e[0]).isEqualTo(100);
        assertThat(b.write(0, stream(100, 90), 0, 90)).isEqualTo(100);
        assertThat(b.window()).isZero();
    }

    @Test
    void outOfOrderDataIsAssembledAcrossTheSequenceWrap() {
        Receiver r = new Receiver(1000, 0xFFFFFF00);
        assertThat(r.segment(300, 100)).isZero();        // seq 0x0000002C, past the wrap
        assertThat(r.segment(100, 100)).isZero();
        assertThat(r.buf.hasOutOfOrder()).isTrue();
        assertThat(r.buf.outOfOrderBytes()).isEqualTo(200);
        assertThat(r.buf.readable()).isZero();
        assertThat(r.buf.window()).as("held out-of-order bytes were already promised").isEqualTo(1000);
        assertThat(r.segment(200, 100)).isZero();        // joins both ranges
        assertThat(r.sack(4)).containsExactly(new int[] {0xFFFFFF00 + 100, 0xFFFFFF00 + 400});
        assertThat(r.segment(0, 100)).isEqualTo(400);
        assertThat(r.rcvNxt).isEqualTo(0xFFFFFF00 + 400).isEqualTo(0x90);
        assertThat(r.buf.hasOutOfOrder()).isFalse();
        byte[] d = new byte[400];
        assertThat(r.buf.read(d, 0, 400)).isEqualTo(400);
        assertThat(d).isEqualTo(stream(0, 400));
    }

    @Test
    void duplicatesAndOverlapsAreHarmless() {
        Receiver r = new Receiver(1000, 0x7FFFFF80);
        assertThat(r.segment(0, 100)).isEqualTo(100);
        assertThat(r.segment(0, 100)).as("exact duplicate").isZero();
        assertThat(r.segment(50, 100)).as("overlaps the old bytes").isEqualTo(50);
        assertThat(r.segment(200, 50)).isZero();
        assertThat(r.segment(200, 50)).as("duplicate out-of-order").isZero();
        assertThat(r.segment(220, 60)).isZero();
        assertThat(r.sack(4)).containsExactly(new int[] {r.irs + 200, r.irs + 280});
        assertThat(r.segment(140, 200)).isEqualTo(190);
        byte[] d = new byte[340];
        assertThat(r.buf.read(d, 0, 340)).isEqualTo(340);
        assertThat(d).isEqualTo(stream(0, 340));
    }

    /**
     * RFC 2018 §5 (the examples after §4's rules), case 2: left edge 5000, eight 500-byte
     * segments; the 2nd, 4th, 6th and 8th are dropped, then the 4th and the 2nd arrive. Numbers
     * shifted so the burst crosses 2^32.
     */
    @Test
    void sackBlockOrderOfRfc2018Examples() {
        int shift = 0xFFFFF800 - 5000; // seq 5000 -> 0xFFFFF800; 7048 -> 0
        Receiver r = new Receiver(100_000, 5000 + shift);
        assertThat(r.segment(0, 500)).isEqualTo(500);
        assertThat(r.rcvNxt).isEqualTo(5500 + shift);
        assertThat(r.sack(3)).isEmpty();

        r.segment(1000, 500); // 6000
        assertThat(r.sack(3)).containsExactly(blk(6000, 6500, shift));
        r.segment(2000, 500); // 7000
        assertThat(r.sack(3)).containsExactly(blk(7000, 7500, shift), blk(6000, 6500, shift));
        r.segment(3000, 500); // 8000
        assertThat(r.sack(3)).containsExactly(blk(8000, 8500, shift), blk(7000, 7500, shift), blk(6000, 6500, shift));
        assertThat(r.rcvNxt).isEqualTo(5500 + shift);

        // "Suppose the 4th packet is received out of order": 6500 joins 6000-7500.
        r.segment(1500, 500);
        assertThat(r.sack(3)).containsExactly(blk(6000, 7500, shift), blk(8000, 8500, shift));
        // "Then suppose the 2nd packet is received": ACK 7500, one block left.
        assertThat(r.segment(500, 500)).isEqualTo(2000);
        assertThat(r.rcvNxt).isEqualTo(7500 + shift);
        assertThat(r.sack(3)).containsExactly(blk(8000, 8500, shift));
    }

    private static int[] blk(int left, int right, int shift) {
        return new int[] {left + shift, right + shift};
    }

    @Test
    void mostRecentlyReceivedBlockFirstThenMostRecentFirst() {
        Receiver r = new Receiver(100_000, 0xFFFFFFF0);
        r.segment(100, 10);
        r.segment(300, 10);
        r.segment(500, 10);
        r.segment(700, 10);
        r.segment(900, 10);
        // Newest first; only `max` blocks (3 fit beside timestamps).
        assertThat(r.sack(3)).containsExactly(blk(900, 910, r.irs), blk(700, 710, r.irs), blk(500, 510, r.irs));
        r.segment(300, 10); // a duplicate inside an old block makes it the most recent
        assertThat(r.sack(4)).containsExactly(blk(300, 310, r.irs), blk(900, 910, r.irs), blk(700, 710, r.irs),
                blk(500, 510, r.irs));
        r.segment(110, 10); // extends the first range
        assertThat(r.sack(2)).containsExactly(blk(100, 120, r.irs), blk(300, 310, r.irs));
        assertThat(r.sack(0)).isEmpty();
    }

    @Test
    void rangeTableIsBounded() {
        Receiver r = new Receiver(new ReceiveBuffer(10_000, 2), 0xFFFFFF00);
        r.segment(100, 10);
        r.segment(300, 10);
        assertThat(r.segment(500, 10)).isZero();
        assertThat(r.sack(4)).as("third isolated range not stored")
                .containsExactly(blk(300, 310, r.irs), blk(100, 110, r.irs));
        r.segment(310, 90); // merging needs no new range: accepted
        r.segment(90, 10);
        assertThat(r.sack(4)).containsExactly(blk(90, 110, r.irs), blk(300, 400, r.irs));
        assertThat(r.segment(0, 90)).isEqualTo(110);
        assertThat(r.segment(110, 190)).isEqualTo(290);
        assertThat(r.rcvNxt).as("the dropped 500..510 is still missing").isEqualTo(r.irs + 400);
        assertThat(r.buf.hasOutOfOrder()).isFalse();
    }

    @Test
    void ringWrapsWithOutOfOrderData() {
        ReceiveBuffer b = new ReceiveBuffer(10);
        b.write(0, stream(0, 8), 0, 8);
        byte[] d = new byte[8];
        b.read(d, 0, 7);                   // read point 7, 1 readable
        assertThat(b.window()).isEqualTo(9);
        assertThat(b.write(3, stream(11, 5), 0, 5)).isZero(); // ring positions 1..5 (wrapped)
        assertThat(b.write(0, stream(8, 3), 0, 3)).isEqualTo(8);
        assertThat(b.readable()).isEqualTo(9);
        byte[] all = new byte[9];
        assertThat(b.read(all, 0, 9)).isEqualTo(9);
        assertThat(all).isEqualTo(stream(7, 9));
    }

    @Test
    void resizeKeepsReadableAndOutOfOrderData() {
        ReceiveBuffer b = new ReceiveBuffer(10);
        b.write(0, stream(0, 9), 0, 9);
        b.skip(6);                                  // 3 readable at ring 6..8
        b.write(2, stream(11, 4), 0, 4);            // out of order, wraps in the ring
        b.resize(40);
        assertThat(b.window()).isEqualTo(37);
        assertThat(b.write(0, stream(9, 2), 0, 2)).isEqualTo(6);
        byte[] d = new byte[9];
        assertThat(b.read(d, 0, 9)).isEqualTo(9);
        assertThat(d).isEqualTo(stream(6, 9));

        b.write(5, stream(20, 10), 0, 10);
        b.write(25, stream(40, 10), 0, 10);
        b.resize(20);                               // keeps [5, 15), drops [25, 35)
        int[] s = new int[4];
        int[] e = new int[4];
        assertThat(b.sackBlocks(s, e, 4)).isEqualTo(1);
        assertThat(new int[] {s[0], e[0]}).containsExactly(5, 15);
        assertThat(b.write(0, stream(15, 5), 0, 5)).isEqualTo(15);
        byte[] r = new byte[15];
        b.read(r, 0, 15);
        assertThat(r).isEqualTo(stream(15, 15));
        assertThatThrownBy(() -> new ReceiveBuffer(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resizeBelowReadableIsRefused() {
        ReceiveBuffer b = new ReceiveBuffer(10);
        b.write(0, stream(0, 8), 0, 8);
        assertThatThrownBy(() -> b.resize(7)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.capacity()).isEqualTo(10);
    }

    @Test
    void trimOnlyWhenEmpty() {
        ReceiveBuffer b = new ReceiveBuffer(100);
        b.write(5, stream(5, 5), 0, 5);
        assertThat(b.trim()).isFalse();
        b.write(0, stream(0, 5), 0, 5);
        assertThat(b.trim()).isFalse();
        b.skip(10);
        assertThat(b.trim()).isTrue();
        assertThat(b.isAllocated()).isFalse();
        assertThat(b.write(0, stream(10, 3), 0, 3)).isEqualTo(3);
    }

    @Test
    void argumentChecks() {
        ReceiveBuffer b = new ReceiveBuffer(100);
        assertThatThrownBy(() -> b.write(0, new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.read(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.skip(-1)).isInstanceOf(IllegalArgumentException.class);
        // Huge offsets and lengths do not overflow into the window.
        assertThat(b.write(Integer.MAX_VALUE, new byte[4], 0, 4)).isZero();
        assertThat(b.write(Integer.MIN_VALUE, new byte[4], 0, 4)).isZero();
        assertThat(b.isAllocated()).isFalse();
    }

    /**
     * Random segments (reordered, duplicated, overlapping, beyond the window) and random reads,
     * against a model that marks which stream positions are held.
     */
    @Property(tries = 300)
    void matchesAModelOfHeldBytes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int capacity,
                                  @ForAll int isn) {
        Random rnd = new Random(seed);
        int total = capacity * 4;
        Receiver r = new Receiver(new ReceiveBuffer(capacity, 1_000), isn);
        boolean[] held = new boolean[total + 1];
        long nxt = 0;        // model rcv.nxt as a stream position
        long readPos = 0;    // stream position of the next byte the app reads
        for (int step = 0; step < 400 && readPos < total; step++) {
            if (rnd.nextInt(4) == 0) {
                int want = rnd.nextInt(capacity + 1);
                byte[] d = new byte[want];
                int n = r.buf.read(d, 0, want);
                assertThat(n).isEqualTo((int) Math.min(want, nxt - readPos));
                assertThat(Arrays.copyOf(d, n)).isEqualTo(stream(readPos, n));
                readPos += n;
                continue;
            }
            long pos = rnd.nextInt(3) == 0 ? Math.max(0, nxt - rnd.nextInt(50)) : nxt + rnd.nextInt(capacity + 20);
            int len = 1 + rnd.nextInt(Math.max(1, capacity / 3));
            len = (int) Math.min(len, total - pos);
            if (len <= 0) {
                continue;
            }
            long window = capacity - (nxt - readPos);
            long from = Math.max(pos, nxt);
            long to = Math.min(pos + len, nxt + window);
            for (long p = from; p < to; p++) {
                held[(int) p] = true;
            }
            long newNxt = nxt;
            while (newNxt < total && held[(int) newNxt]) {
                newNxt++;
            }
            boolean storedOutOfOrder = from < to && from > nxt;
            assertThat(r.segment(pos, len)).isEqualTo((int) (newNxt - nxt));
            nxt = newNxt;
            assertThat(r.rcvNxt).isEqualTo(isn + (int) nxt);
            assertThat(r.buf.readable()).isEqualTo((int) (nxt - readPos));
            assertThat(r.buf.window()).isEqualTo(capacity - r.buf.readable()).isNotNegative();

            // The SACK blocks cover exactly the held bytes above rcv.nxt.
            int[] s = new int[1_000];
            int[] e = new int[1_000];
            int n = r.buf.sackBlocks(s, e, 1_000);
            boolean[] covered = new boolean[total + 1];
            for (int i = 0; i < n; i++) {
                assertThat(s[i]).isPositive().isLessThan(e[i]);
                assertThat(e[i]).isLessThanOrEqualTo(r.buf.window());
                for (int p = s[i]; p < e[i]; p++) {
                    covered[(int) (nxt + p)] = true;
                }
            }
            for (long p = nxt; p < total; p++) {
                assertThat(covered[(int) p]).as("position %d", p).isEqualTo(held[(int) p]);
            }
            if (storedOutOfOrder) { // RFC 2018 §4: the first block holds the segment just received
                assertThat(nxt + s[0]).isLessThanOrEqualTo(from);
                assertThat(nxt + e[0]).isGreaterThanOrEqualTo(to);
            }
        }
    }

    @Test
    void stagedBytesAreSummedAndNotReadableUntilWritten() {
        ReceiveBuffer b = new ReceiveBuffer(10);
        b.write(0, stream(0, 7), 0, 7);
        b.skip(7);                                   // the next in-order byte goes to ring index 7
        byte[] segment = stream(7, 6);               // ring 7..9, then wraps to 0..2
        assertThat(b.canStage(6)).isTrue();
        assertThat(b.stageInOrder(segment, 0, 6)).isEqualTo(TextbookChecksum.partial(segment, 0, 6, 0));
        assertThat(b.readable()).as("staged is not received").isZero();
        assertThat(b.window()).isEqualTo(10);

        // A write of the same bytes makes them readable (commitStaged would, without the copy).
        assertThat(b.write(0, segment, 0, 6)).isEqualTo(6);
        byte[] d = new byte[6];
        assertThat(b.read(d, 0, 6)).isEqualTo(6);
        assertThat(d).isEqualTo(stream(7, 6));
    }

    @Test
    void stagedBytesThatAreNotCommittedLeaveNoTrace() {
        ReceiveBuffer b = new ReceiveBuffer(16);
        byte[] bad = new byte[8];
        Arrays.fill(bad, (byte) 0x5A);
        b.stageInOrder(bad, 0, 8);                   // e.g. the checksum failed: the segment is dropped
        b.unstage();
        assertThat(b.readable()).isZero();
        assertThat(b.write(0, stream(0, 8), 0, 8)).isEqualTo(8);
        byte[] d = new byte[8];
        b.read(d, 0, 8);
        assertThat(d).as("a later segment's bytes, not the dropped one's").isEqualTo(stream(0, 8));

        // A write from another array (or at another offset) copies, even right after staging.
        b.stageInOrder(new byte[5], 0, 4);
        byte[] other = stream(8, 5);
        assertThat(b.write(0, other, 1, 4)).isEqualTo(4);
        b.read(d, 0, 4);
        assertThat(Arrays.copyOf(d, 4)).isEqualTo(stream(9, 4));
    }

    @Test
    void resizeAndTrimForgetStagedBytesAndTheWriteCopiesAgain() {
        ReceiveBuffer b = new ReceiveBuffer(16);
        b.stageInOrder(stream(0, 8), 0, 8);
        b.resize(32);                                // a new ring: the staged copy is gone
        byte[] src = stream(0, 8);
        assertThat(b.write(0, src, 0, 8)).isEqualTo(8);
        byte[] d = new byte[8];
        b.read(d, 0, 8);
        assertThat(d).isEqualTo(stream(0, 8));

        byte[] src2 = stream(8, 4);
        b.stageInOrder(src2, 0, 4);
        assertThat(b.trim()).isTrue();               // nothing readable: the ring is given back
        assertThat(b.write(0, src2, 0, 4)).isEqualTo(4);
        b.read(d, 0, 4);
        assertThat(Arrays.copyOf(d, 4)).isEqualTo(stream(8, 4));
    }

    @Test
    void stagingNeedsNoHolesAndRoomForAllOfIt() {
        ReceiveBuffer b = new ReceiveBuffer(10);
        assertThat(b.canStage(0)).isFalse();
        assertThat(b.canStage(11)).isFalse();
        assertThat(b.canStage(10)).isTrue();
        b.write(4, stream(4, 2), 0, 2);              // out of order: staging could overwrite it
        assertThat(b.canStage(1)).isFalse();
        assertThatThrownBy(() -> b.stageInOrder(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void commitStagedMakesTheStagedCopyReadableWithoutCopyingAgain() {
        ReceiveBuffer b = new ReceiveBuffer(10);
        b.write(0, stream(0, 7), 0, 7);
        b.skip(7);                                   // the staged bytes wrap the ring
        byte[] segment = stream(7, 6);
        b.stageInOrder(segment, 0, 6);
        Arrays.fill(segment, (byte) 0);              // the source changes: the ring keeps the staged copy
        assertThat(b.commitStaged(6)).isEqualTo(6);
        byte[] d = new byte[6];
        assertThat(b.read(d, 0, 6)).isEqualTo(6);
        assertThat(d).isEqualTo(stream(7, 6));
        assertThat(b.commitStaged(6)).as("committed once").isEqualTo(-1);
    }

    @Test
    void commitStagedRefusesAStageThatWasForgotten() {
        ReceiveBuffer b = new ReceiveBuffer(16);
        b.stageInOrder(stream(0, 8), 0, 8);
        assertThat(b.commitStaged(4)).as("another length").isEqualTo(-1);
        b.resize(32);
        assertThat(b.commitStaged(8)).as("after resize").isEqualTo(-1);
        b.stageInOrder(stream(0, 8), 0, 8);
        b.write(0, stream(0, 2), 0, 2);
        assertThat(b.commitStaged(8)).as("after a write").isEqualTo(-1);
        b.stageInOrder(stream(2, 4), 0, 4);
        b.unstage();
        assertThat(b.commitStaged(4)).as("after unstage").isEqualTo(-1);
        assertThat(b.readable()).isEqualTo(2);
    }
}
