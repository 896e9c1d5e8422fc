package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jnetstack.testing.Nanos.MS;

import org.jnetstack.util.RttEstimator;
import org.junit.jupiter.api.Test;

/** RFC 6298 with numbers worked by hand. All times in nanoseconds. */
class RttEstimatorTest {
    private static final long S = 1_000 * MS;

    private static RttEstimator linuxLike() {
        return new RttEstimator(1 * S, 200 * MS, 60 * S, 1 * MS);
    }

    @Test
    void beforeAnySampleTheInitialRto() {
        RttEstimator e = linuxLike();
        assertThat(e.hasSample()).isFalse();
        assertThat(e.rto()).isEqualTo(1 * S); // §2.1
        assertThat(e.srtt()).isZero();
    }

    @Test
    void firstSampleThenSecond() {
        RttEstimator e = linuxLike();
        e.sample(100 * MS);
        // §2.2: SRTT = R = 100, RTTVAR = R/2 = 50, RTO = 100 + max(G=1, 4*50) = 300 ms
        assertThat(e.hasSample()).isTrue();
        assertThat(e.srtt()).isEqualTo(100 * MS);
        assertThat(e.rttvar()).isEqualTo(50 * MS);
        assertThat(e.rto()).isEqualTo(300 * MS);

        e.sample(200 * MS);
        // §2.3, RTTVAR first with the old SRTT: 3/4*50 + 1/4*|100-200| = 37.5 + 25 = 62.5
        // then SRTT: 7/8*100 + 1/8*200 = 87.5 + 25 = 112.5; RTO = 112.5 + 4*62.5 = 362.5 ms
        assertThat(e.rttvar()).isEqualTo(62_500_000L);
        assertThat(e.srtt()).isEqualTo(112_500_000L);
        assertThat(e.rto()).isEqualTo(362_500_000L);
    }

    @Test
    void rttvarIsUpdatedWithTheOldSrtt() {
        // Updating SRTT first would give |112.5 - 200| = 87.5 -> RTTVAR 59.375, not 62.5.
        RttEstimator e = new RttEstimator(S, MS, 60 * S, 0);
        e.sample(100 * MS);
        e.sample(200 * MS);
        assertThat(e.rttvar()).isNotEqualTo(59_375_000L).isEqualTo(62_500_000L);
    }

    @Test
    void clockGranularityBoundsTheVarianceTerm() {
        // G = 10 ms, min 1 ms. Steady 8 ms samples shrink RTTVAR: 4, 3, 2.25 ms.
        RttEstimator e = new RttEstimator(S, 1 * MS, 60 * S, 10 * MS);
        e.sample(8 * MS);
        assertThat(e.rto()).isEqualTo(8 * MS + 16 * MS); // 4*RTTVAR = 16 > G
        e.sample(8 * MS);
        assertThat(e.rttvar()).isEqualTo(3 * MS);
        assertThat(e.rto()).isEqualTo(8 * MS + 12 * MS);
        e.sample(8 * MS);
        assertThat(e.rttvar()).isEqualTo(2_250_000L);
        assertThat(e.rto()).as("4*RTTVAR = 9 ms < G").isEqualTo(8 * MS + 10 * MS);
    }

    @Test
    void roundedUpToTheMinimum() {
        RttEstimator e = linuxLike();
        e.sample(10 * MS); // 10 + 20 = 30 ms < 200 ms
        assertThat(e.rto()).isEqualTo(200 * MS); // §2.4
    }

    @Test
    void cappedAtTheMaximum() {
        RttEstimator e = linuxLike();
        e.sample(50 * S); // 50 + 100 = 150 s > 60 s
        assertThat(e.rto()).isEqualTo(60 * S); // §2.5
    }

    @Test
    void backoffDoublesUpToTheMaximumAndASampleEndsIt() {
        RttEstimator e = linuxLike();
        e.sample(100 * MS); // RTO 300 ms
        long expected = 300 * MS;
        for (int i = 1; i <= 12; i++) {
            e.backoff(); // §5.5
            expected = Math.min(60 * S, expected * 2);
            assertThat(e.rto()).as("after %d backoffs", i).isEqualTo(expected);
            assertThat(e.backoffCount()).isEqualTo(i);
        }
        assertThat(e.rto()).isEqualTo(60 * S);
        for (int i = 0; i < 100; i++) {
            e.backoff(); // no overflow, count keeps counting for the retry limit
        }
        assertThat(e.rto()).isEqualTo(60 * S);
        assertThat(e.backoffCount()).isEqualTo(112);

        e.sample(100 * MS);
        assertThat(e.backoffCount()).isZero();
        // Second sample 100 ms: RTTVAR = 37.5, SRTT = 100 -> 250 ms
        assertThat(e.rto()).isEqualTo(250 * MS);
    }

    @Test
    void backoffBeforeAnySampleDoublesTheInitialRto() {
        RttEstimator e = linuxLike();
        e.backoff();
        e.backoff();
        assertThat(e.rto()).isEqualTo(4 * S);
        e.resetBackoff();
        assertThat(e.rto()).isEqualTo(1 * S);
    }

    @Test
    void backoffStartsFromTheClampedValue() {
        RttEstimator e = linuxLike();
        e.sample(10 * MS); // computed 30 ms, clamped to 200 ms
        e.backoff();
        assertThat(e.rto()).isEqualTo(400 * MS);
    }

    @Test
    void negativeSamplesAreIgnored() {
        RttEstimator e = linuxLike();
        e.sample(-5);
        assertThat(e.hasSample()).isFalse();
        e.sample(100 * MS);
        e.backoff();
        e.sample(-1);
        assertThat(e.srtt()).isEqualTo(100 * MS);
        assertThat(e.backoffCount()).isEqualTo(1);
    }

    @Test
    void zeroSampleIsValid() {
        RttEstimator e = new RttEstimator(S, MS, 60 * S, 0);
        e.sample(0);
        assertThat(e.hasSample()).isTrue();
        assertThat(e.rto()).isEqualTo(MS);
    }

    @Test
    void rejectsNonsenseConfiguration() {
        assertThatThrownBy(() -> new RttEstimator(S, 0, S, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RttEstimator(S, 2 * S, S, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RttEstimator(0, MS, S, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RttEstimator(S, MS, S, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void seqWrapDoesNotMatterForSamples() {
        // Samples are durations; a timed segment whose sequence number wraps measures like any other.
        int timedSeq = 0xFFFFFF00;
        int ack = timedSeq + 1460;
        assertThat(Seq.gt(ack, timedSeq)).isTrue();
        RttEstimator e = linuxLike();
        e.sample(300 * MS);
        assertThat(e.rto()).isEqualTo(900 * MS);
    }
}
