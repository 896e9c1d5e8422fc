package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** RFC 6675 §4's IsLost, SetPipe and NextSeg, with sequence numbers that cross 2^32. */
class SackScoreboardTest {
    private static final int MSS = 1000;
    /** Ten 1000-byte segments S0..S9 from here; S4 (0xFFFFF000 + 4000 = 0x00000FA0) is past the wrap. */
    private static final int UNA = 0xFFFFF000;
    private static final int NXT = UNA + 10 * MSS;

    private static int seg(int i) {
        return UNA + i * MSS;
    }

    /** SACKs segments (each index one segment) in one ACK with cumulative ACK UNA. */
    private static SackScoreboard sacked(int... segments) {
        SackScoreboard sb = new SackScoreboard();
        for (int i : segments) {
            sb.update(UNA, NXT, new int[] {seg(i)}, new int[] {seg(i + 1)}, 1);
        }
        return sb;
    }

    private static List<int[]> ranges(SackScoreboard sb) {
        int[] s = new int[100];
        int[] e = new int[100];
        int n = sb.ranges(s, e);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new int[] {s[i], e[i]});
        }
        return out;
    }

    @Test
    void updateMergesAndFiltersBlocks() {
        SackScoreboard sb = new SackScoreboard();
        assertThat(sb.isEmpty()).isTrue();
        sb.update(UNA, NXT,
                new int[] {seg(2), seg(4), UNA - 500, seg(8), seg(6)},
                new int[] {seg(3), seg(5), UNA, seg(11), seg(6)}, 5);
        // below cumAck (D-SACK), beyond snd.nxt and empty blocks are ignored
        assertThat(ranges(sb)).containsExactly(new int[] {seg(2), seg(3)}, new int[] {seg(4), seg(5)});
        sb.update(UNA, NXT, new int[] {seg(3)}, new int[] {seg(4)}, 1); // fills the gap: one range
        assertThat(ranges(sb)).containsExactly(new int[] {seg(2), seg(5)});
        sb.update(UNA, NXT, new int[] {UNA - 100}, new int[] {seg(1)}, 1); // straddles cumAck: kept from it
        assertThat(ranges(sb)).containsExactly(new int[] {UNA, seg(1)}, new int[] {seg(2), seg(5)});
        sb.update(UNA, NXT, new int[] {seg(3) + 10}, new int[] {seg(4) - 10}, 1); // D-SACK inside a range
        assertThat(ranges(sb)).hasSize(2);
        assertThat(sb.highestSacked()).isEqualTo(seg(5));
        assertThat(sb.isSacked(seg(0))).isTrue();
        assertThat(sb.isSacked(seg(1))).isFalse();
        assertThat(sb.isSacked(seg(5) - 1)).isTrue();
        assertThat(sb.isSacked(seg(5))).isFalse();
        assertThat(sb.sackedBytesAbove(seg(3) + 1)).isEqualTo(1999);
        assertThat(sb.sackedBytesAbove(UNA)).isEqualTo(4000);
    }

    @Test
    void advanceDropsAndClips() {
        SackScoreboard sb = sacked(2, 3, 6);
        sb.advance(seg(3) + 500); // the cumulative ACK reaches into the first range
        assertThat(ranges(sb)).containsExactly(new int[] {seg(3) + 500, seg(4)}, new int[] {seg(6), seg(7)});
        sb.advance(seg(7));
        assertThat(sb.isEmpty()).isTrue();
        assertThatThrownBy(sb::highestSacked).isInstanceOf(IllegalStateException.class);
        SackScoreboard again = sacked(5);
        again.update(seg(6), NXT, new int[0], new int[0], 0); // an ACK past every SACK clears them
        assertThat(again.isEmpty()).isTrue();
    }

    @Test
    void boundedRangesForgetTheHighest() {
        SackScoreboard sb = new SackScoreboard(2);
        sb.update(UNA, NXT, new int[] {seg(2), seg(6)}, new int[] {seg(3), seg(7)}, 2);
        sb.update(UNA, NXT, new int[] {seg(8)}, new int[] {seg(9)}, 1); // highest and new: dropped
        assertThat(ranges(sb)).containsExactly(new int[] {seg(2), seg(3)}, new int[] {seg(6), seg(7)});
        sb.update(UNA, NXT, new int[] {seg(4)}, new int[] {seg(5)}, 1); // lower: the highest goes
        assertThat(ranges(sb)).containsExactly(new int[] {seg(2), seg(3)}, new int[] {seg(4), seg(5)});
        sb.update(UNA, NXT, new int[] {seg(3)}, new int[] {seg(4)}, 1); // merging needs no room
        assertThat(ranges(sb)).containsExactly(new int[] {seg(2), seg(5)});
    }

    @Test
    void isLostByBytes() {
        // Only (DupThresh-1)*SMSS = 2000 bytes SACKed above S0: not yet lost.
        SackScoreboard sb = sacked(2, 3);
        assertThat(sb.isLost(seg(0), MSS)).isFalse();
        // A third SACKed segment: 3000 > 2000 bytes above S0 and S1.
        sb = sacked(2, 3, 4);
        assertThat(sb.rangeCount()).isEqualTo(1);
        assertThat(sb.isLost(seg(0), MSS)).isTrue();
        assertThat(sb.isLost(seg(1) + 999, MSS)).isTrue();
        assertThat(sb.isLost(seg(5), MSS)).isFalse();
    }

    @Test
    void isLostByDiscontiguousRanges() {
        int bigMss = 100_000; // the byte rule can never fire
        SackScoreboard sb = sacked(2, 4, 6);
        assertThat(sb.isLost(seg(0), bigMss)).isTrue();  // three ranges above
        assertThat(sb.isLost(seg(1), bigMss)).isTrue();
        assertThat(sb.isLost(seg(3), bigMss)).isFalse(); // two ranges above
        assertThat(sb.isLost(seg(5), bigMss)).isFalse();
        assertThat(sacked(2, 4).isLost(seg(0), bigMss)).isFalse();
    }

    @Test
    void pipeFollowsSetPipe() {
        assertThat(new SackScoreboard().pipe(UNA, NXT, UNA, MSS)).as("no SACKs: all in flight").isEqualTo(10_000);
        SackScoreboard sb = sacked(2, 4, 6);
        // S0, S1 lost; S2, S4, S6 SACKed; S3, S5, S7, S8, S9 in flight.
        assertThat(sb.pipe(UNA, NXT, UNA, MSS)).isEqualTo(5000);
        // After retransmitting S0 (HighRxt just past S0): S0 counts again.
        assertThat(sb.pipe(UNA, NXT, seg(1), MSS)).isEqualTo(6000);
        // Retransmitted S0 and S1 (S2 was skipped, SACKed): 2000 more.
        assertThat(sb.pipe(UNA, NXT, seg(3), MSS)).isEqualTo(7000);
        // Retransmitting S3 (not lost) counts it twice, as the RFC notes.
        assertThat(sb.pipe(UNA, NXT, seg(4), MSS)).isEqualTo(8000);
        assertThat(sb.pipe(UNA, UNA, UNA, MSS)).isZero();
        assertThat(sb.pipe(UNA, NXT, UNA - 5000, MSS)).as("HighRxt below snd.una reads as snd.una").isEqualTo(5000);
    }

    @Test
    void nextSegFollowsTheRules() {
        SackScoreboard sb = sacked(2, 4, 6);
        // Rule 1: lowest lost un-SACKed byte above HighRxt.
        assertThat(SackScoreboard.isFound(sb.nextSeg(UNA, NXT, UNA, MSS, true))).isTrue();
        assertThat((int) sb.nextSeg(UNA, NXT, UNA, MSS, true)).isEqualTo(seg(0));
        assertThat((int) sb.nextSeg(UNA, NXT, seg(1), MSS, true)).isEqualTo(seg(1));
        assertThat(sb.unsackedLength(seg(1), 1460)).isEqualTo(1000);
        assertThat(sb.unsackedLength(seg(1) + 900, 1460)).isEqualTo(100);
        assertThat(sb.unsackedLength(seg(2), 1460)).isZero();
        assertThat(sb.unsackedLength(seg(7), 1460)).isEqualTo(1460);
        // S3 is not lost (only two ranges, 2000 bytes above): rule 2 sends new data ...
        assertThat((int) sb.nextSeg(UNA, NXT, seg(2), MSS, true)).isEqualTo(NXT);
        // ... and without new data, rule 3 retransmits S3 anyway.
        assertThat((int) sb.nextSeg(UNA, NXT, seg(2), MSS, false)).isEqualTo(seg(3));
        // Nothing un-SACKed below the highest SACKed byte above HighRxt: rule 2 or nothing.
        assertThat((int) sb.nextSeg(UNA, NXT, seg(7), MSS, true)).isEqualTo(NXT);
        assertThat(sb.nextSeg(UNA, NXT, seg(7), MSS, false)).isEqualTo(-1L);
        assertThat(new SackScoreboard().nextSeg(UNA, NXT, UNA, MSS, false)).isEqualTo(-1L);
        assertThat((int) new SackScoreboard().nextSeg(UNA, NXT, UNA, MSS, true)).isEqualTo(NXT);
        // NXT = 0x00001710 is "greater" than 0xFFFFF000 only modulo 2^32.
        assertThat(Integer.compareUnsigned(NXT, UNA)).isNegative();
    }

    @Test
    void firstUnsackedSkipsSackedRanges() {
        SackScoreboard sb = sacked(2, 3, 6);
        assertThat(sb.firstUnsackedAtOrAbove(seg(0))).isEqualTo(seg(0));
        assertThat(sb.firstUnsackedAtOrAbove(seg(2))).isEqualTo(seg(4));
        assertThat(sb.firstUnsackedAtOrAbove(seg(3) + 500)).isEqualTo(seg(4)); // 0x00000BB8 after the wrap
        assertThat(sb.firstUnsackedAtOrAbove(seg(6))).isEqualTo(seg(7));
        assertThat(sb.firstUnsackedAtOrAbove(seg(8))).isEqualTo(seg(8));
    }

    /** Random SACK histories against the RFC's definitions applied octet by octet to a bitmap. */
    @Property(tries = 500)
    void matchesTheOctetByOctetDefinitions(@ForAll long seed, @ForAll int una,
                                           @ForAll @IntRange(min = 1, max = 200) int flight,
                                           @ForAll @IntRange(min = 1, max = 40) int mss) {
        Random r = new Random(seed);
        int nxt = una + flight;
        SackScoreboard sb = new SackScoreboard(1_000);
        boolean[] sacked = new boolean[flight];
        for (int ack = 0; ack < 1 + r.nextInt(12); ack++) {
            int n = 1 + r.nextInt(4);
            int[] s = new int[n];
            int[] e = new int[n];
            for (int i = 0; i < n; i++) {
                s[i] = una + r.nextInt(flight + 20) - 10;
                e[i] = s[i] + r.nextInt(30) - 2;
                int from = Math.max(s[i] - una, 0);
                boolean valid = e[i] - s[i] > 0 && e[i] - una > 0 && e[i] - nxt <= 0;
                for (int p = from; valid && p < e[i] - una; p++) {
                    sacked[p] = true;
                }
            }
            sb.update(una, nxt, s, e, n);
        }
        for (int p = 0; p < flight; p++) {
            assertThat(sb.isSacked(una + p)).isEqualTo(sacked[p]);
            assertThat(sb.isLost(una + p, mss)).as("IsLost(%d)", p).isEqualTo(refIsLost(sacked, p, mss));
        }
        int highRxtOff = r.nextInt(flight + 1);
        int highRxt = una + highRxtOff;
        int pipe = 0;
        for (int p = 0; p < flight; p++) {
            if (!sacked[p]) {
                pipe += refIsLost(sacked, p, mss) ? 0 : 1;
                pipe += p < highRxtOff ? 1 : 0;
            }
        }
        assertThat(sb.pipe(una, nxt, highRxt, mss)).isEqualTo(pipe);

        boolean newData = r.nextBoolean();
        long expected = refNextSeg(sacked, highRxtOff, mss, newData);
        long actual = sb.nextSeg(una, nxt, highRxt, mss, newData);
        if (expected < 0) {
            assertThat(actual).isEqualTo(-1L);
        } else {
            assertThat(actual).isEqualTo((1L << 32) | ((una + (int) expected) & 0xFFFFFFFFL));
        }
    }

    private static boolean refIsLost(boolean[] sacked, int p, int mss) {
        int runs = 0;
        int bytes = 0;
        for (int q = p + 1; q < sacked.length; q++) {
            if (sacked[q]) {
                bytes++;
                if (!sacked[q - 1]) {
                    runs++; // a SACKed range starting above p
                }
            }
        }
        return runs >= 3 || bytes > 2 * mss;
    }

    /** Offset of NextSeg per RFC 6675 §4 rules 1-3, or -1. */
    private static long refNextSeg(boolean[] sacked, int highRxtOff, int mss, boolean newData) {
        int highest = -1;
        for (int p = 0; p < sacked.length; p++) {
            if (sacked[p]) {
                highest = p;
            }
        }
        for (int p = highRxtOff; p < highest; p++) {
            if (!sacked[p] && refIsLost(sacked, p, mss)) {
                return p;
            }
        }
        if (newData) {
            return sacked.length;
        }
        for (int p = highRxtOff; p < highest; p++) {
            if (!sacked[p]) {
                return p;
            }
        }
        return -1;
    }
}
