package org.jnetstack.tcp;

import java.net.SocketTimeoutException;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.loop.BatchEndTask;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * Output and retransmission for one connection: what the windows, congestion control, Nagle and
 * SWS avoidance let out (RFC 9293 §3.8, RFC 1122 §4.2.3.4, RFC 5681), SACK-based recovery (RFC
 * 6675), the retransmission timeout (RFC 6298), the window we advertise (RFC 1122 §4.2.3.3), pure
 * ACKs, SYNs and probes. It works on the connection's variables ({@link TcpConnection}, the TCB).
 */
final class Sender {
    private static final int DUP_THRESH = SackScoreboard.DUP_THRESH; // RFC 5681 §3.2, RFC 6675 §2

    private final TcpConnection c;
    /** The every-second-segment ACK waits for the end of the receive batch ({@link #ackAtBatchEnd()}). */
    private boolean ackAtBatchEnd;
    /** {@link #output} waits for the end of the receive batch ({@link #outputAtBatchEnd()}). */
    private boolean outputAtBatchEnd;
    private BatchEndTask batchEnd; // made on first use: the connection's loop is not known yet when this is built

    Sender(TcpConnection c) {
        this.c = c;
    }

    /** Our SYN (active open, or with {@code ack} the SYN-ACK of RFC 9293 §3.5), with the options we offer. */
    void sendSyn(boolean ack) {
        TcpOptions o = c.tcp.writer.txOptions().clear();
        o.setMss(c.tcp.mssFor(c.tuple));
        boolean offerWs = c.config.windowScaling() && (!ack || c.wscaleOk);
        if (offerWs) {
            o.setWindowScale(c.rcvWscale);
        }
        if (c.config.sack() && (!ack || c.sackOk)) {
            o.setSackPermitted(true);
        }
        if (c.config.timestamps() && (!ack || c.tsOk)) {
            o.setTimestamps(c.tsValue(), ack ? c.tsRecent : 0);
        }
        int window = (int) Math.min(65535, c.receiveBuffer.window());
        c.rcvAdvEdge = c.rcvNxt + window;
        c.header.segment(c.iss, ack ? c.rcvNxt : 0, TcpSegment.SYN | (ack ? TcpSegment.ACK : 0), window).options(o);
        c.tcp.writer.sendSegment(c, 0, 0, 0);
        c.sndNxt = c.iss + 1;
        c.sndMax = Seq.max(c.sndMax, c.sndNxt);
        if (ack) {
            ackSent();
        }
    }

    /** The every-second-segment ACK waits for the end of the receive batch ({@link #atBatchEnd}). */
    void ackAtBatchEnd() {
        ackAtBatchEnd = true;
        requestBatchEnd();
    }

    /** {@link #output} waits for the end of the receive batch (see {@link #output}). */
    private void outputAtBatchEnd() {
        outputAtBatchEnd = true;
        requestBatchEnd();
    }

    private void requestBatchEnd() {
        if (batchEnd == null) {
            batchEnd = c.tcp.loop().newBatchEndTask(this::atBatchEnd);
        }
        batchEnd.request();
    }

    /**
     * The end of the receive batch (RFC 1122 §4.2.3.2, RFC 5681 §4.2): the output held back while
     * segments were processed, then the every-second-segment ACK unless something sent since
     * carried it — a connection that received 40 segments in one batch sends one ACK, not 20.
     * Out-of-order data, holes filled and FINs are still acknowledged at once (their ACKs drive
     * the sender's loss recovery).
     */
    private void atBatchEnd() {
        boolean ackWanted = ackAtBatchEnd;
        ackAtBatchEnd = false;
        if (outputAtBatchEnd) {
            outputAtBatchEnd = false;
            output(); // data sent here carries the ACK
        }
        if (ackWanted && c.unackedSegments > 0 && c.state.isLive()) {
            sendAck();
        }
    }

    /** Sends what the windows, Nagle and the state allow; then a pending ACK if none went out. */
    void output() {
        if (!c.state.isLive()) {
            return;
        }
        if (c.tcp.deliveringSegment() && c.offloads.txSegmentation() == 0 && c.state == TcpState.ESTABLISHED
                && !c.finRequested) {
            // While a received segment is processed, the new data its ACK lets out (and what the
            // application writes from onSent) waits for the end of the receive batch. Over a TAP
            // every frame written is the kernel's receive path run inside our write(2); frames
            // written back to back find the kernel's reader still awake instead of waking it (a
            // cross-CPU wake-up) for every one or two segments. Plain data flow over a per-frame
            // device only: handshakes and closes keep their immediate order, and with segmentation
            // offload (few, large writes) waiting for the batch end was measured slower.
            outputAtBatchEnd();
            return;
        }
        if (c.pathMtuChanges != c.tcp.pathMtuChanges(c.tuple) || c.pathMtuCheckAt != 0 && c.now() - c.pathMtuCheckAt >= 0) {
            // Another connection's report lowered a path MTU, perhaps this one's; or the narrower
            // path's estimate may have aged back (RFC 1191 §6.3). What must be resent goes below.
            IcmpErrors.adjustMss(c);
        }
        int sent = 0;
        if (c.inRecovery && c.sackOk) {
            sent += sackRecoveryOutput();
        }
        sent += sendNewData();
        if (sent == 0 && c.ackNow) {
            sendAck();
        }
        if (c.sndMax != c.sndUna && !c.timers.isArmed(ConnectionTimers.RETRANSMIT)) {
            armRto();
        }
    }

    int dataEnd() {
        return c.sndUna + c.sendBuffer.size();
    }

    private int sendNewData() {
        int sentSegments = 0;
        while (true) {
            int dataEnd = dataEnd();
            int unsent = Seq.gt(dataEnd, c.sndNxt) ? dataEnd - c.sndNxt : 0;
            // A FIN not sent yet, or sent and being re-sent after a timeout rewound snd.nxt.
            boolean finPending = c.finRequested && canSendFinState()
                    && (!c.finSent || (c.sndNxt == dataEnd && Seq.gt(c.sndMax, dataEnd)));
            if (unsent == 0 && !(finPending && c.sndNxt == dataEnd)) {
                break;
            }
            if (c.sackOk && Seq.lt(c.sndNxt, c.sndMax) && !c.scoreboard.isEmpty()) {
                // Resending after a timeout: skip what the peer has already SACKed (RFC 6675 §5.1).
                int next = Seq.min(c.scoreboard.firstUnsackedAtOrAbove(c.sndNxt), c.sndMax);
                if (next != c.sndNxt) {
                    c.sndNxt = next;
                    continue;
                }
            }
            long inFlight = (long) (c.sndNxt - c.sndUna);
            long cwnd = c.cc.cwnd();
            if (!c.inRecovery && c.dupAcks > 0 && c.dupAcks < DUP_THRESH) {
                cwnd += (long) c.dupAcks * c.mss; // RFC 3042 limited transmit
            }
            long window = Math.min(cwnd, c.sndWnd);
            long usable = window - inFlight;
            int len = (int) Math.max(0, Math.min(Math.min(unsent, maxSegmentPayload()), usable));
            if (c.sackOk && Seq.lt(c.sndNxt, c.sndMax)) {
                len = Math.min(len, c.scoreboard.unsackedLength(c.sndNxt, len));
            }
            if (unsent > 0 && len == 0) {
                if (c.sndWnd == 0 || c.sndWnd <= inFlight) {
                    armPersist();
                }
                break;
            }
            if (unsent > 0 && len < c.mss && len < unsent) {
                // Sender SWS avoidance (RFC 1122 §4.2.3.4): don't send a small segment just because
                // the window is small, unless it is at least half the largest window seen.
                if (len < c.maxSndWnd / 2 && inFlight > 0) {
                    break;
                }
            }
            if (unsent > 0 && len < c.mss && inFlight > 0 && !c.noDelay && len == unsent && !finPending) {
                // Nagle (RFC 896, RFC 1122 §4.2.3.4): one small segment outstanding at a time.
                break;
            }
            boolean fin = finPending && len == unsent;
            int flags = TcpSegment.ACK | (len > 0 && len == unsent ? TcpSegment.PSH : 0) | (fin ? TcpSegment.FIN : 0);
            boolean retransmission = Seq.lt(c.sndNxt, c.sndMax);
            len = transmit(c.sndNxt, len, flags);
            fin = (flags & TcpSegment.FIN) != 0 && len == unsent;
            if (retransmission) {
                c.retransmittedSegments++;
                c.retransmittedBytes += len;
            } else {
                c.bytesSent += len;
            }
            if (!c.rttTiming && !retransmission && len > 0) {
                c.rttTiming = true;
                c.rttSeq = c.sndNxt;
                c.rttStart = c.now();
            }
            c.sndNxt += len + (fin ? 1 : 0);
            c.sndMax = Seq.max(c.sndMax, c.sndNxt);
            if (fin && !c.finSent) {
                c.finSent = true;
                afterFinSent();
            }
            sentSegments++;
            if (fin || len == 0) {
                break;
            }
        }
        return sentSegments;
    }

    private boolean canSendFinState() {
        return c.state.maySend() || (c.state.finSentState() && c.finSent);
    }

    private void afterFinSent() {
        if (c.state == TcpState.ESTABLISHED) {
            c.setState(TcpState.FIN_WAIT_1);
        } else if (c.state == TcpState.CLOSE_WAIT) {
            c.setState(TcpState.LAST_ACK);
        }
    }

    /** RFC 6675 §5 step (C): while the pipe leaves room for a segment, send NextSeg(). */
    private int sackRecoveryOutput() {
        int sent = 0;
        for (int guard = 0; guard < 1000; guard++) {
            int pipe = c.scoreboard.pipe(c.sndUna, c.sndMax, c.highRxt, c.mss);
            if (c.cc.cwnd() - pipe < c.mss) {
                break;
            }
            int dataEnd = dataEnd();
            boolean haveNew = Seq.lt(c.sndMax, dataEnd) && (long) (c.sndMax - c.sndUna) < c.sndWnd;
            long r = c.scoreboard.nextSeg(c.sndUna, c.sndMax, c.highRxt, c.mss, haveNew);
            if (r < 0) {
                break;
            }
            int seq = (int) r;
            if (seq == c.sndMax) {
                if (!haveNew) {
                    break;
                }
                int len = Math.min(c.mss, dataEnd - c.sndMax);
                len = (int) Math.min(len, c.sndWnd - (c.sndMax - c.sndUna));
                if (len <= 0) {
                    break;
                }
                len = transmit(c.sndMax, len, TcpSegment.ACK | (len == dataEnd - c.sndMax ? TcpSegment.PSH : 0));
                c.bytesSent += len;
                c.sndMax += len;
                c.sndNxt = c.sndMax;
            } else {
                int len = c.scoreboard.unsackedLength(seq, Math.min(c.mss, c.sndMax - seq));
                if (len <= 0) {
                    break;
                }
                int inBuffer = dataEnd - seq;
                if (inBuffer <= 0) {
                    break; // only our FIN is outstanding there; the RTO handles it
                }
                len = Math.min(len, inBuffer);
                c.highRxt = seq + retransmitAt(seq, len);
            }
            sent++;
        }
        return sent;
    }

    /** Retransmits {@code len} bytes at {@code seq} (data only; a FIN rides along if it is next). */
    int retransmitAt(int seq, int len) {
        int dataEnd = dataEnd();
        int avail = dataEnd - seq;
        if (avail <= 0) {
            if (c.finSent && seq == dataEnd) {
                transmit(seq, 0, TcpSegment.ACK | TcpSegment.FIN);
                c.retransmittedSegments++;
                return 1;
            }
            return 0;
        }
        len = Math.min(len, avail);
        boolean fin = c.finSent && seq + len == dataEnd;
        len = transmit(seq, len, TcpSegment.ACK | (fin ? TcpSegment.FIN : 0));
        c.retransmittedSegments++;
        c.retransmittedBytes += len;
        c.tcp.counters.retransmits.inc();
        return len;
    }

    /**
     * Builds and sends one segment carrying bytes [seq, seq+len) of the send buffer. SACK blocks
     * take option space, so the payload may be cut to keep the segment within the MSS; returns
     * the payload length actually sent (a FIN is dropped from a cut segment).
     */
    private int transmit(int seq, int len, int flags) {
        TcpOptions o = timestampOption();
        addSackBlocks(o);
        int room = c.mss + (c.tsOk ? 12 : 0) - o.encodedLength();
        int segmentSize = 0;
        if (len > room) {
            int cut = room;
            int tso = c.offloads.txSegmentation();
            if (tso > 0) {
                // TSO: whole segments only, so the device's last one is not a runt (RFC 1122
                // §4.2.3.4's sender SWS rule, kept across the device's cut).
                int segments = (tso - 20 - TcpSegment.headerLength(o)) / room;
                cut = Math.max(1, Math.min(segments, len / room)) * room;
            }
            if (len > cut) {
                len = cut;
                flags &= ~TcpSegment.FIN;
            }
            segmentSize = len > room ? room : 0;
        }
        int window = advertiseWindow();
        c.header.segment(seq, c.rcvNxt, flags, window).options(o);
        c.tcp.writer.sendSegment(c, seq - c.sndUna, len, segmentSize);
        ackSent();
        return len;
    }

    private void addSackBlocks(TcpOptions o) {
        if (!c.sackOk || !c.receiveBuffer.hasOutOfOrder()) {
            return;
        }
        int[] s = c.tcp.sackStarts();
        int[] e = c.tcp.sackEnds();
        int n = c.receiveBuffer.sackBlocks(s, e, c.tsOk ? 3 : 4);
        for (int i = 0; i < n; i++) {
            o.addSackBlock(c.rcvNxt + s[i], c.rcvNxt + e[i]);
        }
    }

    /** Payload of the largest segment to build: the MSS, or with TSO a super-segment of whole MSS-sized segments. */
    private int maxSegmentPayload() {
        int tso = c.offloads.txSegmentation();
        if (tso <= c.mss) {
            return c.mss;
        }
        return Math.max(1, (tso - 20 - TcpSegment.MAX_HEADER_LENGTH) / c.mss) * c.mss;
    }

    private void ackSent() {
        c.ackNow = false;
        c.unackedSegments = 0;
        c.lastAckSent = c.rcvNxt;
        c.timers.disarm(ConnectionTimers.DELAYED_ACK); // nothing left to delay
    }

    /** A pure ACK (no data), carrying the current window and SACK blocks. */
    void sendAck() {
        if (!c.state.mayAck()) {
            return;
        }
        // Not snd.nxt: after a timeout rewound it for go-back-N, an ACK carrying the old number
        // would fall left of the peer's window and be dropped with its acknowledgment (4.4BSD
        // sends pure ACKs at snd_max for the same reason).
        transmit(c.sndMax, 0, TcpSegment.ACK);
    }

    /**
     * The free space the window may offer: what the buffer has free, but never more than the
     * storage the connection already holds plus what the stack's budget can still give — so the
     * window never promises room the budget cannot give. Under memory pressure (Linux's
     * {@code tcp_mem} pressure) it grows no further than storage already held, or one page while
     * the budget is below its limit. The edge already advertised stays (RFC 9293 §3.8.6.2.2).
     */
    private long offerableWindow() {
        long free = c.receiveBuffer.window();
        var memory = c.tcp.budget();
        long held = c.receiveBuffer.storageAhead();
        if (!memory.underPressure()) {
            return Math.min(free, held + memory.available());
        }
        long floor = memory.used() < memory.limit() ? MemoryBudget.PAGE : 0;
        return Math.min(free, Math.max(held, floor));
    }

    /** The window field to send: RFC 1122 §4.2.3.3 receiver SWS avoidance, never shrinking the edge. */
    int advertiseWindow() {
        long free = offerableWindow();
        int newEdge = c.rcvNxt + (int) Math.min(free, Integer.MAX_VALUE / 2);
        int threshold = Math.min(c.receiveBuffer.capacity() / 2, c.mss);
        if (Seq.lt(c.rcvAdvEdge, c.rcvNxt)) {
            c.rcvAdvEdge = c.rcvNxt;
        }
        if (Seq.ge(newEdge - threshold, c.rcvAdvEdge) || free == c.receiveBuffer.capacity()) {
            if (Seq.gt(newEdge, c.rcvAdvEdge)) {
                c.rcvAdvEdge = newEdge;
            }
        }
        long wnd = (long) (c.rcvAdvEdge - c.rcvNxt) >> c.rcvWscale;
        return (int) Math.min(wnd, 65535);
    }

    long currentAdvertisedWindow() {
        return Math.max(0, c.rcvAdvEdge - c.rcvNxt);
    }

    void maybeSendWindowUpdate() {
        if (!c.state.isLive()) {
            return;
        }
        long before = currentAdvertisedWindow();
        long free = offerableWindow();
        int threshold = Math.min(c.receiveBuffer.capacity() / 2, c.mss);
        // An immediate window update only when the peer's view of the window has shrunk below half
        // of what we can now offer (it may be stalling); otherwise the next ACK carries the new
        // window. Without this, an application that reads every segment at once would add a pure
        // ACK per segment. The SWS rule (RFC 1122 §4.2.3.3) still needs a gain of a full threshold.
        if (free - before >= threshold && before < free / 2) {
            sendAck();
        }
    }

    // --- the timers this job arms (ConnectionTimers holds them) ---

    /** (Re)arms the retransmission timer RTO from now (RFC 6298 §5); on almost every ACK, so it only moves a deadline. */
    void armRto() {
        c.timers.arm(ConnectionTimers.RETRANSMIT, c.rtt.rto());
    }

    /** Stops the retransmission timer (RFC 6298 §5.2: everything is acknowledged). */
    void disarmRto() {
        c.timers.disarm(ConnectionTimers.RETRANSMIT);
    }

    /** RFC 1122 §4.2.3.2: an ACK for a lone segment waits at most the delayed-ACK time. */
    void armDelayedAck() {
        if (!c.timers.isArmed(ConnectionTimers.DELAYED_ACK)) {
            c.timers.arm(ConnectionTimers.DELAYED_ACK, c.config.delayedAck().toNanos());
        }
    }

    /** The persist timer (RFC 9293 §3.8.6.1), backing off like the RTO; not while the RTO runs. */
    private void armPersist() {
        if (c.timers.isArmed(ConnectionTimers.RETRANSMIT) || c.timers.isArmed(ConnectionTimers.PERSIST)) {
            return;
        }
        long t = Math.min(c.rtt.rto() << Math.min(c.persistBackoff, 10), c.config.maxRto().toNanos());
        c.timers.arm(ConnectionTimers.PERSIST, Math.max(t, c.config.minRto().toNanos()));
    }

    /** The window opened: no more zero-window probes, and the next closing starts the backoff anew. */
    void windowOpened() {
        c.timers.disarm(ConnectionTimers.PERSIST);
        c.persistBackoff = 0;
    }

    /** The retransmission timer expired (RFC 6298 §5.4-5.7; for a SYN, RFC 9293 §3.8.1). */
    void onRetransmitTimeout() {
        if (c.state == TcpState.CLOSED || c.state == TcpState.TIME_WAIT) {
            return;
        }
        int limit = c.state.isOpening() ? c.config.synRetries() : c.config.maxRetries();
        if (c.retries >= limit) {
            if (c.state == TcpState.SYN_RECEIVED) {
                c.terminate(null);
            } else if (c.state == TcpState.SYN_SENT) {
                c.fail(new SocketTimeoutException("Connect timed out"));
            } else {
                c.fail(new SocketTimeoutException("Connection timed out"));
            }
            return;
        }
        c.retries++;
        c.rtt.backoff(); // RFC 6298 §5.5
        c.rttTiming = false; // Karn's algorithm
        c.tcp.counters.timeouts.inc();
        if (c.state == TcpState.SYN_SENT) {
            c.synTimed = false;
            sendSyn(false);
            armRto();
            return;
        }
        if (c.state == TcpState.SYN_RECEIVED) {
            c.synTimed = false;
            sendSyn(true);
            armRto();
            return;
        }
        // RFC 5681 §3.1 eq. 4 and go-back-N from snd.una (RFC 6298 §5.4).
        c.cc.onRetransmitTimeout(c.sndMax - c.sndUna, c.now());
        if (c.retries >= 2) {
            // Repeated timeouts at the same point: the peer may have reneged on its SACKs
            // (RFC 2018 §8); resend everything rather than trust them.
            c.scoreboard.clear();
        }
        c.inRecovery = false;
        c.dupAcks = 0;
        c.recoveryPoint = c.sndMax;
        c.sndNxt = c.sndUna;
        retransmitAt(c.sndUna, Math.min(c.mss, Math.max(0, c.sndMax - c.sndUna)));
        int dataEnd = dataEnd();
        c.sndNxt = Seq.min(c.sndMax, c.sndUna + Math.min(c.mss, Math.max(0, dataEnd - c.sndUna)));
        if (c.finSent && c.sndNxt == dataEnd) {
            c.sndNxt = c.sndMax;
        }
        armRto();
    }

    /** Zero-window probe (RFC 9293 §3.8.6.1): a segment the peer must answer with its window. */
    void onPersist() {
        if (!c.state.isLive()) {
            return;
        }
        c.tcp.counters.windowProbes.inc();
        c.persistBackoff++;
        sendProbe();
        if (c.sndWnd == 0 && dataEnd() != c.sndNxt) {
            armPersist();
        } else {
            output();
        }
    }

    /** Keepalive (RFC 1122 §4.2.3.6): after the idle time, probes until the peer answers or the count runs out. */
    void onKeepalive() {
        if (!c.keepAlive || !c.state.isLive()) {
            return;
        }
        if (c.keepaliveSent >= c.config.keepaliveProbes()) {
            c.fail(new SocketTimeoutException("Connection timed out (keepalive)"));
            return;
        }
        c.keepaliveSent++;
        c.tcp.counters.keepalives.inc();
        sendProbe();
        c.timers.arm(ConnectionTimers.KEEPALIVE, c.config.keepaliveInterval().toNanos());
    }

    /**
     * A probe, for the persist and the keepalive timer alike: no data, SEG.SEQ = SND.UNA-1, an
     * old sequence number the peer must answer with an ACK carrying its window (RFC 9293
     * §3.10.7.4: an unacceptable segment draws an ACK). For a keepalive RFC 9293 §3.8.4 and RFC
     * 1122 §4.2.3.6 write SEG.SEQ = SND.NXT-1, with an idle connection in mind, where SND.NXT =
     * SND.UNA and the two are the same number; with data outstanding (the peer may have lost
     * it) SND.NXT-1 would lie inside the peer's window and draw no answer, so the probe stays
     * at SND.UNA-1, as Linux sends it.
     */
    private void sendProbe() {
        c.header.segment(c.sndUna - 1, c.rcvNxt, TcpSegment.ACK, advertiseWindow()).options(timestampOption());
        c.tcp.writer.sendSegment(c, 0, 0, 0);
    }

    /** The options of a segment after the SYN: the timestamps (RFC 7323 §3.2) when both sides use them. */
    private TcpOptions timestampOption() {
        TcpOptions o = c.tcp.writer.txOptions().clear();
        if (c.tsOk) {
            o.setTimestamps(c.tsValue(), c.tsRecent);
        }
        return o;
    }
}
