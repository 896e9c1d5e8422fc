package org.jnetstack.tcp.cc;

/**
 * What NewReno and CUBIC share: the initial window, slow start with Appropriate Byte Counting,
 * the loss-recovery inflation and deflation of RFC 5681 / RFC 6582, and the RTO loss window.
 * Subclasses supply the reduction factor and congestion avoidance.
 */
abstract class WindowBase implements CongestionControl {
    /** "Arbitrarily high" initial ssthresh (RFC 5681 §3.1): larger than any window we can advertise. */
    static final long INITIAL_SSTHRESH = Integer.MAX_VALUE;
    /** cwnd never grows past this, so arithmetic never overflows (RFC 7323 caps windows at 2^30). */
    static final long MAX_CWND = 1L << 32;
    /** RFC 3465 §2.3: in slow start, an ACK may open cwnd by at most L = 2 SMSS. */
    static final int ABC_LIMIT = 2;

    int mss = 1460;
    long cwnd;
    long ssthresh = INITIAL_SSTHRESH;
    /** True after an RTO until new data is acknowledged: a repeated RTO keeps ssthresh (RFC 5681 §3.1). */
    boolean timedOut;

    @Override
    public void init(int mss) {
        setMss(mss);
        cwnd = initialWindow(mss);
        ssthresh = INITIAL_SSTHRESH;
        timedOut = false;
    }

    /** RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)). */
    static long initialWindow(int mss) {
        return Math.min(10L * mss, Math.max(2L * mss, 14_600));
    }

    @Override
    public long cwnd() {
        return cwnd;
    }

    @Override
    public long ssthresh() {
        return ssthresh;
    }

    @Override
    public void setMss(int mss) {
        if (mss <= 0) {
            throw new IllegalArgumentException("mss must be positive, got " + mss);
        }
        this.mss = mss;
    }

    @Override
    public void onAck(long ackedBytes, long bytesInFlight, long rtt, long now) {
        if (ackedBytes <= 0) {
            return;
        }
        timedOut = false;
        if (2 * bytesInFlight < cwnd) {
            return; // application-limited: less than half of cwnd was in use
        }
        if (cwnd < ssthresh) {
            // RFC 5681 §3.1 slow start with RFC 3465 ABC: grow by the bytes acknowledged, at most L*SMSS.
            long grow = Math.min(ackedBytes, (long) ABC_LIMIT * mss);
            long room = ssthresh - cwnd;
            if (grow <= room) {
                cwnd = Math.min(MAX_CWND, cwnd + grow);
                return;
            }
            cwnd = ssthresh;
            ackedBytes = grow - room; // what crossed ssthresh counts towards congestion avoidance
        }
        congestionAvoidance(ackedBytes, rtt, now);
        cwnd = Math.min(cwnd, MAX_CWND);
    }

    /** Congestion avoidance (cwnd >= ssthresh) for {@code ackedBytes} newly acknowledged. */
    abstract void congestionAvoidance(long ackedBytes, long rtt, long now);

    @Override
    public void onExitRecovery(long bytesInFlight, long now) {
        // RFC 6582 §3.2 step 3, option 1: no burst even if much was acknowledged at once.
        cwnd = Math.min(ssthresh, Math.max(bytesInFlight, mss) + mss);
        recoveryEnded(now);
    }

    /** Hook for the subclass after recovery ended (cwnd already set). */
    void recoveryEnded(long now) {}

    @Override
    public void onPartialAck(long ackedBytes) {
        // RFC 6582 §3.2 step 5: deflate by the amount acknowledged, add back one SMSS if it was at
        // least one SMSS, so roughly ssthresh bytes stay in flight when recovery ends.
        long next = cwnd - Math.max(0, ackedBytes);
        if (ackedBytes >= mss) {
            next += mss;
        }
        cwnd = Math.max(mss, next);
    }

    @Override
    public void onDupAckInRecovery() {
        cwnd = Math.min(MAX_CWND, cwnd + mss); // RFC 5681 §3.2 steps 3 and 4
    }

    @Override
    public void onRetransmitTimeout(long bytesInFlight, long now) {
        if (!timedOut) {
            // RFC 5681 §3.1: a segment retransmitted by the timer again keeps ssthresh.
            ssthresh = reducedSsthresh(bytesInFlight);
        }
        timedOut = true;
        cwnd = mss; // the loss window, RFC 5681 §3.1
        timeoutHappened(now);
    }

    /** Hook for the subclass after an RTO (cwnd and ssthresh already set). */
    void timeoutHappened(long now) {}

    /** The ssthresh after a congestion event with {@code bytesInFlight} outstanding; at least 2 SMSS. */
    abstract long reducedSsthresh(long bytesInFlight);

    @Override
    public String toString() {
        return name() + "[cwnd=" + cwnd + " ssthresh=" + ssthresh + " mss=" + mss + "]";
    }
}
