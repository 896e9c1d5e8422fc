package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.stats.Counters;
import org.junit.jupiter.api.Test;

/** The bounds of the echo requests in flight: in all, per guest, in time; and replies matched only to their request. */
class EchoTableTest {
    static final long G1 = 0xfd00_0000_0000_0000L;
    static final long OUT = 0x2001_0db8_0000_0000L;
    final Counters counters = new Counters();
    final EchoTable t = new EchoTable(counters.counter("expired"));

    @Test
    void aReplyFindsItsRequestOnceAndOnlyFromTheAddressPinged() {
        int a = t.add(0, G1, 0x15, OUT, 7, 0x4a4e, 1);
        int b = t.add(0, G1, 0x16, OUT, 8, 0x1234, 9);
        assertThat(b).isEqualTo((a + 1) & 0xFFFF);
        assertThat(t.take(1, b, OUT, 7)).as("from another address than b went to").isEqualTo(-1);
        int s = t.take(1, b, OUT, 8);
        assertThat(s).isNotNegative();
        assertThat(t.guestLo(s)).isEqualTo(0x16);
        assertThat(t.identifier(s)).isEqualTo(0x1234);
        assertThat(t.sequence(s)).isEqualTo(9);
        assertThat(t.destinationLo(s)).isEqualTo(8);
        assertThat(t.take(1, b, OUT, 8)).as("a repeated reply").isEqualTo(-1);
        assertThat(t.take(1, (a + 2) & 0xFFFF, OUT, 7)).as("a number never sent").isEqualTo(-1);
        assertThat(t.take(1, a, OUT, 7)).isNotNegative();
        assertThat(t.live()).isZero();
    }

    @Test
    void oneGuestHoldsAtMostPerGuestRequestsAndTheOthersStillGetIn() {
        for (int i = 0; i < EchoTable.PER_GUEST; i++) {
            assertThat(t.add(0, G1, 0x15, OUT, 1, 1, i)).isNotNegative();
        }
        assertThat(t.add(0, G1, 0x15, OUT, 1, 1, 999)).isEqualTo(EchoTable.GUEST_LIMIT);
        assertThat(t.add(0, G1, 0x16, OUT, 1, 1, 0)).as("another guest").isNotNegative();
        assertThat(t.live()).isEqualTo(EchoTable.PER_GUEST + 1);
    }

    @Test
    void theTableHoldsAtMostSlotsRequestsUntilTheyExpire() {
        int guests = EchoTable.SLOTS / EchoTable.PER_GUEST;
        for (int g = 0; g < guests; g++) {
            for (int i = 0; i < EchoTable.PER_GUEST; i++) {
                assertThat(t.add(g == 0 ? 0 : 1, G1, g, OUT, 1, 1, i)).isNotNegative();
            }
        }
        assertThat(t.live()).isEqualTo(EchoTable.SLOTS);
        assertThat(t.add(100, G1, 99, OUT, 1, 1, 0)).isEqualTo(EchoTable.FULL);
        assertThat(t.add(EchoTable.EXPIRY_NANOS - 1, G1, 99, OUT, 1, 1, 0)).as("not expired yet").isEqualTo(EchoTable.FULL);
        // The first guest's requests (sent at 0) expire first; a late reply to one of them matches nothing.
        long later = EchoTable.EXPIRY_NANOS;
        assertThat(t.add(later, G1, 99, OUT, 1, 1, 0)).isNotNegative();
        assertThat(counters.get("expired")).isEqualTo(EchoTable.PER_GUEST);
        assertThat(t.take(later, 0, OUT, 1)).as("the reply to request 0, after it expired").isEqualTo(-1);
        assertThat(t.live()).isEqualTo(EchoTable.SLOTS - EchoTable.PER_GUEST + 1);
        assertThat(t.add(later, G1, 0, OUT, 1, 1, 0)).as("the first guest again").isNotNegative();
        // Everything expires in the end: the table is empty but for the newest, and takes requests again.
        assertThat(t.add(later + 1 + EchoTable.EXPIRY_NANOS, G1, 0, OUT, 1, 1, 0)).isNotNegative();
        assertThat(t.live()).isEqualTo(1);
        assertThat(counters.get("expired")).isEqualTo(EchoTable.SLOTS + 2);
    }

    @Test
    void aRequestThatCouldNotBeSentHoldsNoSlot() {
        int n = t.add(0, G1, 1, OUT, 1, 1, 1);
        t.forget(n);
        assertThat(t.live()).isZero();
        assertThat(t.take(0, n, OUT, 1)).isEqualTo(-1);
    }

    @Test
    void numbersWrapAtSixteenBitsAndStillMatch() {
        for (int i = 0; i < 70_000; i++) {
            long now = i * (EchoTable.EXPIRY_NANOS / 30); // an unanswered request expires 30 requests later
            int n = t.add(now, G1, 1, OUT, 1, 1, i & 0xFFFF);
            assertThat(n).isEqualTo(i & 0xFFFF);
            if (i % 3 != 0) {
                int s = t.take(now, n, OUT, 1);
                assertThat(s).isNotNegative();
                assertThat(t.sequence(s)).isEqualTo(i & 0xFFFF);
            }
        }
        assertThat(t.live()).as("the unanswered of the last 30").isBetween(9, 11);
    }
}
