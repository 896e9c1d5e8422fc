package org.jnetstack.tcp;

import java.time.Duration;

/**
 * Every TCP tunable, its default and why.
 *
 * @param sendBuffer        bytes the application may have written but not yet had acknowledged.
 *                          256 KiB: enough for ~2 Gbit/s at 1 ms RTT. The most a connection's ring may
 *                          grow to: it takes pages from the stack's memory budget as data is queued and
 *                          gives them back once everything is acknowledged.
 * @param receiveBuffer     bytes held for the application (and out-of-order data); bounds the
 *                          advertised window. 256 KiB with window scaling (RFC 7323). Taken in pages as
 *                          data arrives, given back once it is read; the window never offers more than
 *                          the memory budget can still give.
 * @param windowScaling     offer RFC 7323 window scaling.
 * @param timestamps        offer RFC 7323 timestamps (PAWS, and echo for the peer's RTT).
 * @param sack              offer RFC 2018 SACK and use RFC 6675 loss recovery.
 * @param initialRto        RFC 6298 §2.1: 1 s before the first RTT sample.
 * @param minRto            lower bound of the RTO. RFC 6298 §2.4 says 1 s; 200 ms is what Linux and
 *                          most stacks use, and avoids idling on LANs.
 * @param maxRto            upper bound (RFC 6298 §2.5 allows 60 s or more).
 * @param maxRetries        retransmissions of one segment before the connection is declared dead
 *                          (RFC 1122 §4.2.3.5 R2; 15 like Linux's tcp_retries2, ~15 min).
 * @param synRetries        SYN retransmissions before connect() fails (6, like Linux: ~2 min).
 * @param delayedAck        longest an ACK waits (RFC 1122 §4.2.3.2: at most 500 ms; RFC 5681 §4.2
 *                          and 9293: at most 200 ms). 40 ms like Linux's minimum.
 * @param msl               maximum segment lifetime; TIME_WAIT lasts 2 MSL (RFC 9293 §3.4.2). 30 s.
 * @param keepaliveIdle     idle time before the first keepalive probe (RFC 1122 §4.2.3.6: ≥ 2 hours).
 * @param keepaliveInterval between probes.
 * @param keepaliveProbes   unanswered probes before the connection is dropped.
 * @param nagle             RFC 896 / RFC 1122 §4.2.3.4 on by default; per connection no-delay.
 * @param congestionControl "cubic" (RFC 9438, the default) or "newreno" (RFC 5681 + 6582).
 * @param listenBacklog     default accept-queue bound of a listener.
 * @param synQueue          half-open connections per listener; beyond it SYN cookies answer (RFC 4987).
 * @param maxConnections    connections in this stack, any state but TIME-WAIT (kept apart as small
 *                          records, see {@code maxTimeWaits}); beyond it new ones are refused.
 * @param challengeAckRate  challenge ACKs per second for all connections together (RFC 5961 §7), on
 *                          average: each second's budget is drawn at random between half and one and a
 *                          half times this (Linux since 4.7), so that an off-path attacker cannot count
 *                          the ACKs other connections drew (CVE-2016-5696). 1000, Linux's old default.
 * @param challengeAckInterval least time between two ACKs one connection sends in answer to invalid
 *                          segments (challenge ACKs, RFC 5961 §3.2/§4.2/§5.2, and ACKs for data-less
 *                          segments outside the window). 500 ms, Linux's {@code tcp_invalid_ratelimit}:
 *                          a forger draws at most two a second from a connection, and two confused ends
 *                          cannot ACK each other in a loop.
 * @param synCookiePeriod   life of one SYN-cookie key (RFC 4987 §3.6): a new key from the stack's
 *                          secrets every period; a cookie is accepted in the period it was made and the
 *                          next, then its key is forgotten. 64 s, as long as the SYN-ACK retransmissions
 *                          a handshake may need.
 * @param maxConnectionsPerSource connections (any state) one remote address may have through our
 *                          listeners; beyond it its SYNs are dropped (counted {@code tcp.refused.per_source}).
 *                          1024: far below {@code maxConnections}, so one client cannot take the stack, and far
 *                          above what a browser or a NAT of a few hosts opens.
 * @param maxHalfOpenPerSource half-open connections (SYN-RECEIVED) one remote address may have; beyond it
 *                          its SYNs are dropped (counted {@code tcp.refused.per_source_half_open}). 64: a quarter
 *                          of the SYN queue, so one SYN flooder cannot push everyone else onto SYN cookies.
 * @param maxConnectionsPerListener connections one listener may have at once (half-open, waiting to be
 *                          accepted, or accepted and not yet ended); beyond it SYNs are dropped (counted
 *                          {@code tcp.refused.per_listener}). 16384: a quarter of {@code maxConnections}, so one
 *                          service under attack leaves room for the others (the admin page, ssh-like consoles).
 * @param maxTimeWaits      connections waiting out TIME-WAIT, each an 80-byte record; beyond it the oldest
 *                          wait ends early (counted {@code tcp.time_wait_overflow}), as Linux's
 *                          {@code tcp_max_tw_buckets} bounds them. 65536: 5 MiB, a minute of 1,000 closes a second.
 */
public record TcpConfig(
        int sendBuffer,
        int receiveBuffer,
        boolean windowScaling,
        boolean timestamps,
        boolean sack,
        Duration initialRto,
        Duration minRto,
        Duration maxRto,
        int maxRetries,
        int synRetries,
        Duration delayedAck,
        Duration msl,
        Duration keepaliveIdle,
        Duration keepaliveInterval,
        int keepaliveProbes,
        boolean nagle,
        String congestionControl,
        int listenBacklog,
        int synQueue,
        int maxConnections,
        int challengeAckRate,
        Duration challengeAckInterval,
        Duration synCookiePeriod,
        int maxConnectionsPerSource,
        int maxHalfOpenPerSource,
        int maxConnectionsPerListener,
        int maxTimeWaits) {

    public TcpConfig {
        if (sendBuffer < 1 || receiveBuffer < 1 || receiveBuffer > (1 << 30) || sendBuffer > (1 << 30)) {
            throw new IllegalArgumentException("buffer sizes must be 1 byte to 1 GiB");
        }
        if (maxRetries < 1 || synRetries < 0 || keepaliveProbes < 1 || listenBacklog < 1 || synQueue < 1
                || maxConnections < 1 || challengeAckRate < 1 || maxConnectionsPerSource < 1
                || maxHalfOpenPerSource < 1 || maxConnectionsPerListener < 1 || maxTimeWaits < 1) {
            throw new IllegalArgumentException("TCP limits must be positive");
        }
        if (challengeAckInterval == null || challengeAckInterval.isNegative()) {
            throw new IllegalArgumentException("challengeAckInterval must be zero or positive: " + challengeAckInterval);
        }
        if (synCookiePeriod == null || synCookiePeriod.toMillis() < 1) {
            throw new IllegalArgumentException("synCookiePeriod must be at least 1 ms: " + synCookiePeriod);
        }
    }

    public static TcpConfig defaults() {
        return new TcpConfig(256 * 1024, 256 * 1024, true, true, true,
                Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(60), 15, 6,
                Duration.ofMillis(40), Duration.ofSeconds(30),
                Duration.ofHours(2), Duration.ofSeconds(75), 9, true, "cubic", 128, 256, 65536, 1000,
                Duration.ofMillis(500), Duration.ofSeconds(64),
                1024, 64, 16384, 65536);
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public TcpConfig withBuffers(int send, int receive) {
        return toBuilder().sendBuffer(send).receiveBuffer(receive).build();
    }

    public TcpConfig withSack(boolean on) {
        return toBuilder().sack(on).build();
    }

    public TcpConfig withCongestionControl(String name) {
        return toBuilder().congestionControl(name).build();
    }

    public TcpConfig withKeepalive(Duration idle, Duration interval, int probes) {
        return toBuilder().keepaliveIdle(idle).keepaliveInterval(interval).keepaliveProbes(probes).build();
    }

    /** Changes some fields; {@link #build()} validates. */
    public static final class Builder {
        private int sendBuffer;
        private int receiveBuffer;
        private boolean windowScaling;
        private boolean timestamps;
        private boolean sack;
        private Duration initialRto;
        private Duration minRto;
        private Duration maxRto;
        private int maxRetries;
        private int synRetries;
        private Duration delayedAck;
        private Duration msl;
        private Duration keepaliveIdle;
        private Duration keepaliveInterval;
        private int keepaliveProbes;
        private boolean nagle;
        private String congestionControl;
        private int listenBacklog;
        private int synQueue;
        private int maxConnections;
        private int challengeAckRate;
        private Duration challengeAckInterval;
        private Duration synCookiePeriod;
        private int maxConnectionsPerSource;
        private int maxHalfOpenPerSource;
        private int maxConnectionsPerListener;
        private int maxTimeWaits;

        private Builder(TcpConfig c) {
            sendBuffer = c.sendBuffer;
            receiveBuffer = c.receiveBuffer;
            windowScaling = c.windowScaling;
            timestamps = c.timestamps;
            sack = c.sack;
            initialRto = c.initialRto;
            minRto = c.minRto;
            maxRto = c.maxRto;
            maxRetries = c.maxRetries;
            synRetries = c.synRetries;
            delayedAck = c.delayedAck;
            msl = c.msl;
            keepaliveIdle = c.keepaliveIdle;
            keepaliveInterval = c.keepaliveInterval;
            keepaliveProbes = c.keepaliveProbes;
            nagle = c.nagle;
            congestionControl = c.congestionControl;
            listenBacklog = c.listenBacklog;
            synQueue = c.synQueue;
            maxConnections = c.maxConnections;
            challengeAckRate = c.challengeAckRate;
            challengeAckInterval = c.challengeAckInterval;
            synCookiePeriod = c.synCookiePeriod;
            maxConnectionsPerSource = c.maxConnectionsPerSource;
            maxHalfOpenPerSource = c.maxHalfOpenPerSource;
            maxConnectionsPerListener = c.maxConnectionsPerListener;
            maxTimeWaits = c.maxTimeWaits;
        }

        public Builder sendBuffer(int v) {
            sendBuffer = v;
            return this;
        }

        public Builder receiveBuffer(int v) {
            receiveBuffer = v;
            return this;
        }

        public Builder windowScaling(boolean v) {
            windowScaling = v;
            return this;
        }

        public Builder timestamps(boolean v) {
            timestamps = v;
            return this;
        }

        public Builder sack(boolean v) {
            sack = v;
            return this;
        }

        public Builder initialRto(Duration v) {
            initialRto = v;
            return this;
        }

        public Builder minRto(Duration v) {
            minRto = v;
            return this;
        }

        public Builder maxRto(Duration v) {
            maxRto = v;
            return this;
        }

        public Builder maxRetries(int v) {
            maxRetries = v;
            return this;
        }

        public Builder synRetries(int v) {
            synRetries = v;
            return this;
        }

        public Builder delayedAck(Duration v) {
            delayedAck = v;
            return this;
        }

        public Builder msl(Duration v) {
            msl = v;
            return this;
        }

        public Builder keepaliveIdle(Duration v) {
            keepaliveIdle = v;
            return this;
        }

        public Builder keepaliveInterval(Duration v) {
            keepaliveInterval = v;
            return this;
        }

        public Builder keepaliveProbes(int v) {
            keepaliveProbes = v;
            return this;
        }

        public Builder nagle(boolean v) {
            nagle = v;
            return this;
        }

        public Builder congestionControl(String v) {
            congestionControl = v;
            return this;
        }

        public Builder listenBacklog(int v) {
            listenBacklog = v;
            return this;
        }

        public Builder synQueue(int v) {
            synQueue = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder challengeAckRate(int v) {
            challengeAckRate = v;
            return this;
        }

        public Builder challengeAckInterval(Duration v) {
            challengeAckInterval = v;
            return this;
        }

        public Builder synCookiePeriod(Duration v) {
            synCookiePeriod = v;
            return this;
        }

        public Builder maxConnectionsPerSource(int v) {
            maxConnectionsPerSource = v;
            return this;
        }

        public Builder maxHalfOpenPerSource(int v) {
            maxHalfOpenPerSource = v;
            return this;
        }

        public Builder maxConnectionsPerListener(int v) {
            maxConnectionsPerListener = v;
            return this;
        }

        public Builder maxTimeWaits(int v) {
            maxTimeWaits = v;
            return this;
        }

        public TcpConfig build() {
            return new TcpConfig(sendBuffer, receiveBuffer, windowScaling, timestamps, sack, initialRto, minRto, maxRto, maxRetries, synRetries, delayedAck, msl, keepaliveIdle, keepaliveInterval, keepaliveProbes, nagle, congestionControl, listenBacklog, synQueue, maxConnections, challengeAckRate, challengeAckInterval, synCookiePeriod,
                    maxConnectionsPerSource, maxHalfOpenPerSource, maxConnectionsPerListener, maxTimeWaits);
        }
    }
}
