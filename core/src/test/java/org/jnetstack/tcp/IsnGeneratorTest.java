package org.jnetstack.tcp;

import org.jnetstack.testing.Allocations;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.jnetstack.loop.VirtualClock;
import org.junit.jupiter.api.Test;

class IsnGeneratorTest {
    private static final int LOCAL = 0x0A000001;  // 10.0.0.1
    private static final int REMOTE = 0x0A000002; // 10.0.0.2

    /** The reference vectors of the SipHash paper: key 00..0f, message 00..n-1. */
    private static final long[] SIPHASH_VECTORS = {
        0x726fdb47dd0e0e31L, 0x74f839c593dc67fdL, 0x0d6c8009d9a94f5aL, 0x85676696d7fb7e2dL,
        0xcf2794e0277187b7L, 0x18765564cd99a68dL, 0xcbc9466e58fee3ceL, 0xab0200f58b01d137L,
        0x93f5f5799a932462L, 0x9e0082df0ba9e4b0L, 0x7a5dbbc594ddb9f3L, 0xf4b32f46226bada7L,
        0x751e8fbc860ee5fbL, 0x14ea5627c0843d90L, 0xf723ca908e7af2eeL, 0xa129ca6149be45e5L,
        0x3f2acc7f57c29bdbL,
    };
    private static final long KEY0 = 0x0706050403020100L;
    private static final long KEY1 = 0x0F0E0D0C0B0A0908L;

    @Test
    void sipHashMatchesTheReferenceVectors() {
        IsnGenerator g = new IsnGenerator(KEY0, KEY1, new VirtualClock());
        byte[] msg = new byte[16];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) i;
        }
        for (int n = 0; n < SIPHASH_VECTORS.length; n++) {
            assertThat(g.hash(msg, 0, n)).as("length %d", n).isEqualTo(SIPHASH_VECTORS[n]);
        }
    }

    @Test
    void fourTupleIsHashedAsTwelveBytesInNetworkOrder() {
        IsnGenerator g = new IsnGenerator(KEY0, KEY1, new VirtualClock());
        // Bytes 00..0b as a 4-tuple: 0.1.2.3 port 0x0405, 6.7.8.9 port 0x0a0b -> vector 12.
        assertThat(g.offset(0x00010203, 0x0405, 0x06070809, 0x0A0B)).isEqualTo((int) 0x751e8fbc860ee5fbL);
        Random r = new Random(7);
        for (int i = 0; i < 1000; i++) {
            int li = r.nextInt();
            int lp = r.nextInt(65536);
            int ri = r.nextInt();
            int rp = r.nextInt(65536);
            byte[] b = {(byte) (li >>> 24), (byte) (li >>> 16), (byte) (li >>> 8), (byte) li,
                (byte) (lp >>> 8), (byte) lp,
                (byte) (ri >>> 24), (byte) (ri >>> 16), (byte) (ri >>> 8), (byte) ri,
                (byte) (rp >>> 8), (byte) rp};
            assertThat(g.offset(li, lp, ri, rp)).isEqualTo((int) g.hash(b, 0, 12));
        }
    }

    @Test
    void differsPerFourTuple() {
        IsnGenerator g = new IsnGenerator(new SplittableRandom(1), new VirtualClock());
        Set<Integer> seen = new HashSet<>();
        seen.add(g.next(LOCAL, 80, REMOTE, 40000));
        seen.add(g.next(LOCAL, 80, REMOTE, 40001));   // remote port
        seen.add(g.next(LOCAL, 81, REMOTE, 40000));   // local port
        seen.add(g.next(LOCAL, 80, REMOTE + 1, 40000)); // remote address
        seen.add(g.next(LOCAL + 1, 80, REMOTE, 40000)); // local address
        seen.add(g.next(REMOTE, 40000, LOCAL, 80));   // the mirror tuple
        assertThat(seen).hasSize(6);
        // Neighbouring ports do not give neighbouring ISNs (an attacker learns nothing from its own).
        int a = g.next(LOCAL, 80, REMOTE, 40000);
        int b = g.next(LOCAL, 80, REMOTE, 40001);
        assertThat(Math.abs((long) a - b)).isGreaterThan(1_000_000L);
        Set<Integer> many = new HashSet<>();
        for (int port = 1024; port < 1024 + 5000; port++) {
            many.add(g.next(LOCAL, 80, REMOTE, port));
        }
        assertThat(many).hasSizeGreaterThan(4990);
    }

    @Test
    void advancesWithTheFourMicrosecondClockForOneTuple() {
        VirtualClock clock = new VirtualClock();
        IsnGenerator g = new IsnGenerator(new SplittableRandom(2), clock);
        int first = g.next(LOCAL, 80, REMOTE, 40000);
        assertThat(g.next(LOCAL, 80, REMOTE, 40000)).as("same instant, same ISN").isEqualTo(first);
        clock.advance(3_999);
        assertThat(g.next(LOCAL, 80, REMOTE, 40000)).isEqualTo(first);
        clock.advance(1);
        assertThat(g.next(LOCAL, 80, REMOTE, 40000)).isEqualTo(first + 1);
        int prev = first + 1;
        for (int i = 0; i < 100; i++) {
            clock.advance(1_000_000); // 1 ms = 250 ticks
            int now = g.next(LOCAL, 80, REMOTE, 40000);
            assertThat(now - prev).isEqualTo(250);
            assertThat(Seq.gt(now, prev)).isTrue();
            prev = now;
        }
    }

    @Test
    void monotonicAcrossTheSequenceWrap() {
        // Find a key whose offset puts this tuple's ISN just below 2^32 at time 0.
        VirtualClock clock = new VirtualClock();
        IsnGenerator g = new IsnGenerator(new SplittableRandom(3), clock);
        int isn0 = g.next(LOCAL, 80, REMOTE, 40000);
        long toWrap = 0x1_0000_0000L - (isn0 & 0xFFFFFFFFL); // ticks until the ISN wraps
        clock.advance((toWrap - 10) * IsnGenerator.TICK_NANOS);
        int before = g.next(LOCAL, 80, REMOTE, 40000);
        assertThat(before).isEqualTo(-10); // 0xFFFFFFF6
        clock.advance(20 * IsnGenerator.TICK_NANOS);
        int after = g.next(LOCAL, 80, REMOTE, 40000);
        assertThat(after).isEqualTo(10);
        assertThat(Seq.gt(after, before)).isTrue();
    }

    @Test
    void deterministicForASeed() {
        VirtualClock c1 = new VirtualClock();
        VirtualClock c2 = new VirtualClock();
        IsnGenerator g1 = new IsnGenerator(new SplittableRandom(42), c1);
        IsnGenerator g2 = new IsnGenerator(new SplittableRandom(42), c2);
        IsnGenerator other = new IsnGenerator(new SplittableRandom(43), c1);
        c1.advance(123_456_789);
        c2.advance(123_456_789);
        assertThat(g1.next(LOCAL, 1234, REMOTE, 80)).isEqualTo(g2.next(LOCAL, 1234, REMOTE, 80));
        assertThat(g1.next(LOCAL, 1234, REMOTE, 80)).isNotEqualTo(other.next(LOCAL, 1234, REMOTE, 80));
    }

    @Test
    void allocatesNothing() {
        IsnGenerator g = new IsnGenerator(new SplittableRandom(5), new VirtualClock());
        long bytes = Allocations.leastAllocatedBy(5, () -> {
            long acc = 0;
            for (int i = 0; i < 10_000; i++) {
                acc += g.next(LOCAL, i & 0xFFFF, REMOTE, 80) | 1L << 40; // never 0
            }
            return acc;
        });
        assertThat(bytes).isZero();
    }
}
