package org.jnetstack.tcp;

import org.jnetstack.internal.RandomizedRateLimiter;
import org.jnetstack.loop.Clock;

/**
 * How many ACKs invalid segments may draw from us: challenge ACKs (RFC 5961 §3.2, §4.2, §5.2)
 * and ACKs for segments outside the window, per connection and, for challenge ACKs, for the
 * whole stack. Shared by live connections and TIME-WAIT records.
 */
final class ChallengeAcks {
    private final Clock clock;
    private final RandomizedRateLimiter global;
    private final long intervalNanos;
    private final TcpCounters counters;

    ChallengeAcks(Clock clock, RandomizedRateLimiter global, long intervalNanos, TcpCounters counters) {
        this.clock = clock;
        this.global = global;
        this.intervalNanos = intervalNanos;
        this.counters = counters;
    }

    /**
     * May {@code c} send a challenge ACK now (counted when it may)? At most one an interval per
     * connection ({@link #invalidAckAllowed}), and all connections together within a global
     * budget per second that is drawn anew, at random around {@link TcpConfig#challengeAckRate()},
     * each second (RFC 5961 §7; as Linux since 4.7): with a fixed global budget an off-path
     * attacker could count the challenge ACKs it did not receive and so learn whether its guesses
     * hit someone else's connection (CVE-2016-5696).
     */
    boolean allowed(TcpConnection c) {
        return globallyAllowed(perConnection(c));
    }

    /** {@link #allowed(TcpConnection)} for a connection waiting out TIME-WAIT. */
    boolean allowed(TimeWaits.Record r) {
        return globallyAllowed(perRecord(r));
    }

    /**
     * May {@code c} answer a segment outside its window that carries no data with an ACK now? At
     * most one an interval ({@link TcpConfig#challengeAckInterval()}), which breaks ACK loops
     * between two confused ends and bounds what forged segments can draw from us.
     */
    boolean invalidAckAllowed(TcpConnection c) {
        return counted(perConnection(c));
    }

    /** {@link #invalidAckAllowed(TcpConnection)} for a connection waiting out TIME-WAIT. */
    boolean invalidAckAllowed(TimeWaits.Record r) {
        return counted(perRecord(r));
    }

    private boolean counted(boolean perConnectionAllowed) {
        if (!perConnectionAllowed) {
            counters.outOfWindowAcksLimited.inc();
        }
        return perConnectionAllowed;
    }

    private boolean globallyAllowed(boolean perConnectionAllowed) {
        if (!perConnectionAllowed) {
            counters.challengeAcksLimitedPerConnection.inc();
            return false;
        }
        if (!global.tryAcquire()) {
            counters.challengeAcksLimitedGlobal.inc();
            return false;
        }
        counters.challengeAcks.inc();
        return true;
    }

    private boolean perConnection(TcpConnection c) {
        long now = clock.nanos();
        if (c.lastInvalidAckNanos != Long.MIN_VALUE && now - c.lastInvalidAckNanos < intervalNanos) {
            return false;
        }
        c.lastInvalidAckNanos = now;
        return true;
    }

    /** The per-connection interval on a record's millisecond clock (int differences survive wrap-around). */
    private boolean perRecord(TimeWaits.Record r) {
        int now = (int) (clock.nanos() / 1_000_000L);
        if (now - r.lastInvalidAckMillis < intervalNanos / 1_000_000L) {
            return false;
        }
        r.lastInvalidAckMillis = now;
        return true;
    }
}
