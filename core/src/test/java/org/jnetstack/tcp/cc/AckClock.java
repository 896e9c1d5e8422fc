package org.jnetstack.tcp.cc;

/**
 * A loss-free bulk sender in miniature: each round trip it sends a full cwnd and receives one
 * ACK per segment, evenly spread over the round trip, on a clock it advances itself.
 */
final class AckClock {
    final CongestionControl cc;
    final int mss;
    final long rtt;
    long now;

    AckClock(CongestionControl cc, int mss, long rtt, long start) {
        this.cc = cc;
        this.mss = mss;
        this.rtt = rtt;
        this.now = start;
    }

    /** One round trip: cwnd bytes go out, come back as per-segment ACKs. Returns cwnd after it. */
    long round() {
        long flight = cc.cwnd();
        long segments = Math.max(1, flight / mss);
        long start = now;
        for (long i = 1; i <= segments; i++) {
            now = start + rtt * i / segments;
            cc.onAck(mss, flight, rtt, now);
        }
        now = start + rtt;
        return cc.cwnd();
    }

    /** Rounds until the clock reaches {@code t}. */
    void runUntil(long t) {
        while (now < t) {
            round();
        }
    }
}
