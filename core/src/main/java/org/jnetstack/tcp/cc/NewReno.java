package org.jnetstack.tcp.cc;

/**
 * Reno congestion control (RFC 5681) with NewReno's recovery (RFC 6582) and Appropriate Byte
 * Counting (RFC 3465, L = 2): slow start grows cwnd by the bytes acknowledged, doubling it per
 * round trip; congestion avoidance adds one SMSS per cwnd of acknowledged bytes, one SMSS per
 * round trip; a loss halves it (ssthresh = max(FlightSize/2, 2*SMSS), RFC 5681 eq. 4).
 */
final class NewReno extends WindowBase {
    public static final String NAME = "newreno";

    /** RFC 3465 §2.1: bytes acknowledged in congestion avoidance not yet turned into cwnd. */
    private long bytesAcked;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(int mss) {
        super.init(mss);
        bytesAcked = 0;
    }

    @Override
    void congestionAvoidance(long ackedBytes, long rtt, long now) {
        // RFC 3465 §2.1 / RFC 5681 §3.1: when bytes_acked reaches cwnd, cwnd += SMSS.
        bytesAcked += ackedBytes;
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            cwnd += mss;
        }
    }

    @Override
    public void onEnterRecovery(long bytesInFlight, long now) {
        ssthresh = reducedSsthresh(bytesInFlight); // RFC 5681 §3.2 step 2
        cwnd = ssthresh;
        bytesAcked = 0;
    }

    @Override
    void timeoutHappened(long now) {
        bytesAcked = 0; // RFC 3465 §2.1: reset on a retransmission timeout
    }

    /** RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS). */
    @Override
    long reducedSsthresh(long bytesInFlight) {
        return Math.max(bytesInFlight / 2, 2L * mss);
    }
}
