package org.jnetstack.tcp.cc;

/**
 * CUBIC (RFC 9438), the default. After a loss the window follows
 * {@code W_cubic(t) = C*(t - K)^3 + W_max} (§4.2, Figure 1) in segments, with t the seconds since
 * congestion avoidance began, W_max the window before the loss and
 * {@code K = cbrt((W_max - cwnd_epoch) / C)} (Figure 2) the time at which the curve returns to
 * W_max: fast (concave) growth back towards W_max, a plateau around it, then accelerating
 * (convex) probing beyond it. Growth depends on time, not on the round-trip time, so flows
 * with long RTTs are not starved. Where standard Reno would grow faster (short RTTs), CUBIC
 * follows a Reno estimate W_est instead (§4.3, the Reno-friendly region). A loss multiplies
 * the window by beta = 0.7 (§4.6); fast convergence (§4.7) releases bandwidth to newer flows.
 * Slow start and the recovery mechanics are the standard ones (see {@link WindowBase}).
 *
 * <p>Windows are kept in bytes; the curve is evaluated in segments of the current MSS, as the
 * RFC specifies. Times are nanoseconds on the stack's clock (virtual in simulations).
 */
final class Cubic extends WindowBase {
    public static final String NAME = "cubic";
    /** C of RFC 9438 §5.1 (segments / second^3). */
    static final double C = 0.4;
    /** beta_cubic of RFC 9438 §4.6. */
    static final double BETA = 0.7;
    /** alpha_cubic = 3 * (1 - beta) / (1 + beta) of RFC 9438 §4.3: Reno-friendly growth per RTT. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private final boolean fastConvergence;

    private double cwndExact;   // cwnd with its fraction of a byte; equals cwnd when the base changed it
    private double wMax;        // bytes; 0 = undefined (no loss yet, or after an RTO — §4.8, §4.10)
    private double cwndPrior;   // bytes, the cwnd before the last reduction; 0 = undefined
    private boolean inEpoch;    // a congestion-avoidance stage is under way
    private long epochStart;    // t_epoch, ns
    private double cwndEpoch;   // bytes
    private double k;           // seconds
    private double wEst;        // bytes
    private long srtt = -1;     // ns, smoothed over the samples onAck is given

    public Cubic() {
        this(true);
    }

    /** @param fastConvergence RFC 9438 §4.7; it SHOULD be on unless the flow is known to be alone */
    public Cubic(boolean fastConvergence) {
        this.fastConvergence = fastConvergence;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(int mss) {
        super.init(mss);
        wMax = 0;
        cwndPrior = 0;
        inEpoch = false;
        srtt = -1;
        cwndExact = cwnd;
    }

    @Override
    void congestionAvoidance(long ackedBytes, long rtt, long now) {
        if (rtt >= 0) {
            srtt = srtt < 0 ? rtt : srtt - srtt / 8 + rtt / 8;
        }
        if ((long) cwndExact != cwnd) {
            cwndExact = cwnd;
        }
        if (!inEpoch) {
            startEpoch(now);
        }
        double t = (now - epochStart) / 1e9;
        double segmentsAcked = (double) ackedBytes / mss;
        double cwndSegments = cwndExact / mss;

        // §4.3: W_est += alpha * segments_acked / cwnd, alpha = 1 once W_est reaches cwnd_prior.
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * segmentsAcked / cwndSegments * mss;

        if (wCubic(t) < wEst) {
            cwndExact = Math.max(cwndExact, wEst); // §4.3: the Reno-friendly region
        } else {
            // §4.4/§4.5: aim at W_cubic one RTT ahead, between cwnd and 1.5 * cwnd, and move
            // (target - cwnd) / cwnd segments per segment acknowledged.
            double rttSeconds = Math.max(srtt, 0) / 1e9;
            double target = Math.min(Math.max(wCubic(t + rttSeconds), cwndExact), 1.5 * cwndExact);
            cwndExact += (target - cwndExact) / cwndSegments * segmentsAcked;
        }
        cwndExact = Math.min(cwndExact, MAX_CWND);
        cwnd = (long) cwndExact;
    }

    /** Starts a congestion-avoidance stage (§4.2): fixes t_epoch, cwnd_epoch, K and W_est. */
    private void startEpoch(long now) {
        inEpoch = true;
        epochStart = now;
        cwndEpoch = cwndExact;
        wEst = cwndEpoch; // §4.3: W_est starts at cwnd_epoch
        if (cwndPrior <= 0) {
            cwndPrior = cwndEpoch; // §4.10: no loss seen, cwnd_prior = cwnd
        }
        if (wMax <= cwndEpoch) {
            // §4.8 (after an RTO) and §4.10 (no loss yet): K = 0, W_max = cwnd at the start.
            wMax = cwndEpoch;
            k = 0;
        } else {
            k = Math.cbrt((wMax - cwndEpoch) / mss / C); // Figure 2
        }
    }

    /** W_cubic(t) of Figure 1 in bytes, t in seconds since the epoch began. */
    double wCubic(double t) {
        double d = t - k;
        return C * d * d * d * mss + wMax;
    }

    @Override
    public void onEnterRecovery(long bytesInFlight, long now) {
        // §4.7 fast convergence, with the window at the moment of loss.
        if (fastConvergence && cwnd < wMax) {
            wMax = cwnd * (1 + BETA) / 2;
        } else {
            wMax = cwnd;
        }
        cwndPrior = cwnd;                            // §4.6
        ssthresh = reducedSsthresh(bytesInFlight);   // §4.6: flight_size * beta_cubic
        cwnd = Math.max(ssthresh, 2L * mss);         // §4.6: cwnd >= 2 SMSS after a loss
        cwndExact = cwnd;
        inEpoch = false;                             // the next stage starts when recovery ends
    }

    @Override
    void recoveryEnded(long now) {
        cwndExact = cwnd;
        inEpoch = false;
    }

    @Override
    void timeoutHappened(long now) {
        // §4.8: reduce like Reno but with beta; the first stage afterwards uses K = 0 and
        // W_max = cwnd at its start, with W_est from there.
        wMax = 0;
        cwndPrior = 0;
        inEpoch = false;
        cwndExact = cwnd;
    }

    /** §4.6: ssthresh = flight_size * beta_cubic, at least 2 SMSS. */
    @Override
    long reducedSsthresh(long bytesInFlight) {
        return Math.max(bytesInFlight * 7 / 10, 2L * mss); // BETA in exact integer arithmetic
    }

    // For tests: the curve's parameters of the current stage.
    double k() {
        return k;
    }

    double wMax() {
        return wMax;
    }

    double wEst() {
        return wEst;
    }
}
