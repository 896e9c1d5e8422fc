package org.jnetstack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.jnetstack.loop.VirtualClock;
import org.jnetstack.testing.Allocations;
import org.junit.jupiter.api.Test;

/** Per-purpose keys: independent, reproducible only with a seed, and allocation-free to use. */
class StackSecretsTest {

    @Test
    void seededKeysAreReproducibleAndDifferPerPurposeAndPerCall() {
        StackSecrets s1 = StackSecrets.seeded(42);
        StackSecrets s2 = StackSecrets.of(OptionalLong.of(42));
        assertThat(s1.isSeeded()).isTrue();
        assertThat(s1.newPrf("tcp.isn").hash(1)).isEqualTo(s2.newPrf("tcp.isn").hash(1));
        assertThat(s1.newPrf("tcp.isn").hash(1)).as("a second key of one purpose is a new key")
                .isEqualTo(s2.newPrf("tcp.isn").hash(1))
                .isNotEqualTo(StackSecrets.seeded(42).newPrf("tcp.isn").hash(1));
        Set<Long> values = new HashSet<>();
        StackSecrets s = StackSecrets.seeded(42);
        for (String purpose : new String[] {"tcp.isn", "tcp.syncookie", "port.offset", "port.index", "dhcp.xid", "dns.id"}) {
            values.add(s.newPrf(purpose).hash(1));
        }
        values.add(StackSecrets.seeded(43).newPrf("tcp.isn").hash(1));
        assertThat(values).as("every purpose and seed its own key").hasSize(7);
    }

    @Test
    void unseededKeysDifferEveryTime() {
        StackSecrets s = StackSecrets.of(OptionalLong.empty());
        assertThat(s.isSeeded()).isFalse();
        assertThat(s.newPrf("tcp.isn").hash(1)).isNotEqualTo(StackSecrets.secure().newPrf("tcp.isn").hash(1));
    }

    @Test
    void aStreamIsThePrfOfACounterAndNotAGeneratorSeededFromTheSeed() {
        RandomGenerator xids = StackSecrets.seeded(5).newStream("dhcp.xid");
        RandomGenerator ids = StackSecrets.seeded(5).newStream("dns.id");
        long[] x = new long[8];
        long[] d = new long[8];
        for (int i = 0; i < 8; i++) {
            x[i] = xids.nextLong();
            d[i] = ids.nextLong();
        }
        assertThat(x).doesNotContain(d);
        // The old source: outputs of SplittableRandom(seed), which anyone who saw two of them could continue.
        SplittableRandom old = new SplittableRandom(5);
        for (int i = 0; i < 64; i++) {
            long v = old.nextLong();
            assertThat(x).doesNotContain(v);
            assertThat(d).doesNotContain(v);
        }
        RandomGenerator again = StackSecrets.seeded(5).newStream("dhcp.xid");
        assertThat(again.nextLong()).isEqualTo(x[0]);
    }

    @Test
    void wordHashesAreTheHashOfTheirLittleEndianBytes() {
        SipHash h = new SipHash(0x0706050403020100L, 0x0F0E0D0C0B0A0908L);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 100; i++) {
            long a = r.nextLong();
            long b = r.nextLong();
            long c = r.nextLong();
            ByteBuffer buf = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(a).putLong(b).putLong(c);
            byte[] bytes = buf.array();
            assertThat(h.hash(a)).isEqualTo(h.hash(bytes, 0, 8));
            assertThat(h.hash(a, b)).isEqualTo(h.hash(bytes, 0, 16));
            assertThat(h.hash(a, b, c)).isEqualTo(h.hash(bytes, 0, 24));
        }
        // The paper's vector for the 15-byte message 00..0e.
        byte[] msg = new byte[15];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) i;
        }
        assertThat(h.hash(msg, 0, 15)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void streamsAndPrfsAllocateNothing() {
        RandomGenerator stream = StackSecrets.seeded(1).newStream("x");
        SipHash prf = StackSecrets.seeded(1).newPrf("y");
        long bytes = Allocations.leastAllocatedBy(5, () -> {
            long acc = 0;
            for (int i = 0; i < 10_000; i++) {
                acc += stream.nextInt(0x10000) + prf.hashTuple(i, 80, ~i, 443) + prf.hash(i, i, i);
            }
            return acc | 1;
        });
        assertThat(bytes).isZero();
    }

    @Test
    void theRandomizedBudgetVariesBetweenHalfAndOneAndAHalfTimesTheRate() {
        VirtualClock clock = new VirtualClock();
        RandomizedRateLimiter limiter = new RandomizedRateLimiter(clock, 100, StackSecrets.seeded(3).newStream("t"));
        Set<Integer> budgets = new HashSet<>();
        long total = 0;
        for (int second = 0; second < 50; second++) {
            int n = 0;
            while (limiter.tryAcquire()) {
                n++;
            }
            assertThat(n).isBetween(50, 149);
            budgets.add(n);
            total += n;
            clock.advance(1_000_000_000L);
        }
        assertThat(budgets).hasSizeGreaterThan(25);
        assertThat(total / 50.0).isBetween(85.0, 115.0);
        RandomizedRateLimiter one = new RandomizedRateLimiter(clock, 1, StackSecrets.seeded(3).newStream("t"));
        assertThat(one.tryAcquire()).as("at least one a second").isTrue();
    }
}
