package org.jnetstack.tcp;

import org.jnetstack.loop.Timer;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * Connections in TIME-WAIT, each kept as a record of some 100 bytes instead of a whole
 * {@link TcpConnection} (Linux's timewait "minisock"): the 4-tuple, the sequence numbers, the
 * window and timestamps needed to answer the peer, and when the 2 MSL wait ends (RFC 9293
 * §3.4.2). Its buffers, timers and estimators are gone; the connection object the application
 * holds reports TIME_WAIT until the record ends, then CLOSED.
 *
 * <p>A record answers as the connection would have (RFC 9293 §3.10.7.4 in TIME-WAIT): a stale
 * timestamp (RFC 7323 §5 PAWS) or an unacceptable segment draws an ACK (out-of-window ones
 * rate-limited, RFC 5961); an exact RST ends the wait; an in-window RST or a SYN draws a challenge
 * ACK (RFC 5961 §3.2, §4.2); a retransmitted FIN is acknowledged and restarts the 2 MSL wait.
 * Records wait in one list ordered by deadline, under one timer. Loop thread only.
 */
final class TimeWaits {
    private static final long PAWS_IDLE_MILLIS = 24L * 24 * 3600 * 1000; // RFC 7323 §5.5

    /** One connection in TIME-WAIT. */
    static final class Record {
        final FourTuple tuple;
        final int sndMax;      // our FIN + 1, acknowledged (SND.UNA = SND.MAX): every ACK we send carries it
        final int maxSndWnd;   // for the RFC 5961 §5.2 check of old ACKs
        final int rcvNxt;      // their FIN + 1
        final int rcvWindow;   // the window already advertised beyond rcvNxt (acceptability)
        final byte rcvWscale;  // our window field is rcvWindow >> rcvWscale (RFC 7323 §2.3)
        final boolean tsOk;
        final int tsOffset;
        int tsRecent;
        int tsRecentAgeMillis; // loop clock, in ms: PAWS's 24-day idle rule needs no more
        int lastInvalidAckMillis; // loop clock, in ms: the last challenge or out-of-window ACK (RFC 5961 rate limit)
        final int waitMillis;  // 2 MSL
        long deadline;
        boolean ended;
        Record sameKeyNext;
        Record prev;
        Record next;

        /** What connection {@code c}, entering TIME-WAIT with its window advertised, must keep answering for. */
        Record(TcpConnection c) {
            this.tuple = c.tuple;
            this.sndMax = c.sndMax;
            this.maxSndWnd = (int) Math.min(c.maxSndWnd, Integer.MAX_VALUE);
            this.rcvNxt = c.rcvNxt;
            this.rcvWindow = (int) c.sender.currentAdvertisedWindow();
            this.rcvWscale = (byte) c.rcvWscale;
            this.tsOk = c.tsOk;
            this.tsOffset = c.tsOffset;
            this.tsRecent = c.tsRecent;
            this.tsRecentAgeMillis = (int) (c.tsRecentAge / 1_000_000L);
            this.waitMillis = (int) Math.min(Integer.MAX_VALUE, 2 * c.config.msl().toNanos() / 1_000_000L);
            // The record goes on with the connection's challenge-ACK interval (a never-used one: long enough ago).
            long nowMillis = c.now() / 1_000_000L;
            this.lastInvalidAckMillis = (int) (c.lastInvalidAckNanos == Long.MIN_VALUE
                    ? nowMillis - (1 << 30) : c.lastInvalidAckNanos / 1_000_000L);
        }

        int windowField() {
            return (int) Math.min(65535, (long) rcvWindow >> rcvWscale);
        }

        int localPort() {
            return tuple.localPort;
        }

        int remotePort() {
            return tuple.remotePort;
        }

        /** False once the wait ended (2 MSL passed, an exact RST, or the 4-tuple was taken again). */
        boolean waiting() {
            return !ended;
        }
    }

    private final Tcp tcp;
    private final TupleTable<Record> table = new TupleTable<>(r -> r.tuple, r -> r.sameKeyNext,
            (r, next) -> r.sameKeyNext = next);
    private Record oldest;
    private Record newest;
    private Timer timer;

    TimeWaits(Tcp tcp) {
        this.tcp = tcp;
    }

    int size() {
        return table.size();
    }

    Record get(long key, long localHi, long localLo, long remoteHi, long remoteLo, int remotePort, int localPort) {
        return table.get(key, localHi, localLo, remoteHi, remoteLo, remotePort, localPort);
    }

    Record get(FourTuple t) {
        return table.get(t);
    }

    /**
     * Starts the wait of {@code r} (the connection was taken out of the connection table). At
     * {@code max} records the oldest wait ends first (Linux's {@code tcp_max_tw_buckets}); returns
     * whether one had to.
     */
    boolean enter(Record r, int max) {
        Record old = table.get(r.tuple);
        if (old != null) {
            end(old);
        }
        boolean overflow = table.size() >= max && oldest != null;
        if (overflow) {
            end(oldest);
        }
        table.add(r);
        schedule(r);
        return overflow;
    }

    /** Ends the wait of {@code r} now (no-op if it already ended). */
    void end(Record r) {
        if (r.ended) {
            return;
        }
        r.ended = true;
        table.remove(r);
        unlink(r);
    }

    /** Whether a connection waiting here has local port {@code port} (a walk over all: for a bind, not per segment). */
    boolean usesLocalPort(int port) {
        for (Record r = oldest; r != null; r = r.next) {
            if (r.localPort() == port) {
                return true;
            }
        }
        return false;
    }

    private void schedule(Record r) {
        r.deadline = now() + r.waitMillis * 1_000_000L;
        // Insert by deadline, from the newest end: with one MSL for all, always at the end.
        Record after = newest;
        while (after != null && after.deadline - r.deadline > 0) {
            after = after.prev;
        }
        r.prev = after;
        r.next = after == null ? oldest : after.next;
        if (r.next != null) {
            r.next.prev = r;
        } else {
            newest = r;
        }
        if (after != null) {
            after.next = r;
        } else {
            oldest = r;
        }
        armTimer();
    }

    private void unlink(Record r) {
        if (r.prev != null) {
            r.prev.next = r.next;
        } else if (oldest == r) {
            oldest = r.next;
        }
        if (r.next != null) {
            r.next.prev = r.prev;
        } else if (newest == r) {
            newest = r.prev;
        }
        r.prev = null;
        r.next = null;
    }

    private void armTimer() {
        if (oldest == null) {
            return;
        }
        if (timer == null) {
            timer = tcp.loop().newTimer(this::expire);
        }
        long delay = Math.max(0, oldest.deadline - now());
        timer.schedule(delay);
    }

    private void expire() {
        long now = now();
        while (oldest != null && oldest.deadline - now <= 0) {
            end(oldest);
        }
        armTimer();
    }

    /** A segment for {@code r}'s 4-tuple (its checks passed), answered as RFC 9293 §3.10.7.4 says for TIME-WAIT. */
    void input(Record r, TcpSegment seg, TcpOptions opts) {
        int seq = seg.sequenceNumber();
        int flags = seg.flags();
        boolean rst = (flags & TcpSegment.RST) != 0;
        boolean syn = (flags & TcpSegment.SYN) != 0;
        if (r.tsOk && opts.hasTimestamps() && !rst && Seq.lt(opts.tsVal(), r.tsRecent)
                && now() / 1_000_000L - r.tsRecentAgeMillis < PAWS_IDLE_MILLIS) {
            tcp.counters.pawsRejected.inc(); // RFC 7323 §5.3
            sendAck(r);
            return;
        }
        int segLen = seg.sequenceLength();
        int wnd = r.rcvWindow;
        if (!rst && (flags & (TcpSegment.FIN | TcpSegment.ACK)) == (TcpSegment.FIN | TcpSegment.ACK)
                && seq + segLen == r.rcvNxt && !Seq.gt(seg.acknowledgmentNumber(), r.sndMax)) {
            // §3.10.7.4, TIME-WAIT: the peer's FIN again (our ACK of it was lost). It ends just
            // below RCV.NXT, so it is not acceptable, but it is the one thing expected here:
            // acknowledge it and restart the 2 MSL wait.
            unlink(r);
            schedule(r);
            sendAck(r);
            return;
        }
        if (!SegmentArrival.acceptable(r.rcvNxt, wnd, seq, segLen) && !(wnd == 0 && seq == r.rcvNxt)) {
            if (!rst) {
                tcp.counters.outOfWindow.inc();
                if (tcp.challengeAcks.invalidAckAllowed(r)) {
                    sendAck(r);
                }
            }
            return;
        }
        if (rst) {
            if (seq == r.rcvNxt) {
                end(r);
            } else {
                challengeAck(r);
            }
            return;
        }
        if (syn) {
            challengeAck(r);
            return;
        }
        if ((flags & TcpSegment.ACK) == 0) {
            return;
        }
        if (r.tsOk && opts.hasTimestamps() && Seq.le(seq, r.rcvNxt) && Seq.lt(r.rcvNxt, seq + Math.max(segLen, 1))) {
            r.tsRecent = opts.tsVal(); // RFC 7323 §4.3
            r.tsRecentAgeMillis = (int) (now() / 1_000_000L);
        }
        int ack = seg.acknowledgmentNumber();
        if (Seq.gt(ack, r.sndMax)) {
            tcp.counters.ackTooNew.inc();
            sendAck(r);
            return;
        }
        if (Seq.lt(ack, r.sndMax - r.maxSndWnd)) {
            challengeAck(r);
            return;
        }
        int len = seg.payloadLength();
        boolean ackNow = len > 0 && wnd == 0;
        if ((flags & TcpSegment.FIN) != 0 && !(len > 0 && wnd == 0)) {
            ackNow = true;
            unlink(r);
            schedule(r); // RFC 9293: a FIN restarts the 2 MSL wait
        }
        if (ackNow) {
            sendAck(r);
        }
    }

    /** A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), if the limits allow one now. */
    private void challengeAck(Record r) {
        if (tcp.challengeAcks.allowed(r)) {
            sendAck(r);
        }
    }

    private void sendAck(Record r) {
        TcpOptions o = tcp.writer.txOptions().clear();
        if (r.tsOk) {
            o.setTimestamps((int) (now() / 1_000_000L) + r.tsOffset, r.tsRecent);
        }
        tcp.writer.sendBare(r.tuple, tcp.writer.bareHeader().ports(r.localPort(), r.remotePort())
                .segment(r.sndMax, r.rcvNxt, TcpSegment.ACK, r.windowField()).options(o));
    }

    private long now() {
        return tcp.loop().clock().nanos();
    }
}
