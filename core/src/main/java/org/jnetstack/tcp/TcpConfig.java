package org.jnetstack.tcp;

import java.time.Duration;

/**
 * Every TCP tunable, its default and why.
 *
 * @param sendBuffer        bytes the application may have written but not yet had acknowledged.
 *                          256 KiB: enough for ~2 Gbit/s at 1 ms RTT; allocated on first write.
 * @param receiveBuffer     bytes held for the application (and out-of-order data); sets the
 *                          advertised window. 256 KiB with window scaling (RFC 7323).
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
 * @param maxConnections    connections of all states in this stack; beyond it new ones are refused.
 * @param challengeAckRate  challenge ACKs per second (RFC 5961 §7).
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
        int challengeAckRate) {

    public TcpConfig {
        if (sendBuffer < 1 || receiveBuffer < 1 || receiveBuffer > (1 << 30) || sendBuffer > (1 << 30)) {
            throw new IllegalArgumentException("buffer sizes must be 1 byte to 1 GiB");
        }
        if (maxRetries < 1 || synRetries < 0 || keepaliveProbes < 1 || listenBacklog < 1 || synQueue < 1
                || maxConnections < 1 || challengeAckRate < 1) {
            throw new IllegalArgumentException("TCP limits must be positive");
        }
    }

    public static TcpConfig defaults() {
        return new TcpConfig(256 * 1024, 256 * 1024, true, true, true,
                Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(60), 15, 6,
                Duration.ofMillis(40), Duration.ofSeconds(30),
                Duration.ofHours(2), Duration.ofSeconds(75), 9, true, "cubic", 128, 256, 65536, 1000);
    }

    public TcpConfig withBuffers(int send, int receive) {
        return new TcpConfig(send, receive, windowScaling, timestamps, sack, initialRto, minRto, maxRto, maxRetries,
                synRetries, delayedAck, msl, keepaliveIdle, keepaliveInterval, keepaliveProbes, nagle, congestionControl,
                listenBacklog, synQueue, maxConnections, challengeAckRate);
    }

    public TcpConfig withSack(boolean on) {
        return new TcpConfig(sendBuffer, receiveBuffer, windowScaling, timestamps, on, initialRto, minRto, maxRto,
                maxRetries, synRetries, delayedAck, msl, keepaliveIdle, keepaliveInterval, keepaliveProbes, nagle,
                congestionControl, listenBacklog, synQueue, maxConnections, challengeAckRate);
    }

    public TcpConfig withCongestionControl(String name) {
        return new TcpConfig(sendBuffer, receiveBuffer, windowScaling, timestamps, sack, initialRto, minRto, maxRto,
                maxRetries, synRetries, delayedAck, msl, keepaliveIdle, keepaliveInterval, keepaliveProbes, nagle,
                name, listenBacklog, synQueue, maxConnections, challengeAckRate);
    }

    public TcpConfig withOptions(boolean windowScaling, boolean timestamps, boolean sack) {
        return new TcpConfig(sendBuffer, receiveBuffer, windowScaling, timestamps, sack, initialRto, minRto, maxRto,
                maxRetries, synRetries, delayedAck, msl, keepaliveIdle, keepaliveInterval, keepaliveProbes, nagle,
                congestionControl, listenBacklog, synQueue, maxConnections, challengeAckRate);
    }

    public TcpConfig withKeepalive(Duration idle, Duration interval, int probes) {
        return new TcpConfig(sendBuffer, receiveBuffer, windowScaling, timestamps, sack, initialRto, minRto, maxRto,
                maxRetries, synRetries, delayedAck, msl, idle, interval, probes, nagle,
                congestionControl, listenBacklog, synQueue, maxConnections, challengeAckRate);
    }
}
