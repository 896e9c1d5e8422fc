package org.jnetstack.tcp;

import java.net.ConnectException;
import java.net.SocketException;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * Segment arrival for one connection (RFC 9293 §3.10.7), step by step in the RFC's order, with
 * RFC 7323 (timestamps, PAWS), RFC 5961 (blind-attack defences), RFC 5681/6582/6675 (duplicate
 * ACKs, recovery) and the passive open (§3.10.7.2). It works on the connection's variables
 * ({@link TcpConnection}, the TCB) and asks {@link Sender} for every segment it sends.
 */
final class SegmentArrival {
    private static final int DUP_THRESH = SackScoreboard.DUP_THRESH; // RFC 5681 §3.2, RFC 6675 §2
    static final int DEFAULT_MSS = 536; // RFC 9293 §3.7.1 when the peer sends no MSS option
    private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L; // RFC 7323 §5.5

    private final TcpConnection c;

    SegmentArrival(TcpConnection c) {
        this.c = c;
    }

    /** Passive open: a SYN reached our listener (RFC 9293 §3.10.7.2). */
    void acceptSyn(TcpSegment seg, TcpOptions opts, int isn) {
        c.irs = seg.sequenceNumber();
        c.rcvNxt = c.irs + 1;
        negotiate(opts);
        c.iss = isn;
        c.sndUna = c.iss;
        c.sndNxt = c.iss;
        c.sndMax = c.iss;
        c.sndWnd = seg.window(); // never scaled in a SYN (RFC 7323 §2.2)
        c.sndWl1 = c.irs;
        c.sndWl2 = c.iss;
        c.maxSndWnd = c.sndWnd;
        c.setState(TcpState.SYN_RECEIVED);
        c.sender.sendSyn(true);
        c.sender.armRto();
    }

    /**
     * A SYN-cookie handshake completed (RFC 4987 §3.6): no SYN state was kept, so window scaling,
     * SACK and timestamps are off and the MSS is the one the cookie encoded.
     */
    void acceptCookie(TcpSegment ack, TcpOptions opts, int isn, int cookieMss) {
        c.iss = isn;
        c.irs = ack.sequenceNumber() - 1;
        c.rcvNxt = c.irs + 1;
        c.wscaleOk = false;
        c.sndWscale = 0;
        c.rcvWscale = 0;
        c.tsOk = false;
        c.sackOk = false;
        c.peerMss = cookieMss;
        c.mss = Math.min(cookieMss, c.tcp.mssFor(c.tuple));
        c.cc.init(c.mss);
        c.sndUna = c.iss + 1;
        c.sndNxt = c.sndUna;
        c.sndMax = c.sndUna;
        c.sndWnd = ack.window();
        c.sndWl1 = ack.sequenceNumber();
        c.sndWl2 = ack.acknowledgmentNumber();
        c.maxSndWnd = c.sndWnd;
        c.rcvAdvEdge = c.rcvNxt + 65535; // what the cookie SYN-ACK advertised
        c.setState(TcpState.ESTABLISHED);
    }

    /** Takes the peer's SYN options; ours were offered if the config allows. */
    private void negotiate(TcpOptions opts) {
        c.wscaleOk = c.config.windowScaling() && opts.hasWindowScale();
        c.sndWscale = c.wscaleOk ? Math.min(opts.windowScale(), 14) : 0; // RFC 7323 §2.3: cap at 14
        if (!c.wscaleOk) {
            c.rcvWscale = 0;
        }
        c.tsOk = c.config.timestamps() && opts.hasTimestamps();
        if (c.tsOk) {
            c.tsRecent = opts.tsVal();
            c.tsRecentAge = c.now();
        }
        c.sackOk = c.config.sack() && opts.sackPermitted();
        int peerMss = opts.hasMss() ? opts.mss() : DEFAULT_MSS;
        c.peerMss = peerMss;
        int ours = c.tcp.mssFor(c.tuple);
        c.mss = Math.max(64, Math.min(peerMss, ours)) - (c.tsOk ? 12 : 0);
        c.cc.init(c.mss);
    }

    // =====================================================================================
    // Segment arrival (RFC 9293 §3.10.7)
    // =====================================================================================

    /**
     * True when the segment passes every check that comes before its text is taken (RFC 9293
     * §3.10.7.4: acceptability, RST, SYN, ACK; RFC 7323 §5.3 PAWS) and its whole payload would be
     * stored at once as the next in-order bytes. Only reads the segment and the connection: the
     * demultiplexer asks before it copies the payload into the receive buffer while verifying the
     * checksum ({@link ReceiveBuffer#stageInOrder}), and {@link #input} then commits the copy
     * instead of copying again.
     */
    boolean takesPayloadInOrder(TcpSegment seg, TcpOptions opts) {
        int len = seg.payloadLength();
        if (len == 0 || !c.state.mayReceive() || c.inputShutdownByApp || seg.sequenceNumber() != c.rcvNxt
                || (seg.flags() & (TcpSegment.SYN | TcpSegment.RST | TcpSegment.ACK)) != TcpSegment.ACK) {
            return false;
        }
        int ack = seg.acknowledgmentNumber();
        return c.rcvAdvEdge - c.rcvNxt > 0 // a zero window takes no text (seventh step)
                && !pawsRejects(opts, false) && !ackTooNew(ack) && !ackTooOld(ack) && c.receiveBuffer.canStage(len);
    }

    /** RFC 7323 §5.3 PAWS: a timestamp older than the last one in-window marks a stale duplicate. */
    private boolean pawsRejects(TcpOptions opts, boolean rst) {
        return c.tsOk && opts.hasTimestamps() && !rst && Seq.lt(opts.tsVal(), c.tsRecent)
                && c.now() - c.tsRecentAge < PAWS_IDLE_NANOS;
    }

    /** RFC 9293 §3.10.7.4 fifth: an ACK for something not yet sent. */
    private boolean ackTooNew(int ack) {
        return Seq.gt(ack, c.sndMax);
    }

    /** RFC 5961 §5.2: acceptable only if SND.UNA - MAX.SND.WND <= SEG.ACK. */
    private boolean ackTooOld(int ack) {
        return Seq.lt(ack, c.sndUna - (int) Math.min(c.maxSndWnd, Integer.MAX_VALUE));
    }

    /**
     * A segment for this connection (RFC 9293 §3.10.7.3 in SYN-SENT, else §3.10.7.4 step by
     * step). {@code staged}: its payload already lies, checksummed, at RCV.NXT's place in the
     * receive buffer ({@link #takesPayloadInOrder}), to be committed rather than copied.
     */
    void input(TcpSegment seg, TcpOptions opts, boolean staged) {
        if (c.state == TcpState.SYN_SENT) {
            synSentInput(seg, opts);
            return;
        }
        if (c.state == TcpState.CLOSED || c.state == TcpState.LISTEN) {
            return;
        }
        int seq = seg.sequenceNumber();
        int flags = seg.flags();
        boolean rst = (flags & TcpSegment.RST) != 0;
        boolean syn = (flags & TcpSegment.SYN) != 0;
        int len = seg.payloadLength();

        // RFC 7323 §5.3 PAWS, before the window check: a stale duplicate is dropped, with an ACK.
        if (pawsRejects(opts, rst)) {
            c.tcp.counters.pawsRejected.inc();
            c.sender.sendAck();
            return;
        }

        if (c.state == TcpState.SYN_RECEIVED && syn && !rst && (flags & TcpSegment.ACK) == 0 && seq == c.irs) {
            // The peer's SYN again: our SYN-ACK was lost. Answer with the SYN-ACK at once (as
            // Linux does) rather than the bare ACK the window check below would produce.
            c.sender.sendSyn(true);
            return;
        }

        // RFC 9293 §3.10.7.4 first: the sequence number must fall in the window (the table of four cases).
        int segLen = seg.sequenceLength();
        int wnd = Math.max(0, c.rcvAdvEdge - c.rcvNxt);
        if (!acceptable(c.rcvNxt, wnd, seq, segLen) && !(wnd == 0 && seq == c.rcvNxt)) {
            if (!rst) {
                c.tcp.counters.outOfWindow.inc();
                // RFC 9293 §3.10.7.4: send an ACK and drop; one that carries no data may be part of an ACK
                // loop and is rate-limited per connection (a SYN draws a challenge ACK, RFC 5961 §4.2).
                if (syn) {
                    challengeAck();
                } else if (len > 0 || (flags & TcpSegment.FIN) != 0 || c.tcp.challengeAcks.invalidAckAllowed(c)) {
                    c.sender.sendAck();
                }
            }
            return;
        }

        // §3.10.7.4 second: RST (RFC 5961 §3.2): only an exact match resets; in-window gets a challenge ACK.
        // (Third, security/compartment, does not apply: no IP security options are used.)
        if (rst) {
            if (seq == c.rcvNxt) {
                onResetReceived();
            } else {
                challengeAck();
            }
            return;
        }

        // §3.10.7.4 fourth: SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, never reset.
        if (syn) {
            challengeAck();
            return;
        }

        // §3.10.7.4 fifth: ACK; a segment without one is dropped. In SYN-RECEIVED it completes the handshake.
        if ((flags & TcpSegment.ACK) == 0) {
            return;
        }
        int ack = seg.acknowledgmentNumber();
        if (c.state == TcpState.SYN_RECEIVED) {
            if (Seq.lt(c.sndUna, ack) && Seq.le(ack, c.sndMax)) {
                if (c.listener != null && c.listener.acceptQueueFull()) {
                    // Like Linux (tcp_abort_on_overflow off): ignore the ACK; our SYN-ACK
                    // retransmission draws another once the application has accepted.
                    c.tcp.counters.listenOverflows.inc();
                    return;
                }
                c.sndWnd = (long) seg.window() << c.sndWscale;
                c.sndWl1 = seq;
                c.sndWl2 = ack;
                c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
                c.sndUna = ack;
                c.sender.disarmRto();
                if (rttTimingValidForSyn()) {
                    c.rtt.sample(c.now() - c.rttStart);
                }
                c.retries = 0;
                c.setState(TcpState.ESTABLISHED);
                c.tcp.handshakeCompleted(c);
            } else {
                c.tcp.writer.sendRst(c.tuple, ack, 0, false);
                return;
            }
        }
        if (c.tsOk && opts.hasTimestamps() && Seq.le(seq, c.lastAckSent) && Seq.lt(c.lastAckSent, seq + Math.max(segLen, 1))) {
            // RFC 7323 §4.3: remember the timestamp of the segment that fills our last ACK point.
            c.tsRecent = opts.tsVal();
            c.tsRecentAge = c.now();
        }
        c.lastTsEcr = opts.hasTimestamps() ? opts.tsEcr() : 0;
        if (!processAck(seg, opts, ack, len)) {
            return;
        }
        if (c.state == TcpState.CLOSED) {
            return;
        }

        // §3.10.7.4 sixth, URG, is not supported (RFC 6093 advises against it); seventh: the text
        // (none is taken into a zero window: RFC 9293 keeps only the ACK).
        int dataOff = seg.payloadOffset();
        if (len > 0 && wnd == 0) {
            c.ackNow = true;
            len = 0;
            flags &= ~TcpSegment.FIN;
        }
        if (len > 0) {
            if (c.state.mayReceive()) {
                if (c.inputShutdownByApp) {
                    // RFC 1122 §4.2.2.13: data for a closed socket resets the connection.
                    c.abort();
                    return;
                }
                receiveData(seq, seg.buffer(), dataOff, len, staged);
            }
        }

        // §3.10.7.4 eighth: FIN.
        if ((flags & TcpSegment.FIN) != 0) {
            int finSeq = seq + len;
            if (!c.peerFinReceived) {
                c.peerFinPending = true;
                c.peerFinSeq = finSeq;
            }
            if (c.state == TcpState.TIME_WAIT) {
                c.ackNow = true; // its 2 MSL wait started with this segment (the record keeps the time)
            }
        }
        if (c.peerFinPending && c.rcvNxt == c.peerFinSeq) {
            finReceived();
        }
        if (c.ackNow) {
            c.sender.sendAck();
        }
        c.sender.output();
    }

    /** RFC 9293 §3.10.7.4, the four cases of segment acceptability, for a window of {@code wnd} from {@code rcvNxt}. */
    static boolean acceptable(int rcvNxt, int wnd, int seq, int segLen) {
        if (segLen == 0) {
            return wnd == 0 ? seq == rcvNxt : Seq.le(rcvNxt, seq) && Seq.lt(seq, rcvNxt + wnd);
        }
        if (wnd == 0) {
            return false;
        }
        int last = seq + segLen - 1;
        return (Seq.le(rcvNxt, seq) && Seq.lt(seq, rcvNxt + wnd)) || (Seq.le(rcvNxt, last) && Seq.lt(last, rcvNxt + wnd));
    }

    /** A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), if the limits allow one now. */
    private void challengeAck() {
        if (c.tcp.challengeAcks.allowed(c)) {
            c.sender.sendAck();
        }
    }

    private void synSentInput(TcpSegment seg, TcpOptions opts) {
        int flags = seg.flags();
        int ack = seg.acknowledgmentNumber();
        boolean hasAck = (flags & TcpSegment.ACK) != 0;
        if (hasAck && (Seq.le(ack, c.iss) || Seq.gt(ack, c.sndMax))) {
            // RFC 9293 §3.10.7.3 first: unacceptable ACK.
            if ((flags & TcpSegment.RST) == 0) {
                c.tcp.writer.sendRst(c.tuple, ack, 0, false);
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (hasAck) {
                c.fail(new ConnectException("Connection refused"));
            }
            return;
        }
        if ((flags & TcpSegment.SYN) == 0) {
            return;
        }
        c.irs = seg.sequenceNumber();
        c.rcvNxt = c.irs + 1;
        c.rcvAdvEdge = c.rcvNxt + (int) Math.min(65535, c.receiveBuffer.window()); // what our SYN offered
        negotiate(opts);
        if (hasAck) {
            c.sndUna = ack;
            c.sndWnd = (long) seg.window(); // unscaled in SYN-ACK (RFC 7323 §2.2)
            c.sndWl1 = c.irs;
            c.sndWl2 = ack;
            c.maxSndWnd = c.sndWnd;
            c.sender.disarmRto();
            c.retries = 0;
            if (rttTimingValidForSyn()) {
                c.rtt.sample(c.now() - c.rttStart);
            }
            c.setState(TcpState.ESTABLISHED);
            c.sender.sendAck();
            c.handler.onConnected(c);
            c.sender.output();
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-RECEIVED, send SYN-ACK.
            c.sndWnd = seg.window();
            c.sndWl1 = c.irs;
            c.maxSndWnd = c.sndWnd;
            c.setState(TcpState.SYN_RECEIVED);
            c.sender.sendSyn(true);
            c.sender.armRto();
        }
    }

    private boolean rttTimingValidForSyn() {
        return c.retries == 0 && c.synTimed; // Karn: not after a SYN retransmission
    }

    /** Returns false if the segment must be dropped. */
    private boolean processAck(TcpSegment seg, TcpOptions opts, int ack, int len) {
        // RFC 5961 §5.2: acceptable if SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT.
        if (ackTooNew(ack)) {
            c.tcp.counters.ackTooNew.inc();
            c.sender.sendAck();
            return false;
        }
        if (ackTooOld(ack)) {
            challengeAck();
            return false;
        }
        if (c.sackOk && opts.sackBlockCount() > 0) {
            int n = opts.sackBlockCount();
            int[] s = c.tcp.sackStarts();
            int[] e = c.tcp.sackEnds();
            for (int i = 0; i < n; i++) {
                s[i] = opts.sackLeft(i);
                e[i] = opts.sackRight(i);
            }
            c.scoreboard.update(ack, c.sndMax, s, e, n);
        }
        int seq = seg.sequenceNumber();
        long newWnd = (long) seg.window() << c.sndWscale;
        boolean windowUpdate = false;
        if (Seq.lt(c.sndWl1, seq) || (c.sndWl1 == seq && Seq.le(c.sndWl2, ack))) {
            // RFC 9293 §3.10.7.4: update the send window only from newer segments.
            windowUpdate = newWnd != c.sndWnd;
            c.sndWnd = newWnd;
            c.sndWl1 = seq;
            c.sndWl2 = ack;
            c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
            if (c.sndWnd > 0) {
                c.sender.windowOpened();
            }
        }
        if (Seq.gt(ack, c.sndUna)) {
            newAck(ack);
        } else if (ack == c.sndUna && len == 0 && !windowUpdate && c.sndMax != c.sndUna
                && (seg.flags() & (TcpSegment.FIN | TcpSegment.SYN)) == 0) {
            // RFC 5681 §2: a duplicate ACK.
            duplicateAck();
        }
        return true;
    }

    private void newAck(int ack) {
        int acked = ack - c.sndUna;
        // Bytes of data acknowledged: a FIN takes one sequence number but no buffer space.
        int dataEnd = c.sndUna + c.sendBuffer.size();
        int dataAcked = Seq.gt(ack, dataEnd) ? dataEnd - c.sndUna : acked;
        if (c.finSent && Seq.gt(ack, dataEnd)) {
            // our FIN is acknowledged
            finAcked();
        }
        if (c.rttTiming && Seq.gt(ack, c.rttSeq)) {
            c.rtt.sample(c.now() - c.rttStart);
            c.rttTiming = false;
        } else if (c.tsOk && c.lastTsEcr != 0 && !c.inRecovery) {
            // RFC 7323 §4: the echoed timestamp times the segment being acknowledged, even a
            // retransmitted one (the echo tells which copy arrived), at the TS clock's 1 ms grain.
            long ms = (long) (c.tsValue() - c.lastTsEcr);
            if (ms >= 0 && ms < 600_000) {
                c.rtt.sample(ms * 1_000_000L);
            }
        }
        c.sendBuffer.release(Math.min(dataAcked, c.sendBuffer.size())); // finAcked may have ended it all
        if (c.sendBuffer.size() == 0) {
            c.sendBuffer.trim(); // everything acknowledged: the pages go back to the pool
        }
        c.bytesAcked += dataAcked;
        long flight = c.sndMax - c.sndUna;
        c.sndUna = ack;
        if (Seq.lt(c.sndNxt, c.sndUna)) {
            c.sndNxt = c.sndUna;
        }
        c.scoreboard.advance(c.sndUna);
        c.retries = 0;
        c.dupAcks = 0;
        if (c.inRecovery) {
            if (Seq.ge(ack, c.recoveryPoint)) {
                // RFC 6582 §3.2 step 3 / RFC 6675 §5: full acknowledgment ends recovery.
                c.inRecovery = false;
                c.cc.onExitRecovery(c.sndMax - c.sndUna, c.now());
            } else if (!c.sackOk) {
                // RFC 6582 §3.2 step 5: partial ACK — retransmit the next hole at once.
                c.cc.onPartialAck(acked);
                c.sender.retransmitAt(c.sndUna, Math.min(c.mss, c.sndMax - c.sndUna));
            }
        } else {
            c.cc.onAck(acked, flight, c.rtt.hasSample() ? c.rtt.srtt() : -1, c.now());
        }
        // RFC 6298 §5.2/5.3: restart the timer if data is outstanding, else stop it.
        if (c.sndMax != c.sndUna) {
            c.sender.armRto();
        } else {
            c.sender.disarmRto();
        }
        if (dataAcked > 0) {
            c.handler.onSent(c, dataAcked);
        }
    }

    private void duplicateAck() {
        c.dupAcks++;
        c.tcp.counters.dupAcks.inc();
        if (c.inRecovery) {
            if (!c.sackOk) {
                c.cc.onDupAckInRecovery(); // RFC 5681 §3.2 step 4: inflate
            }
            return;
        }
        boolean lost = c.dupAcks >= DUP_THRESH || (c.sackOk && c.scoreboard.isLost(c.sndUna, c.mss));
        if (lost) {
            enterRecovery();
        }
        // RFC 3042 limited transmit: the first two duplicate ACKs may each release one new
        // segment; output() honours it via dupAcks.
    }

    private void enterRecovery() {
        c.inRecovery = true;
        c.recoveryPoint = c.sndMax;
        c.highRxt = c.sndUna;
        c.tcp.counters.fastRetransmits.inc();
        c.cc.onEnterRecovery(c.sndMax - c.sndUna, c.now());
        if (!c.sackOk) {
            // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3 MSS, for the three segments that left the network.
            for (int i = 0; i < DUP_THRESH; i++) {
                c.cc.onDupAckInRecovery();
            }
        }
        c.rttTiming = false; // Karn: no sample from retransmitted data
        int first = c.sackOk ? c.scoreboard.unsackedLength(c.sndUna, Math.min(c.mss, c.sndMax - c.sndUna)) : Math.min(c.mss, c.sndMax - c.sndUna);
        c.highRxt = c.sndUna + c.sender.retransmitAt(c.sndUna, Math.max(1, first)); // RFC 6675 §5 step (3): HighRxt past it
        c.sender.armRto();
    }

    /** The text of an accepted segment; {@code staged}: it already lies at RCV.NXT's place, to be committed. */
    private void receiveData(int seq, byte[] buf, int off, int len, boolean staged) {
        int offset = seq - c.rcvNxt;
        if (offset < 0) {
            // Starts before rcv.nxt: skip what we already have.
            off -= offset;
            len += offset;
            offset = 0;
            if (len <= 0) {
                c.ackNow = true;
                return;
            }
        }
        boolean hadHoles = c.receiveBuffer.hasOutOfOrder();
        int inOrder = staged && offset == 0 ? c.receiveBuffer.commitStaged(len) : -1;
        if (inOrder < 0) {
            inOrder = c.receiveBuffer.write(offset, buf, off, len); // not staged, or the stage was dropped since
        }
        if (inOrder > 0) {
            c.rcvNxt += inOrder;
            c.bytesReceived += inOrder;
            c.unackedSegments++;
            // RFC 5681 §4.2: ACK at once when a segment fills (part of) a hole; RFC 1122: at
            // least every second full-sized segment.
            if (hadHoles || len < c.mss && c.receiveBuffer.hasOutOfOrder()) {
                c.ackNow = true;
            } else if (c.unackedSegments >= 2) {
                // The every-second-segment ACK goes out once the device's receive batch is
                // processed: one ACK for all the segments of the batch (as Linux ACKs a GRO
                // aggregate), unless data going back carries it first.
                c.sender.ackAtBatchEnd();
            } else {
                c.sender.armDelayedAck();
            }
            if (!c.inputShutdownByApp) {
                c.handler.onReceive(c);
            }
        } else {
            // Out of order (or beyond the window): duplicate ACK at once, with SACK blocks.
            c.ackNow = true;
        }
    }

    private void finReceived() {
        c.peerFinPending = false;
        c.peerFinReceived = true;
        c.rcvNxt = c.peerFinSeq + 1;
        c.ackNow = true;
        switch (c.state) {
            case SYN_RECEIVED, ESTABLISHED -> c.setState(TcpState.CLOSE_WAIT);
            case FIN_WAIT_1 -> {
                if (c.finSent && c.sndUna == c.sndMax) {
                    c.enterTimeWait();
                } else {
                    c.setState(TcpState.CLOSING);
                }
            }
            case FIN_WAIT_2 -> c.enterTimeWait();
            default -> {
            }
        }
        c.handler.onEndOfInput(c);
    }

    private void finAcked() {
        switch (c.state) {
            case FIN_WAIT_1 -> {
                c.setState(c.peerFinReceived ? TcpState.TIME_WAIT : TcpState.FIN_WAIT_2);
                if (c.state == TcpState.FIN_WAIT_2 && c.inputShutdownByApp) {
                    // Nobody will read what the peer still sends: do not wait for its FIN forever
                    // (Linux's tcp_fin_timeout does the same for orphaned connections).
                    c.timers.arm(ConnectionTimers.FIN_WAIT_2, 2 * c.config.msl().toNanos());
                }
            }
            case CLOSING -> c.enterTimeWait();
            case LAST_ACK -> {
                c.terminate(null);
                return;
            }
            default -> {
            }
        }
        if (c.state == TcpState.TIME_WAIT) {
            c.enterTimeWait();
        }
    }

    private void onResetReceived() {
        switch (c.state) {
            case SYN_RECEIVED -> {
                // RFC 9293 §3.10.7.4: a passive open goes quietly back to LISTEN.
                c.terminate(null);
            }
            case CLOSING, LAST_ACK, TIME_WAIT -> c.terminate(null);
            default -> c.fail(new SocketException("Connection reset"));
        }
    }
}
