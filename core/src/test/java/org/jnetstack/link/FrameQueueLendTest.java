package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A frame lent to a queue ({@link FrameQueue#lend}) is never kept past {@link FrameQueue#endLoan}. */
class FrameQueueLendTest {
    private final List<byte[]> drained = new ArrayList<>();
    private final FrameHandler collect = (buf, off, len) -> drained.add(Arrays.copyOfRange(buf, off, off + len));

    @Test
    void aConsumedLoanLeavesNothingBehindAndIsNeverHandedOutAsASpare() {
        FrameQueue q = new FrameQueue(4);
        byte[] lent = new byte[4000];
        Arrays.fill(lent, (byte) 7);
        assertThat(q.lend(lent, 100, 2000, 0)).isTrue();
        assertThat(q.lend(new byte[10], 0, 10, 0)).as("only to an empty queue").isFalse();
        assertThat(q.drainTo(collect, 1, null)).isEqualTo(1);
        q.endLoan();
        assertThat(drained.get(0)).hasSize(2000).containsOnly((byte) 7);
        assertThat(q.size()).isZero();
        // An exchange afterwards gets a new buffer, not the lent one (which is its sender's again).
        byte[] big = new byte[4000];
        byte[] replacement = q.offerExchanging(big, 0, 4000);
        assertThat(replacement).isNotSameAs(lent).isNotSameAs(big);
    }

    @Test
    void aLoanStillQueuedWhenItEndsIsCopiedFirst() {
        FrameQueue q = new FrameQueue(4);
        byte[] lent = {1, 2, 3, 4, 5, 6};
        assertThat(q.lend(lent, 1, 4, 0)).isTrue();
        q.offer(new byte[] {9, 9}, 0, 2); // another frame behind it
        q.endLoan();
        Arrays.fill(lent, (byte) 0); // the sender reuses its buffer
        assertThat(q.drainTo(collect, 8, null)).isEqualTo(2);
        assertThat(drained.get(0)).containsExactly(2, 3, 4, 5);
        assertThat(drained.get(1)).containsExactly(9, 9);
    }
}
