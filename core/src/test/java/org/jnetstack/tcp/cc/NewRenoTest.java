package org.jnetstack.tcp.cc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NewRenoTest {
    private static final int MSS = 1000;
    private static final long RTT = 50_000_000L;

    private static NewReno fresh() {
        NewReno cc = new NewReno();
        cc.init(MSS);
        return cc;
    }

    @Test
    void initialWindowPerRfc6928() {
        NewReno cc = new NewReno();
        cc.init(1460);
        assertThat(cc.cwnd()).isEqualTo(14_600);
        cc.init(536);
        assertThat(cc.cwnd()).isEqualTo(5_360);   // 10 * MSS is the smaller
        cc.init(9000);
        assertThat(cc.cwnd()).isEqualTo(18_000);  // 2 * MSS is larger than 14600
        cc.init(MSS);
        assertThat(cc.cwnd()).isEqualTo(10_000);
        assertThat(cc.ssthresh()).as("arbitrarily high, RFC 5681 §3.1").isGreaterThanOrEqualTo(1L << 30);
        assertThat(cc.name()).isEqualTo("newreno");
    }

    @Test
    void slowStartDoublesEachRoundTrip() {
        NewReno cc = fresh();
        AckClock clock = new AckClock(cc, MSS, RTT, 0);
        long expected = 10_000;
        for (int i = 0; i < 6; i++) {
            expected *= 2;
            assertThat(clock.round()).as("round %d", i).isEqualTo(expected);
        }
    }

    @Test
    void appropriateByteCountingLimitsAStretchAckToTwoSegments() {
        NewReno cc = fresh();
        cc.onAck(5 * MSS, 10_000, RTT, 1); // one ACK for five segments (RFC 3465 §2.3, L = 2)
        assertThat(cc.cwnd()).isEqualTo(12_000);
        cc.onAck(500, 10_000, RTT, 2);     // a small ACK opens only by what it acknowledged
        assertThat(cc.cwnd()).isEqualTo(12_500);
    }

    @Test
    void noGrowthWhenTheApplicationLeavesCwndUnused() {
        NewReno cc = fresh();
        cc.onAck(MSS, 2 * MSS, RTT, 1); // 2 of 10 segments in flight: application-limited
        assertThat(cc.cwnd()).isEqualTo(10_000);
        cc.onAck(MSS, 5 * MSS, RTT, 2); // half of cwnd in use: grows
        assertThat(cc.cwnd()).isEqualTo(11_000);
    }

    @Test
    void congestionAvoidanceAddsOneSegmentPerRoundTrip() {
        NewReno cc = fresh();
        cc.onEnterRecovery(40_000, 0);
        assertThat(cc.ssthresh()).isEqualTo(20_000);     // FlightSize / 2, RFC 5681 eq. 4
        assertThat(cc.cwnd()).isEqualTo(20_000);
        cc.onExitRecovery(40_000, 0);
        assertThat(cc.cwnd()).isEqualTo(20_000);
        AckClock clock = new AckClock(cc, MSS, RTT, 0);
        for (int i = 1; i <= 10; i++) {
            assertThat(clock.round()).as("round %d", i).isEqualTo(20_000 + i * MSS);
        }
    }

    @Test
    void slowStartStopsAtSsthreshAndCarriesTheRestIntoAvoidance() {
        NewReno cc = fresh();
        cc.onRetransmitTimeout(25_000, 0);
        assertThat(cc.ssthresh()).isEqualTo(12_500);
        assertThat(cc.cwnd()).isEqualTo(MSS);
        AckClock clock = new AckClock(cc, MSS, RTT, 0);
        assertThat(clock.round()).isEqualTo(2_000);
        assertThat(clock.round()).isEqualTo(4_000);
        assertThat(clock.round()).isEqualTo(8_000);
        assertThat(clock.round()).as("8 ACKs: 4.5 in slow start to 12.5 k, then 3.5 k of avoidance credit")
                .isEqualTo(12_500);
        long before = cc.cwnd();
        clock.round();
        assertThat(cc.cwnd() - before).as("one SMSS per round in avoidance").isEqualTo(MSS);
    }

    @Test
    void fastRecoveryInflatesAndDeflatesPerRfc6582() {
        NewReno cc = fresh();
        cc.onEnterRecovery(30_000, 0);
        assertThat(cc.ssthresh()).isEqualTo(15_000);
        assertThat(cc.cwnd()).isEqualTo(15_000);
        for (int i = 0; i < 3; i++) {
            cc.onDupAckInRecovery(); // the three duplicate ACKs: RFC 5681 §3.2 step 3
        }
        assertThat(cc.cwnd()).isEqualTo(18_000);
        cc.onDupAckInRecovery(); // step 4
        assertThat(cc.cwnd()).isEqualTo(19_000);
        cc.onPartialAck(3_000); // RFC 6582 §3.2 step 5: -3000 + SMSS
        assertThat(cc.cwnd()).isEqualTo(17_000);
        cc.onPartialAck(500); // less than SMSS: no add-back
        assertThat(cc.cwnd()).isEqualTo(16_500);
        cc.onExitRecovery(5_000, 0); // step 3 option 1: min(ssthresh, FlightSize + SMSS)
        assertThat(cc.cwnd()).isEqualTo(6_000);
        NewReno other = fresh();
        other.onEnterRecovery(30_000, 0);
        other.onExitRecovery(100_000, 0);
        assertThat(other.cwnd()).isEqualTo(15_000);
    }

    @Test
    void ssthreshNeverBelowTwoSegments() {
        NewReno cc = fresh();
        cc.onEnterRecovery(1_500, 0);
        assertThat(cc.ssthresh()).isEqualTo(2 * MSS);
        cc.onRetransmitTimeout(0, 0);
        assertThat(cc.ssthresh()).isEqualTo(2 * MSS);
        cc.onPartialAck(1_000_000);
        assertThat(cc.cwnd()).isGreaterThanOrEqualTo(MSS);
    }

    @Test
    void repeatedTimeoutKeepsSsthresh() {
        NewReno cc = fresh();
        cc.onRetransmitTimeout(40_000, 0);
        assertThat(cc.ssthresh()).isEqualTo(20_000);
        // The same segment times out again: FlightSize is still large but ssthresh holds (RFC 5681 §3.1).
        cc.onRetransmitTimeout(40_000, 1);
        assertThat(cc.ssthresh()).isEqualTo(20_000);
        assertThat(cc.cwnd()).isEqualTo(MSS);
        cc.onAck(MSS, MSS, RTT, 2); // new data acknowledged: the next timeout is a new event
        cc.onRetransmitTimeout(6_000, 3);
        assertThat(cc.ssthresh()).isEqualTo(3_000);
    }

    @Test
    void mssChangeAffectsIncrements() {
        NewReno cc = fresh();
        cc.setMss(500);
        cc.onAck(5_000, 10_000, RTT, 1);
        assertThat(cc.cwnd()).isEqualTo(11_000); // 2 * the new MSS
    }
}
