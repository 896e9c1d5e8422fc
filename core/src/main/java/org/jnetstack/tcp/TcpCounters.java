package org.jnetstack.tcp;

import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Malformed;

/** TCP's counters (lwIP's stats): segments, drops by reason, opens, refusals, recovery events. */
final class TcpCounters {
    final Counter rxSegments;
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    final Counter rxNotUnicast;
    final Counter txSegments;
    final Counter txResets;
    final Counter rxResets;
    final Counter activeOpens;
    final Counter passiveOpens;
    final Counter listenOverflows;
    final Counter synQueueFull;
    final Counter connectionLimit;
    final Counter retransmits;
    final Counter pathMtuReports;
    final Counter pathMtuMssLowered;
    final Counter pathMtuMssRaised;
    final Counter pathMtuResendLimited;
    final Counter icmpNoConnection;
    final Counter icmpBadSequence;
    final Counter timeouts;
    final Counter fastRetransmits;
    final Counter dupAcks;
    final Counter challengeAcks;
    final Counter challengeAcksLimitedPerConnection;
    final Counter challengeAcksLimitedGlobal;
    final Counter outOfWindowAcksLimited;
    final Counter pawsRejected;
    final Counter outOfWindow;
    final Counter ackTooNew;
    final Counter windowProbes;
    final Counter keepalives;
    final Counter aborts;
    final Counter synRequests;
    final Counter refusedMemory;
    final Counter refusedPerSource;
    final Counter refusedPerSourceHalfOpen;
    final Counter refusedPerListener;
    final Counter pressureCookies;
    final Counter timeWaitsRecycled;
    final Counter timeWaitOverflow;
    final Counter cookiesSent;
    final Counter cookiesAccepted;
    final Counter cookieAcksDeferred;

    TcpCounters(Counters counters) {
        rxSegments = counters.counter("tcp.rx.segments");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter("tcp.rx.drop." + m.id());
        }
        rxNotUnicast = counters.counter("tcp.rx.drop.not_unicast");
        rxResets = counters.counter("tcp.rx.resets");
        txSegments = counters.counter("tcp.tx.segments");
        txResets = counters.counter("tcp.tx.resets");
        activeOpens = counters.counter("tcp.active_opens");
        passiveOpens = counters.counter("tcp.passive_opens");
        listenOverflows = counters.counter("tcp.listen_overflows");
        synQueueFull = counters.counter("tcp.syn_queue_full");
        connectionLimit = counters.counter("tcp.connection_limit");
        retransmits = counters.counter("tcp.retransmitted_segments");
        pathMtuReports = counters.counter("tcp.icmp.path_mtu_reports");
        pathMtuMssLowered = counters.counter("tcp.pmtu.mss_lowered");
        pathMtuMssRaised = counters.counter("tcp.pmtu.mss_raised");
        pathMtuResendLimited = counters.counter("tcp.pmtu.resend_limited");
        icmpNoConnection = counters.counter("tcp.icmp.no_connection");
        icmpBadSequence = counters.counter("tcp.icmp.bad_sequence");
        timeouts = counters.counter("tcp.timeouts");
        fastRetransmits = counters.counter("tcp.fast_retransmits");
        dupAcks = counters.counter("tcp.dup_acks");
        challengeAcks = counters.counter("tcp.challenge_acks");
        challengeAcksLimitedPerConnection = counters.counter("tcp.challenge_acks_limited_per_connection");
        challengeAcksLimitedGlobal = counters.counter("tcp.challenge_acks_limited_global");
        outOfWindowAcksLimited = counters.counter("tcp.out_of_window_acks_limited");
        pawsRejected = counters.counter("tcp.paws_rejected");
        outOfWindow = counters.counter("tcp.rx.out_of_window");
        ackTooNew = counters.counter("tcp.rx.ack_too_new");
        windowProbes = counters.counter("tcp.window_probes");
        keepalives = counters.counter("tcp.keepalive_probes");
        aborts = counters.counter("tcp.aborts");
        synRequests = counters.counter("tcp.syn_requests");
        refusedMemory = counters.counter("tcp.refused.memory");
        refusedPerSource = counters.counter("tcp.refused.per_source");
        refusedPerSourceHalfOpen = counters.counter("tcp.refused.per_source_half_open");
        refusedPerListener = counters.counter("tcp.refused.per_listener");
        pressureCookies = counters.counter("tcp.syn_cookies_memory_pressure");
        timeWaitsRecycled = counters.counter("tcp.time_wait_recycled");
        timeWaitOverflow = counters.counter("tcp.time_wait_overflow");
        cookiesSent = counters.counter("tcp.syn_cookies_sent");
        cookiesAccepted = counters.counter("tcp.syn_cookies_accepted");
        cookieAcksDeferred = counters.counter("tcp.syn_cookies_deferred");
    }

    /** The drop counter for segments malformed in way {@code m}. */
    Counter malformed(Malformed m) {
        return rxMalformed[m.ordinal()];
    }
}
