package org.jnetstack.tcp;

import java.time.Duration;
import org.jnetstack.tcp.cc.CongestionControls;

/**
 * Every TCP tunable (lwIP's {@code opt.h} for TCP, in one record). Each component's default is
 * the {@code DEFAULT_} constant of the same name below, documented there with its reason;
 * {@link #defaults()} is made of them, and {@link #toBuilder()} or the {@code withX} methods
 * change some. The compact constructor checks every value and names the accepted range.
 *
 * @param sendBuffer        bytes the application may have written but not yet had acknowledged
 * @param receiveBuffer     bytes held for the application (and out-of-order data); bounds the advertised window
 * @param windowScaling     offer RFC 7323 window scaling
 * @param timestamps        offer RFC 7323 timestamps (PAWS, and echo for the peer's RTT)
 * @param sack              offer RFC 2018 SACK and use RFC 6675 loss recovery
 * @param initialRto        retransmission timeout before the first RTT sample
 * @param minRto            lower bound of the retransmission timeout
 * @param maxRto            upper bound of the retransmission timeout
 * @param maxRetries        retransmissions of one segment before the connection is declared dead
 * @param synRetries        SYN retransmissions before connect() fails
 * @param delayedAck        longest an ACK waits
 * @param msl               maximum segment lifetime; TIME-WAIT lasts 2 MSL (RFC 9293 §3.4.2)
 * @param keepaliveIdle     idle time before the first keepalive probe
 * @param keepaliveInterval time between keepalive probes
 * @param keepaliveProbes   unanswered probes before the connection is dropped
 * @param nagle             Nagle's algorithm on by default (a connection may set no-delay)
 * @param congestionControl the congestion controller's name: one of {@link CongestionControls#names()}
 * @param listenBacklog     default accept-queue bound of a listener
 * @param synQueue          half-open connections per listener; beyond it SYN cookies answer (RFC 4987)
 * @param maxConnections    connections in this stack, any state but TIME-WAIT; beyond it new ones are refused
 * @param challengeAckRate  challenge ACKs per second for all connections together (RFC 5961 §7), on average
 * @param challengeAckInterval least time between two ACKs one connection sends in answer to invalid segments
 * @param synCookiePeriod   life of one SYN-cookie key (RFC 4987 §3.6)
 * @param maxConnectionsPerSource connections (any state) one remote address may have through our listeners
 * @param maxHalfOpenPerSource half-open connections (SYN-RECEIVED) one remote address may have
 * @param maxConnectionsPerListener connections one listener may have at once
 * @param maxTimeWaits      connections waiting out TIME-WAIT, each a small record
 * @param maxReceiveRanges  out-of-order ranges a receive buffer keeps track of
 * @param maxSackRanges     SACKed ranges the sender's scoreboard keeps track of (RFC 6675 §3)
 * @param socketRing        bytes of each ring between an application thread and its connection, in
 *                          blocking sockets and NIO channels (the TCP buffers come on top)
 * @param sumWhileCopying   payloads of this many bytes or more are checksummed while they are
 *                          copied into or out of the TCP buffers, smaller ones in a second pass
 * @param pathMtuDiscovery  IPv4 segments carry DF and a validated "fragmentation needed" lowers the
 *                          path MTU and the MSS (RFC 1191); over IPv6 Packet Too Big is always followed
 * @param minPathMtu        the smallest IPv4 path MTU a "fragmentation needed" may set (RFC 5927 §7); the
 *                          stack's TcpConfig sets it for every connection (a connection's own config does not)
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
        int maxTimeWaits,
        int maxReceiveRanges,
        int maxSackRanges,
        int socketRing,
        int sumWhileCopying,
        boolean pathMtuDiscovery,
        int minPathMtu) {

    /** The largest send or receive buffer: RFC 7323 §2.3 caps a window at 2^30 bytes. */
    public static final int MAX_BUFFER = 1 << 30;
    /** The most out-of-order or SACKed ranges one connection may track: each costs a few words and an array shift. */
    public static final int MAX_RANGES = 4096;

    /**
     * 256 KiB: enough for ~2 Gbit/s at 1 ms RTT. The most a connection's send ring may grow to:
     * it takes pages from the stack's memory budget as data is queued and gives them back once
     * everything is acknowledged.
     */
    public static final int DEFAULT_SEND_BUFFER = 256 * 1024;
    /**
     * 256 KiB, with window scaling (RFC 7323). Taken in pages as data arrives, given back once it
     * is read; the window never offers more than the memory budget can still give.
     */
    public static final int DEFAULT_RECEIVE_BUFFER = 256 * 1024;
    /** On: without it no window exceeds 64 KiB (RFC 7323 §2). */
    public static final boolean DEFAULT_WINDOW_SCALING = true;
    /** On: RTT samples from every ACK and PAWS (RFC 7323 §3, §5). */
    public static final boolean DEFAULT_TIMESTAMPS = true;
    /** On: a loss costs one retransmission, not a window of them (RFC 2018, RFC 6675). */
    public static final boolean DEFAULT_SACK = true;
    /** RFC 6298 §2.1: 1 s before the first RTT sample. */
    public static final Duration DEFAULT_INITIAL_RTO = Duration.ofSeconds(1);
    /**
     * 200 ms. RFC 6298 §2.4 says 1 s; 200 ms is what Linux and most stacks use, and avoids idling
     * on LANs.
     */
    public static final Duration DEFAULT_MIN_RTO = Duration.ofMillis(200);
    /** 60 s: RFC 6298 §2.5 allows a maximum of 60 s or more. */
    public static final Duration DEFAULT_MAX_RTO = Duration.ofSeconds(60);
    /** 15, like Linux's {@code tcp_retries2} (~15 min): RFC 1122 §4.2.3.5 R2. */
    public static final int DEFAULT_MAX_RETRIES = 15;
    /** 6, like Linux: connect() gives up after ~2 min. */
    public static final int DEFAULT_SYN_RETRIES = 6;
    /**
     * 40 ms, like Linux's minimum. RFC 1122 §4.2.3.2 allows at most 500 ms; RFC 5681 §4.2 and
     * RFC 9293 at most 200 ms.
     */
    public static final Duration DEFAULT_DELAYED_ACK = Duration.ofMillis(40);
    /** 30 s, so TIME-WAIT lasts a minute (RFC 9293 §3.4.2). */
    public static final Duration DEFAULT_MSL = Duration.ofSeconds(30);
    /** 2 hours: RFC 1122 §4.2.3.6 asks for at least that. */
    public static final Duration DEFAULT_KEEPALIVE_IDLE = Duration.ofHours(2);
    /** 75 s, Linux's {@code tcp_keepalive_intvl}. */
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(75);
    /** 9, Linux's {@code tcp_keepalive_probes}. */
    public static final int DEFAULT_KEEPALIVE_PROBES = 9;
    /** On: RFC 896, as RFC 1122 §4.2.3.4 asks; a connection may set no-delay. */
    public static final boolean DEFAULT_NAGLE = true;
    /** "cubic" (RFC 9438), as in Linux; "newreno" (RFC 5681 + RFC 6582) is the other choice. */
    public static final String DEFAULT_CONGESTION_CONTROL = CongestionControls.DEFAULT;
    /** 128, Linux's {@code SOMAXCONN} of old: a listener's accept queue when the application names none. */
    public static final int DEFAULT_LISTEN_BACKLOG = 128;
    /** 256 half-open connections per listener before SYN cookies answer (RFC 4987). */
    public static final int DEFAULT_SYN_QUEUE = 256;
    /**
     * 65536 connections in any state but TIME-WAIT (kept apart as small records, see
     * {@link #DEFAULT_MAX_TIME_WAITS}); beyond it new ones are refused. Their buffers are bounded
     * by the memory budget apart.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 65536;
    /**
     * 1000 challenge ACKs per second, Linux's old default. Each second's budget is drawn at random
     * between half and one and a half times this (Linux since 4.7), so that an off-path attacker
     * cannot count the ACKs other connections drew (CVE-2016-5696).
     */
    public static final int DEFAULT_CHALLENGE_ACK_RATE = 1000;
    /**
     * 500 ms, Linux's {@code tcp_invalid_ratelimit}, between two ACKs one connection sends in
     * answer to invalid segments (challenge ACKs, RFC 5961 §3.2/§4.2/§5.2, and ACKs for data-less
     * segments outside the window): a forger draws at most two a second from a connection, and two
     * confused ends cannot ACK each other in a loop.
     */
    public static final Duration DEFAULT_CHALLENGE_ACK_INTERVAL = Duration.ofMillis(500);
    /**
     * 64 s: a new key from the stack's secrets every period; a cookie is accepted in the period it
     * was made and the next, then its key is forgotten — as long as the SYN-ACK retransmissions a
     * handshake may need.
     */
    public static final Duration DEFAULT_SYN_COOKIE_PERIOD = Duration.ofSeconds(64);
    /**
     * 1024: far below {@link #DEFAULT_MAX_CONNECTIONS}, so one client cannot take the stack, and far
     * above what a browser or a NAT of a few hosts opens. Beyond it the source's SYNs are dropped
     * (counted {@code tcp.refused.per_source}).
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 1024;
    /**
     * 64: a quarter of the SYN queue, so one SYN flooder cannot push everyone else onto SYN
     * cookies. Beyond it the source's SYNs are dropped (counted {@code tcp.refused.per_source_half_open}).
     */
    public static final int DEFAULT_MAX_HALF_OPEN_PER_SOURCE = 64;
    /**
     * 16384 (half-open, waiting to be accepted, or accepted and not yet ended): a quarter of
     * {@link #DEFAULT_MAX_CONNECTIONS}, so one service under attack leaves room for the others (the
     * admin page, ssh-like consoles). Beyond it SYNs are dropped (counted {@code tcp.refused.per_listener}).
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_LISTENER = 16384;
    /**
     * 65536 records of 80 bytes: 5 MiB, a minute of 1,000 closes a second. Beyond it the oldest
     * wait ends early (counted {@code tcp.time_wait_overflow}), as Linux's {@code tcp_max_tw_buckets}
     * bounds them.
     */
    public static final int DEFAULT_MAX_TIME_WAITS = 65536;
    /**
     * 64 out-of-order ranges: far more holes than a window of real loss makes, while a peer sending
     * scattered bytes holds the bookkeeping small. A segment that would need one more range is not
     * stored (the peer retransmits it).
     */
    public static final int DEFAULT_MAX_RECEIVE_RANGES = 64;
    /**
     * 64 SACKed ranges; when a block needs one more, the highest range is forgotten, which is safe:
     * those bytes merely look un-SACKed and may be retransmitted needlessly.
     */
    public static final int DEFAULT_MAX_SACK_RANGES = 64;
    /**
     * 64 KiB per direction: a reader or writer thread moves that much per wake-up, and an idle
     * socket holds no ring (each is allocated on first use). The ring is also never larger than
     * the connection's own buffer.
     */
    public static final int DEFAULT_SOCKET_RING = 64 * 1024;

    public TcpConfig {
        requireRange("sendBuffer", sendBuffer, 1, MAX_BUFFER, "1 byte to 1 GiB");
        requireRange("receiveBuffer", receiveBuffer, 1, MAX_BUFFER, "1 byte to 1 GiB");
        requirePositive("initialRto", initialRto);
        requirePositive("minRto", minRto);
        requirePositive("maxRto", maxRto);
        requireRange("maxRetries", maxRetries, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("synRetries", synRetries, 0, Integer.MAX_VALUE, "at least 0");
        requireNotNegative("delayedAck", delayedAck);
        requireNotNegative("msl", msl);
        requirePositive("keepaliveIdle", keepaliveIdle);
        requirePositive("keepaliveInterval", keepaliveInterval);
        requireRange("keepaliveProbes", keepaliveProbes, 1, Integer.MAX_VALUE, "at least 1");
        CongestionControls.requireKnown(congestionControl);
        requireRange("listenBacklog", listenBacklog, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("synQueue", synQueue, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("maxConnections", maxConnections, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("challengeAckRate", challengeAckRate, 1, Integer.MAX_VALUE, "at least 1");
        requireNotNegative("challengeAckInterval", challengeAckInterval);
        if (synCookiePeriod == null || synCookiePeriod.toMillis() < 1) {
            throw new IllegalArgumentException("synCookiePeriod must be at least 1 ms: " + synCookiePeriod);
        }
        requireRange("maxConnectionsPerSource", maxConnectionsPerSource, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("maxHalfOpenPerSource", maxHalfOpenPerSource, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("maxConnectionsPerListener", maxConnectionsPerListener, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("maxTimeWaits", maxTimeWaits, 1, Integer.MAX_VALUE, "at least 1");
        requireRange("maxReceiveRanges", maxReceiveRanges, 1, MAX_RANGES, "1-" + MAX_RANGES);
        requireRange("maxSackRanges", maxSackRanges, 1, MAX_RANGES, "1-" + MAX_RANGES);
        requireRange("socketRing", socketRing, 1, MAX_BUFFER, "1 byte to 1 GiB");
        requireRange("sumWhileCopying", sumWhileCopying, 1, Integer.MAX_VALUE,
                "at least 1 byte (a size above the largest segment turns it off)");
        requireRange("minPathMtu", minPathMtu, 68, 65535, "68-65535 (RFC 791 §3.2)");
    }

    private static void requireRange(String name, int value, int min, int max, String range) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + range + ": " + value);
        }
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration: " + d);
        }
    }

    private static void requireNotNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive: " + d);
        }
    }

    /**
     * 4096 bytes: one pass over a payload's bytes instead of two pays for its staging only when
     * the bytes would leave L1 between the passes — measured in one JVM, +14 % per CPU-second at
     * MTU 9000 and −10 % at MTU 1500 when every payload was summed while copying.
     */
    public static final int DEFAULT_SUM_WHILE_COPYING = 4096;
    /**
     * On, as Linux: segments are sent with DF, so a narrower path tells us its MTU (RFC 1191)
     * instead of fragmenting every segment or, behind a filter that drops ICMP, losing them.
     */
    public static final boolean DEFAULT_PATH_MTU_DISCOVERY = true;
    /**
     * 576, the datagram every IPv4 host accepts (RFC 791 §3.2; Linux's floor is 552): a forged
     * "fragmentation needed" with a tiny MTU cannot shrink segments below 536 payload bytes
     * (RFC 5927 §7).
     */
    public static final int DEFAULT_MIN_PATH_MTU = 576;

    /** Every {@code DEFAULT_} value. */
    public static TcpConfig defaults() {
        return new TcpConfig(DEFAULT_SEND_BUFFER, DEFAULT_RECEIVE_BUFFER, DEFAULT_WINDOW_SCALING, DEFAULT_TIMESTAMPS,
                DEFAULT_SACK, DEFAULT_INITIAL_RTO, DEFAULT_MIN_RTO, DEFAULT_MAX_RTO, DEFAULT_MAX_RETRIES,
                DEFAULT_SYN_RETRIES, DEFAULT_DELAYED_ACK, DEFAULT_MSL, DEFAULT_KEEPALIVE_IDLE,
                DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_PROBES, DEFAULT_NAGLE, DEFAULT_CONGESTION_CONTROL,
                DEFAULT_LISTEN_BACKLOG, DEFAULT_SYN_QUEUE, DEFAULT_MAX_CONNECTIONS, DEFAULT_CHALLENGE_ACK_RATE,
                DEFAULT_CHALLENGE_ACK_INTERVAL, DEFAULT_SYN_COOKIE_PERIOD, DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
                DEFAULT_MAX_HALF_OPEN_PER_SOURCE, DEFAULT_MAX_CONNECTIONS_PER_LISTENER, DEFAULT_MAX_TIME_WAITS,
                DEFAULT_MAX_RECEIVE_RANGES, DEFAULT_MAX_SACK_RANGES, DEFAULT_SOCKET_RING, DEFAULT_SUM_WHILE_COPYING,
                DEFAULT_PATH_MTU_DISCOVERY, DEFAULT_MIN_PATH_MTU);
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
        private int maxReceiveRanges;
        private int maxSackRanges;
        private int socketRing;
        private int sumWhileCopying;
        private boolean pathMtuDiscovery;
        private int minPathMtu;

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
            maxReceiveRanges = c.maxReceiveRanges;
            maxSackRanges = c.maxSackRanges;
            socketRing = c.socketRing;
            sumWhileCopying = c.sumWhileCopying;
            pathMtuDiscovery = c.pathMtuDiscovery;
            minPathMtu = c.minPathMtu;
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

        public Builder maxReceiveRanges(int v) {
            maxReceiveRanges = v;
            return this;
        }

        public Builder maxSackRanges(int v) {
            maxSackRanges = v;
            return this;
        }

        public Builder socketRing(int v) {
            socketRing = v;
            return this;
        }

        public Builder sumWhileCopying(int v) {
            sumWhileCopying = v;
            return this;
        }

        public Builder pathMtuDiscovery(boolean v) {
            pathMtuDiscovery = v;
            return this;
        }

        public Builder minPathMtu(int v) {
            minPathMtu = v;
            return this;
        }

        public TcpConfig build() {
            return new TcpConfig(sendBuffer, receiveBuffer, windowScaling, timestamps, sack, initialRto, minRto, maxRto,
                    maxRetries, synRetries, delayedAck, msl, keepaliveIdle, keepaliveInterval, keepaliveProbes, nagle,
                    congestionControl, listenBacklog, synQueue, maxConnections, challengeAckRate, challengeAckInterval,
                    synCookiePeriod, maxConnectionsPerSource, maxHalfOpenPerSource, maxConnectionsPerListener,
                    maxTimeWaits, maxReceiveRanges, maxSackRanges, socketRing, sumWhileCopying, pathMtuDiscovery, minPathMtu);
        }
    }
}
