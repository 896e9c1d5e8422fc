package org.jnetstack.util;

/**
 * The retransmission timeout of RFC 6298, with every time in nanoseconds.
 *
 * <p>Before the first measurement the RTO is the configured initial value (RFC 6298 §2.1: 1 s).
 * The first sample R sets SRTT = R and RTTVAR = R/2 (§2.2); later ones update RTTVAR first,
 * with the old SRTT, then SRTT (§2.3, alpha = 1/8, beta = 1/4). The RTO is
 * SRTT + max(G, K·RTTVAR) with K = 4 (§2.2/§2.3), rounded up to the minimum (§2.4) and capped
 * by the maximum (§2.5). Each expiry of the timer doubles it (§5.5) until a new sample arrives;
 * the caller keeps Karn's rule (§3: no samples from retransmitted segments unless timestamps
 * disambiguate them).
 *
 * <p>The caller owns the timer; this class only says how long it should be. Single-threaded
 * (the event loop owns it).
 */
public final class RttEstimator {
    /** K of RFC 6298 §2.2. */
    private static final int K = 4;

    private final long initialRto;
    private final long minRto;
    private final long maxRto;
    private final long clockGranularity;

    private long srtt;
    private long rttvar;
    private boolean hasSample;
    private int backoffCount;

    /**
     * @param initialRto the RTO before any sample (RFC 6298 §2.1 says 1 s)
     * @param minRto the lower bound (§2.4 says 1 s; Linux uses 200 ms)
     * @param maxRto the upper bound (§2.5: at least 60 s)
     * @param clockGranularity G of §2.2, the resolution of the clock the samples come from
     */
    public RttEstimator(long initialRto, long minRto, long maxRto, long clockGranularity) {
        if (minRto <= 0 || maxRto < minRto) {
            throw new IllegalArgumentException(
                    "need 0 < minRto <= maxRto, got minRto=" + minRto + " maxRto=" + maxRto);
        }
        if (initialRto <= 0) {
            throw new IllegalArgumentException("initialRto must be positive, got " + initialRto);
        }
        if (clockGranularity < 0) {
            throw new IllegalArgumentException("clockGranularity must be >= 0, got " + clockGranularity);
        }
        this.initialRto = initialRto;
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.clockGranularity = clockGranularity;
    }

    /**
     * Takes one round-trip measurement (RFC 6298 §2.2 for the first, §2.3 after) and ends any
     * backoff: a fresh measurement supersedes the doubled timer (§5.7's note that the backed-off
     * RTO lasts until new data is acknowledged and timed). Negative samples — a clock that went
     * backwards or a bogus echoed timestamp — are ignored.
     */
    public void sample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (!hasSample) {
            srtt = rtt;                 // §2.2: SRTT <- R
            rttvar = rtt / 2;           // §2.2: RTTVAR <- R/2
            hasSample = true;
        } else {
            // §2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, using the old SRTT ...
            rttvar = rttvar - rttvar / 4 + Math.abs(srtt - rtt) / 4;
            // ... then SRTT <- (1 - alpha) * SRTT + alpha * R'.
            srtt = srtt - srtt / 8 + rtt / 8;
        }
        backoffCount = 0;
    }

    /** The timeout to arm now: the computed RTO, doubled once per {@link #backoff()}, clamped. */
    public long rto() {
        long base = hasSample ? srtt + Math.max(clockGranularity, K * rttvar) : initialRto;
        long rto = clamp(base);
        for (int i = 0; i < backoffCount && rto < maxRto; i++) {
            rto = Math.min(maxRto, rto * 2); // §5.5: RTO <- RTO * 2, §2.5: bounded by the maximum
        }
        return rto;
    }

    private long clamp(long value) {
        return Math.max(minRto, Math.min(maxRto, value)); // §2.4 (round up to min), §2.5 (max)
    }

    /** The smoothed round-trip time; 0 before the first sample. */
    public long srtt() {
        return srtt;
    }

    /** The round-trip time variation; 0 before the first sample. */
    public long rttvar() {
        return rttvar;
    }

    public boolean hasSample() {
        return hasSample;
    }

    /**
     * The retransmission timer expired: double the RTO (RFC 6298 §5.5) up to the maximum. The
     * count keeps rising after the RTO saturates, so the caller can use it as the retry count
     * that ends a dead connection.
     */
    public void backoff() {
        if (backoffCount < Integer.MAX_VALUE) {
            backoffCount++;
        }
    }

    /** Expiries since the last sample (or since creation). */
    public int backoffCount() {
        return backoffCount;
    }

    /** Ends the backoff without a sample (e.g. a new connection reusing the estimator). */
    public void resetBackoff() {
        backoffCount = 0;
    }
}
