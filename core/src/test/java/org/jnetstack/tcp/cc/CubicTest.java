package org.jnetstack.tcp.cc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.jnetstack.testing.Nanos.SECOND;

import org.junit.jupiter.api.Test;

/**
 * RFC 9438 with numbers worked by hand: W_max = 100 segments, beta = 0.7 gives cwnd_epoch = 70,
 * K = cbrt((100 - 70) / 0.4) = cbrt(75) = 4.2171633 s, W(0) = 70, W(1) = 86.680764,
 * W(K) = 100, W(2K) = 0.4 * 75 + 100 = 130 segments.
 */
class CubicTest {
    private static final int MSS = 1000;
    private static final double K = 4.2171633265;

    /** A connection that reached 100 segments in slow start, lost a packet at t = 0 and recovered. */
    private static Cubic afterLossAt100Segments(long rtt) {
        Cubic cc = new Cubic();
        cc.init(MSS);
        AckClock clock = new AckClock(cc, MSS, rtt, -10 * SECOND);
        while (cc.cwnd() < 80_000) {
            clock.round(); // 10 -> 20 -> 40 -> 80 segments
        }
        for (int i = 0; i < 20; i++) {
            cc.onAck(MSS, 80_000, rtt, clock.now);
        }
        assertThat(cc.cwnd()).isEqualTo(100_000);
        cc.onEnterRecovery(100_000, 0);
        cc.onExitRecovery(100_000, 0);
        return cc;
    }

    @Test
    void multiplicativeDecreaseBy0_7() {
        Cubic cc = afterLossAt100Segments(100_000_000L);
        assertThat(cc.ssthresh()).isEqualTo(70_000);   // §4.6: flight_size * 0.7
        assertThat(cc.cwnd()).isEqualTo(70_000);
        assertThat(cc.wMax()).isEqualTo(100_000.0);     // no earlier W_max: no fast convergence
    }

    @Test
    void kAndTheCubicFunctionMatchTheHandNumbers() {
        Cubic cc = afterLossAt100Segments(100_000_000L);
        cc.onAck(MSS, 70_000, 100_000_000L, 0); // first ACK in congestion avoidance starts the epoch
        assertThat(cc.k()).isCloseTo(K, within(1e-6));
        assertThat(cc.wCubic(0) / MSS).isCloseTo(70.0, within(1e-6));
        assertThat(cc.wCubic(1) / MSS).isCloseTo(86.680764, within(1e-5));
        assertThat(cc.wCubic(K) / MSS).isCloseTo(100.0, within(1e-6));
        assertThat(cc.wCubic(2 * K) / MSS).isCloseTo(130.0, within(1e-5));
    }

    @Test
    void windowFollowsTheCurveConcaveThenConvex() {
        long rtt = 100_000_000L; // 100 ms: the cubic curve, not Reno, dominates
        Cubic cc = afterLossAt100Segments(rtt);
        AckClock clock = new AckClock(cc, MSS, rtt, 0);
        clock.runUntil(SECOND);
        double at1 = cc.cwnd() / (double) MSS;
        clock.runUntil((long) (3.2 * SECOND));
        double at3 = cc.cwnd() / (double) MSS;
        clock.runUntil((long) (K * SECOND));
        double atK = cc.cwnd() / (double) MSS;
        clock.runUntil((long) ((K + 1) * SECOND));
        double atKplus1 = cc.cwnd() / (double) MSS;
        clock.runUntil((long) ((2 * K - 1) * SECOND));
        double at2Kminus1 = cc.cwnd() / (double) MSS;
        clock.runUntil((long) (2 * K * SECOND));
        double at2K = cc.cwnd() / (double) MSS;
        // The window tracks W_cubic (it aims one RTT ahead, so it may lead the curve slightly).
        assertThat(at1).isCloseTo(86.68, within(1.0));
        assertThat(atK).isCloseTo(100.0, within(1.0));
        assertThat(at2K).isCloseTo(130.0, within(2.5));
        // Concave below W_max: the first second gains far more than the second before K ...
        assertThat(at1 - 70).isGreaterThan(3 * (atK - at3));
        // ... convex above it: the second after K gains less than the second before 2K.
        assertThat(atKplus1 - atK).isLessThan((at2K - at2Kminus1) / 3);
        assertThat(atKplus1).isGreaterThan(atK);
    }

    @Test
    void renoFriendlyRegionOnShortRoundTrips() {
        long rtt = 1_000_000L; // 1 ms: Reno's one segment per RTT beats the cubic curve
        Cubic cc = afterLossAt100Segments(rtt);
        AckClock clock = new AckClock(cc, MSS, rtt, 0);
        for (int i = 0; i < 20; i++) {
            clock.round();
        }
        // 20 rounds of alpha = 3*0.3/1.7 = 0.5294 segments: W_est = 70 + 10.59 = 80.59 segments,
        // while W_cubic(20 ms) is only 70.42.
        assertThat(Cubic.ALPHA).isCloseTo(0.9 / 1.7, within(1e-12));
        assertThat(cc.wCubic(0.020) / MSS).isCloseTo(70.42, within(0.01));
        assertThat(cc.wEst() / MSS).isCloseTo(70 + 20 * Cubic.ALPHA, within(0.3));
        assertThat(cc.cwnd()).isEqualTo((long) cc.wEst());
        // Once W_est reaches cwnd_prior (100 segments) alpha becomes 1: one segment per round.
        while (cc.wEst() < 100_000) {
            clock.round();
        }
        clock.round();
        double before = cc.wEst();
        for (int i = 0; i < 10; i++) {
            clock.round();
        }
        assertThat((cc.wEst() - before) / MSS).isCloseTo(10.0, within(0.3));
    }

    @Test
    void fastConvergenceLowersWmaxWhenTheWindowShrinks() {
        Cubic cc = afterLossAt100Segments(100_000_000L);
        cc.onAck(MSS, 70_000, 100_000_000L, 1);
        // Second loss while below the old W_max (at 90 segments): W_max = 90 * (1 + 0.7) / 2 = 76.5.
        forceCwnd(cc, 90_000);
        cc.onEnterRecovery(90_000, 2);
        assertThat(cc.wMax()).isCloseTo(76_500.0, within(1e-6));
        assertThat(cc.ssthresh()).isEqualTo(63_000);

        Cubic plain = new Cubic(false);
        plain.init(MSS);
        forceCwnd(plain, 100_000);
        plain.onEnterRecovery(100_000, 0);
        forceCwnd(plain, 90_000);
        plain.onEnterRecovery(90_000, 1);
        assertThat(plain.wMax()).isEqualTo(90_000.0);
    }

    @Test
    void timeoutGoesToOneSegmentAndTheNextStageStartsWithKZero() {
        Cubic cc = afterLossAt100Segments(100_000_000L);
        cc.onRetransmitTimeout(50_000, 0);
        assertThat(cc.cwnd()).isEqualTo(MSS);
        assertThat(cc.ssthresh()).isEqualTo(35_000); // beta, not one half (§4.8)
        AckClock clock = new AckClock(cc, MSS, 100_000_000L, SECOND);
        while (cc.cwnd() < cc.ssthresh()) {
            clock.round();
        }
        clock.round();
        assertThat(cc.k()).isZero();
        assertThat(cc.wMax()).as("W_max = cwnd at the start of the stage").isEqualTo(35_000.0);
        long before = cc.cwnd();
        clock.round();
        assertThat(cc.cwnd()).isGreaterThan(before);
    }

    @Test
    void sharesTheInitialWindowAndRecoveryMechanics() {
        Cubic cc = new Cubic();
        cc.init(1460);
        assertThat(cc.cwnd()).isEqualTo(14_600);
        assertThat(cc.name()).isEqualTo("cubic");
        AckClock clock = new AckClock(cc, 1460, 10_000_000L, 0);
        assertThat(clock.round()).isEqualTo(29_200); // slow start doubles
        cc.onEnterRecovery(29_200, 0);
        assertThat(cc.cwnd()).isEqualTo(20_440);
        cc.onDupAckInRecovery();
        assertThat(cc.cwnd()).isEqualTo(21_900);
        cc.onPartialAck(2920);
        assertThat(cc.cwnd()).isEqualTo(21_900 - 2920 + 1460);
        cc.onExitRecovery(1460, 0);
        assertThat(cc.cwnd()).isEqualTo(2920);
    }

    /** Drives cwnd to an exact value through the public events (recovery sets cwnd = ssthresh). */
    private static void forceCwnd(Cubic cc, long cwnd) {
        while (cc.cwnd() < cwnd) {
            cc.onDupAckInRecovery();
        }
        cc.onPartialAck(cc.cwnd() - cwnd); // deflates without add-back when below one MSS; exact otherwise
        while (cc.cwnd() > cwnd) {
            cc.onPartialAck(Math.min(999, cc.cwnd() - cwnd));
        }
    }
}
