package org.jnetstack.tcp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.loop.Timer;
import org.jnetstack.tcp.cc.CongestionControl;
import org.jnetstack.tcp.cc.CongestionControls;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * One TCP connection: the RFC 9293 state machine with RFC 7323 (window scaling, timestamps,
 * PAWS), RFC 2018/6675 (SACK and SACK-based recovery), RFC 6298 (RTO), RFC 5681/6582/3042
 * (congestion control, NewReno, limited transmit), RFC 5961 (blind-attack defences), RFC 1122
 * (delayed ACK, Nagle, SWS avoidance, keepalive) and a persist timer.
 *
 * <p>The callback API (lwIP's raw API, in Java idiom), loop thread only: {@link #write},
 * {@link #read}, their copy-free forms {@link #writeInPlace} and {@link #readInPlace},
 * {@link #shutdownOutput}, {@link #close}, {@link #abort}, {@link #info}; events go to the
 * {@link TcpHandler}.
 */
public final class TcpConnection {
    private static final int DUP_THRESH = SackScoreboard.DUP_THRESH; // RFC 5681 §3.2, RFC 6675 §2
    private static final int DEFAULT_MSS = 536; // RFC 9293 §3.7.1 when the peer sends no MSS option
    private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L; // RFC 7323 §5.5

    final Tcp tcp;
    private final TcpConfig config;
    final int localIp;
    final int localPort;
    final int remoteIp;
    final int remotePort;
    final long key;
    /** The next connection with the same {@link #key} and another local address (a gateway's catch-all); see TupleTable. */
    TcpConnection sameKeyNext;
    private TcpHandler handler;
    TcpListener listener; // set while half-open or waiting in the accept queue
    /** The listener this connection came in through, while it counts against that listener's and its source's limits. */
    TcpListener admittedBy;
    /** Counted as half-open against its source's limit. */
    boolean halfOpenCounted;
    /** Stands for this connection in TIME-WAIT (this object is then out of the connection table). */
    private TimeWaits.Record timeWait;
    private TcpState state = TcpState.CLOSED;

    // --- send side (RFC 9293 §3.3.1) ---
    private int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax; // highest sequence number sent + 1
    private long sndWnd;
    private int sndWl1;
    private int sndWl2;
    private long maxSndWnd;
    private int sndWscale;
    private int mss = DEFAULT_MSS; // payload bytes per segment, options excluded
    private final SendBuffer sendBuffer;
    private boolean finRequested; // application shut output down
    private boolean finSent;
    private boolean noDelay;
    private boolean keepAlive;
    /** The outgoing device's checksum and segmentation offloads (NONE for in-process devices). */
    private final LinkOffloads offloads;

    // --- receive side ---
    private int irs;
    private int rcvNxt;
    private int rcvAdvEdge; // right edge of the window we advertised: never moved left (RFC 9293 §3.8.6.2.2)
    private int rcvWscale;
    private final ReceiveBuffer receiveBuffer;
    private boolean peerFinReceived;
    private boolean peerFinPending; // FIN arrived ahead of missing data
    private int peerFinSeq;
    private boolean inputShutdownByApp;

    // --- options negotiated ---
    private boolean wscaleOk;
    private boolean tsOk;
    private boolean sackOk;
    private int tsRecent;
    private long tsRecentAge;
    private int lastTsEcr; // TSecr of the segment being processed (0: none)
    private boolean synTimed;
    private boolean rtoArmed;
    private long rtoDeadline;
    private final int tsOffset;
    /** When this connection last answered an invalid segment with an ACK ({@link Tcp#invalidAckAllowed}). */
    long lastInvalidAckNanos = Long.MIN_VALUE;

    // --- timers and estimators ---
    private final RttEstimator rtt;
    private final CongestionControl cc;
    private final SackScoreboard scoreboard = new SackScoreboard();
    private final Timer retransmitTimer;
    private final Timer delayedAckTimer;
    private final Timer persistTimer;
    private final Timer keepaliveTimer;
    private final Timer timeWaitTimer;
    private int retries;
    private int persistBackoff;
    private int keepaliveSent;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;

    // --- recovery ---
    private int dupAcks;
    private boolean inRecovery;
    private int recoveryPoint;
    private int highRxt;

    // --- ACK policy ---
    private boolean ackNow;
    private int unackedSegments;
    /** A delayed ACK is owed by {@link #delayedAckDue}; the timer is moved only when it fires early. */
    private boolean delayedAckPending;
    private long delayedAckDue;
    /** Queued in {@link Tcp#ackAfterBatch} for the ACK at the end of this receive batch. */
    boolean batchAckQueued;
    /** Queued in {@link Tcp#outputAfterBatch}: {@link #output} runs at the end of this receive batch. */
    boolean batchOutputWanted;
    /** In {@link Tcp}'s list of connections to visit at the end of this receive batch. */
    boolean batchQueued;

    // --- statistics ---
    private long retransmittedSegments;
    private long retransmittedBytes;
    private long bytesSent;
    private long bytesAcked;
    private long bytesReceived;
    private boolean errorReported;
    private boolean closedReported;

    /** A connection with its own config (buffer sizes, Nagle, ...), e.g. SO_RCVBUF set before connecting. */
    TcpConnection(Tcp tcp, TcpConfig config, int localIp, int localPort, int remoteIp, int remotePort, TcpHandler handler) {
        this.tcp = tcp;
        this.config = config;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.key = Tcp.key(remoteIp, remotePort, localPort);
        this.handler = handler != null ? handler : new TcpHandler() { };
        this.sendBuffer = new SendBuffer(config.sendBuffer(), tcp.memory());
        this.receiveBuffer = new ReceiveBuffer(config.receiveBuffer(), ReceiveBuffer.DEFAULT_MAX_RANGES, tcp.memory());
        this.noDelay = !config.nagle();
        this.offloads = tcp.offloadsFor(remoteIp);
        this.rtt = new RttEstimator(config.initialRto().toNanos(), config.minRto().toNanos(),
                config.maxRto().toNanos(), 1_000_000L);
        this.cc = CongestionControls.create(config.congestionControl());
        var loop = tcp.loop();
        retransmitTimer = loop.newTimer(this::onRetransmitTimer);
        delayedAckTimer = loop.newTimer(this::onDelayedAck);
        persistTimer = loop.newTimer(this::onPersist);
        keepaliveTimer = loop.newTimer(this::onKeepalive);
        timeWaitTimer = loop.newTimer(this::onTimeWaitOver);
        tsOffset = tcp.timestampOffset(localIp, remoteIp);
        int ws = 0;
        while (ws < 14 && (65535L << ws) < config.receiveBuffer()) {
            ws++;
        }
        rcvWscale = config.windowScaling() ? ws : 0;
    }

    // =====================================================================================
    // Public API
    // =====================================================================================

    public TcpState state() {
        if (state == TcpState.TIME_WAIT && timeWait != null && !timeWait.waiting()) {
            return TcpState.CLOSED; // the TIME-WAIT record ended
        }
        return state;
    }

    public int localAddress() {
        return localIp;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteIp;
    }

    public int remotePort() {
        return remotePort;
    }

    public void setHandler(TcpHandler handler) {
        this.handler = handler != null ? handler : new TcpHandler() { };
        if (receiveBuffer.readable() > 0) {
            tcp.loop().execute(() -> this.handler.onReceive(this));
        }
        if (peerFinReceived) {
            tcp.loop().execute(() -> this.handler.onEndOfInput(this));
        }
    }

    /** Disables Nagle's algorithm (RFC 1122 §4.2.3.4 requires the switch). */
    public void setNoDelay(boolean on) {
        noDelay = on;
        if (on) {
            output();
        }
    }

    public boolean noDelay() {
        return noDelay;
    }

    public void setKeepAlive(boolean on) {
        keepAlive = on;
        if (on && state.isSynchronized()) {
            keepaliveTimer.schedule(config.keepaliveIdle().toNanos());
        } else {
            keepaliveTimer.cancel();
        }
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    /** The IPv4 TOS byte of the segments this connection sends (IP_TOS); loop thread. */
    private int trafficClass;

    /**
     * Sets the IPv4 TOS byte (DSCP, RFC 2474 §3) of the segments this connection sends from now
     * on. The two ECN bits (RFC 3168 §5) are the stack's, not the application's: they are cleared,
     * as Linux does for TCP.
     */
    public void setTrafficClass(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("TOS must be 0-255: " + tos);
        }
        trafficClass = tos & 0xFC;
    }

    public int trafficClass() {
        return trafficClass;
    }

    /** The send buffer's capacity in bytes (SO_SNDBUF). */
    public int sendBufferSize() {
        return sendBuffer.capacity();
    }

    /**
     * Changes the send buffer's capacity (SO_SNDBUF); it never shrinks below the bytes it holds.
     * Growing it lets waiting writers continue at once, as Linux's SO_SNDBUF does.
     */
    public void setSendBufferSize(int bytes) {
        checkBufferSize(bytes);
        int before = sendBuffer.free();
        sendBuffer.resize(Math.max(bytes, sendBuffer.size()));
        int gained = sendBuffer.free() - before;
        if (gained > 0 && canSendData() && !finRequested) {
            handler.onSent(this, 0); // "space is free": writers blocked on a full buffer look again
        }
    }

    /** The receive buffer's capacity in bytes (SO_RCVBUF). */
    public int receiveBufferSize() {
        return receiveBuffer.capacity();
    }

    /**
     * Changes the receive buffer's capacity (SO_RCVBUF). It never shrinks below the readable bytes
     * plus the window already advertised (RFC 9293 §3.8.6.2.2: the right edge must not move left).
     * The window scale was fixed by the SYN (RFC 7323 §2.2): a buffer larger than the scale can
     * express is not advertised beyond it — set the size before connecting (per-connection
     * {@link TcpConfig}) for large windows.
     */
    public void setReceiveBufferSize(int bytes) {
        checkBufferSize(bytes);
        long floor = receiveBuffer.readable() + (state.isSynchronized() ? currentAdvertisedWindow() : 0);
        receiveBuffer.resize((int) Math.max(bytes, Math.min(floor, ReceiveBuffer.MAX_CAPACITY)));
        if (state.isSynchronized()) {
            maybeSendWindowUpdate();
        }
    }

    private static void checkBufferSize(int bytes) {
        if (bytes < 1 || bytes > ReceiveBuffer.MAX_CAPACITY) {
            throw new IllegalArgumentException("buffer size must be 1 byte to 1 GiB: " + bytes);
        }
    }

    /** Free send-buffer space: how much {@link #write} would accept now. */
    public int writable() {
        if (finRequested || !canSendData()) {
            return 0;
        }
        return sendBuffer.free();
    }

    /**
     * Copies as much of {@code src[off, off+len)} as fits into the send buffer and starts sending.
     *
     * @return bytes accepted (0 when the buffer is full: wait for {@link TcpHandler#onSent})
     * @throws IllegalStateException after {@link #shutdownOutput()} or when the connection cannot send
     */
    public int write(byte[] src, int off, int len) {
        checkCanWrite();
        int n = sendBuffer.write(src, off, len);
        if (n > 0 && state.isSynchronized()) {
            output();
        }
        return n;
    }

    /**
     * Like {@link #write}, without the copy: {@code w} writes straight into the send buffer's free
     * space ({@link InPlaceWriter#fill}, called once, or twice when the buffer wraps and the first
     * piece was filled completely), and the bytes it reports written are sent exactly as if
     * {@code write} had accepted them — same states, same errors, same Nagle and flow control.
     * The array handed to {@code fill} is the buffer itself and valid only during the call.
     * Nothing allocated per call; {@code fill} is not called when the buffer is full.
     *
     * @return bytes accepted (0 when the buffer is full: wait for {@link TcpHandler#onSent})
     * @throws IllegalStateException after {@link #shutdownOutput()}, when the connection cannot
     *         send, or when {@code fill} returns a count outside 0..len (nothing is then sent)
     */
    public int writeInPlace(InPlaceWriter w) {
        checkCanWrite();
        int n = sendBuffer.writeInPlace(w);
        if (n > 0 && state.isSynchronized()) {
            output();
        }
        return n;
    }

    private void checkCanWrite() {
        if (finRequested) {
            throw new IllegalStateException("output is shut down: no writes after shutdownOutput()/close()");
        }
        if (!canSendData() && state != TcpState.SYN_SENT && state != TcpState.SYN_RECEIVED) {
            throw new IllegalStateException("connection is " + state + ": cannot write");
        }
    }

    /** In-order bytes ready for {@link #read}. */
    public int readable() {
        return receiveBuffer.readable();
    }

    /**
     * Takes up to {@code len} received bytes. This is the explicit consumption of lwIP's
     * tcp_recved: the window advertised to the peer reopens only as data is read.
     */
    public int read(byte[] dst, int off, int len) {
        int n = receiveBuffer.read(dst, off, len);
        if (n > 0) {
            afterRead();
        }
        return n;
    }

    /**
     * Like {@link #read}, without the copy: {@code r} reads the received bytes where the receive
     * buffer holds them ({@link InPlaceReader#take}, called once, or twice when the buffer wraps
     * and the first piece was taken completely), and the bytes it reports taken are consumed
     * exactly as {@code read} of that many would — the window reopens only as they are taken.
     * The array handed to {@code take} is the buffer itself and valid only during the call.
     * Nothing allocated per call; {@code take} is not called when nothing is readable.
     *
     * @return bytes consumed
     * @throws IllegalStateException when {@code take} returns a count outside 0..len (nothing is
     *         then consumed)
     */
    public int readInPlace(InPlaceReader r) {
        int n = receiveBuffer.readInPlace(r);
        if (n > 0) {
            afterRead();
        }
        return n;
    }

    /** Data was taken: the storage goes back once nothing is held, and the window may reopen. */
    private void afterRead() {
        if (receiveBuffer.readable() == 0) {
            receiveBuffer.trim(); // memory follows data: a drained connection holds no pages
        }
        maybeSendWindowUpdate();
    }

    /**
     * Bytes of buffer storage this connection holds now (send and receive rings, out-of-order
     * bookkeeping): 0 before the first byte and again once everything was read and acknowledged.
     */
    public int bufferFootprint() {
        return sendBuffer.footprint() + receiveBuffer.footprint();
    }

    /** True once the peer's FIN has been received and every byte before it read. */
    public boolean isEndOfInput() {
        return peerFinReceived && receiveBuffer.readable() == 0;
    }

    /** True once the peer's FIN has arrived (there may still be bytes to read). */
    public boolean peerClosedOutput() {
        return peerFinReceived;
    }

    public boolean isOutputShutdown() {
        return finRequested;
    }

    /** Half-close: a FIN follows the data already written (uSock's zero-length send). */
    public void shutdownOutput() {
        if (finRequested) {
            return;
        }
        switch (state) {
            case CLOSED, LISTEN -> {
                return;
            }
            case SYN_SENT -> {
                // Nothing was sent: just drop the connection (RFC 9293 §3.10.4 CLOSE in SYN-SENT).
                finRequested = true;
                terminate(null);
                return;
            }
            default -> {
            }
        }
        finRequested = true;
        output();
    }

    /**
     * Closes both directions: FIN after the pending data. Data that arrives afterwards, or was
     * received and never read, makes the connection send RST (RFC 1122 §4.2.2.13), as Linux does.
     */
    public void close() {
        inputShutdownByApp = true;
        if (receiveBuffer.readable() > 0 && state.isSynchronized()) {
            abort();
            return;
        }
        shutdownOutput();
    }

    /** The stack is ending (loop thread): the handler closes the connection its way; if it fails, RST. */
    void endByStack() {
        try {
            handler.onStackEnding(this);
        } catch (RuntimeException e) {
            abort(); // a broken handler must not keep the other connections from ending
        }
    }

    /** Resets the connection at once (RST), discarding buffered data. */
    public void abort() {
        if (state() == TcpState.CLOSED) {
            return;
        }
        if (state.isSynchronized() || state == TcpState.SYN_RECEIVED) {
            if (state != TcpState.TIME_WAIT) {
                tcp.sendRst(localIp, localPort, remoteIp, remotePort, sndNxt, 0, false);
            }
        }
        tcp.countAbort();
        terminate(null);
    }

    /** A snapshot of the connection's state, windows and estimators. */
    public TcpInfo info() {
        return new TcpInfo(state, Ipv4Address.format(localIp) + ":" + localPort,
                Ipv4Address.format(remoteIp) + ":" + remotePort, mss, sndWnd, currentAdvertisedWindow(),
                cc.cwnd(), cc.ssthresh(), rtt.hasSample() ? rtt.srtt() / 1000 : 0, rtt.hasSample() ? rtt.rttvar() / 1000 : 0,
                rtt.rto() / 1000, retransmittedSegments, retransmittedBytes, bytesSent, bytesAcked, bytesReceived,
                sndMax - sndUna, sendBuffer.size(), receiveBuffer.readable(), sackOk, tsOk, sndWscale,
                wscaleOk ? rcvWscale : 0, cc.name(), inRecovery);
    }

    @Override
    public String toString() {
        return "tcp " + Ipv4Address.format(localIp) + ":" + localPort + " -> " + Ipv4Address.format(remoteIp) + ":"
                + remotePort + " " + state;
    }

    // =====================================================================================
    // Opening
    // =====================================================================================

    /** Active open (RFC 9293 §3.10.1): send SYN. */
    void connect() {
        iss = tcp.isn(localIp, localPort, remoteIp, remotePort);
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        setState(TcpState.SYN_SENT);
        rttStart = now();
        synTimed = true;
        sendSyn(false);
        armRto();
    }

    /** Passive open: a SYN reached our listener (RFC 9293 §3.10.7.2). */
    void acceptSyn(TcpSegment seg, TcpOptions opts, int isn) {
        irs = seg.sequenceNumber();
        rcvNxt = irs + 1;
        negotiate(opts);
        iss = isn;
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        sndWnd = seg.window(); // never scaled in a SYN (RFC 7323 §2.2)
        sndWl1 = irs;
        sndWl2 = iss;
        maxSndWnd = sndWnd;
        setState(TcpState.SYN_RECEIVED);
        sendSyn(true);
        armRto();
    }

    /**
     * A SYN-cookie handshake completed (RFC 4987 §3.6): no SYN state was kept, so window scaling,
     * SACK and timestamps are off and the MSS is the one the cookie encoded.
     */
    void acceptCookie(TcpSegment ack, TcpOptions opts, int isn, int cookieMss) {
        iss = isn;
        irs = ack.sequenceNumber() - 1;
        rcvNxt = irs + 1;
        wscaleOk = false;
        sndWscale = 0;
        rcvWscale = 0;
        tsOk = false;
        sackOk = false;
        mss = Math.min(cookieMss, tcp.mssFor(remoteIp));
        cc.init(mss);
        sndUna = iss + 1;
        sndNxt = sndUna;
        sndMax = sndUna;
        sndWnd = ack.window();
        sndWl1 = ack.sequenceNumber();
        sndWl2 = ack.acknowledgmentNumber();
        maxSndWnd = sndWnd;
        rcvAdvEdge = rcvNxt + 65535; // what the cookie SYN-ACK advertised
        setState(TcpState.ESTABLISHED);
    }

    /** Takes the peer's SYN options; ours were offered if the config allows. */
    private void negotiate(TcpOptions opts) {
        wscaleOk = config.windowScaling() && opts.hasWindowScale();
        sndWscale = wscaleOk ? Math.min(opts.windowScale(), 14) : 0; // RFC 7323 §2.3: cap at 14
        if (!wscaleOk) {
            rcvWscale = 0;
        }
        tsOk = config.timestamps() && opts.hasTimestamps();
        if (tsOk) {
            tsRecent = opts.tsVal();
            tsRecentAge = now();
        }
        sackOk = config.sack() && opts.sackPermitted();
        int peerMss = opts.hasMss() ? opts.mss() : DEFAULT_MSS;
        int ours = tcp.mssFor(remoteIp);
        mss = Math.max(64, Math.min(peerMss, ours)) - (tsOk ? 12 : 0);
        cc.init(mss);
    }

    private void sendSyn(boolean ack) {
        TcpOptions o = tcp.txOptions().clear();
        o.setMss(tcp.mssFor(remoteIp));
        boolean offerWs = config.windowScaling() && (!ack || wscaleOk);
        if (offerWs) {
            o.setWindowScale(rcvWscale);
        }
        if (config.sack() && (!ack || sackOk)) {
            o.setSackPermitted(true);
        }
        if (config.timestamps() && (!ack || tsOk)) {
            o.setTimestamps(tsValue(), ack ? tsRecent : 0);
        }
        int window = (int) Math.min(65535, receiveBuffer.window());
        rcvAdvEdge = rcvNxt + window;
        tcp.sendSegment(this, iss, ack ? rcvNxt : 0, TcpSegment.SYN | (ack ? TcpSegment.ACK : 0), window, o, 0, 0, offloads, 0);
        sndNxt = iss + 1;
        sndMax = Seq.max(sndMax, sndNxt);
        if (ack) {
            ackSent();
        }
    }

    // =====================================================================================
    // Segment arrival (RFC 9293 §3.10.7)
    // =====================================================================================

    void input(TcpSegment seg, TcpOptions opts) {
        if (state == TcpState.SYN_SENT) {
            synSentInput(seg, opts);
            return;
        }
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) {
            return;
        }
        int seq = seg.sequenceNumber();
        int flags = seg.flags();
        boolean rst = (flags & TcpSegment.RST) != 0;
        boolean syn = (flags & TcpSegment.SYN) != 0;
        int len = seg.payloadLength();

        // RFC 7323 §5.3 PAWS: a timestamp older than the last one in-window is a stale duplicate.
        if (tsOk && opts.hasTimestamps() && !rst && Seq.lt(opts.tsVal(), tsRecent)
                && now() - tsRecentAge < PAWS_IDLE_NANOS) {
            tcp.countPaws();
            sendAck();
            return;
        }

        if (state == TcpState.SYN_RECEIVED && syn && !rst && (flags & TcpSegment.ACK) == 0 && seq == irs) {
            // The peer's SYN again: our SYN-ACK was lost. Answer with the SYN-ACK at once (as
            // Linux does) rather than the bare ACK the window check below would produce.
            sendSyn(true);
            return;
        }

        // First: the sequence number must fall in the window (RFC 9293 §3.10.7.4, table).
        int segLen = seg.sequenceLength();
        int wnd = Math.max(0, rcvAdvEdge - rcvNxt);
        if (!acceptable(seq, segLen, wnd) && !(wnd == 0 && seq == rcvNxt)) {
            if (!rst) {
                tcp.countOutOfWindow();
                // RFC 9293: send an ACK and drop; one that carries no data may be part of an ACK
                // loop and is rate-limited per connection (a SYN draws a challenge ACK, RFC 5961 §4.2).
                if (syn) {
                    if (tcp.challengeAckAllowed(this)) {
                        tcp.countChallengeAck();
                        sendAck();
                    }
                } else if (len > 0 || (flags & TcpSegment.FIN) != 0 || tcp.invalidAckAllowed(this)) {
                    sendAck();
                }
            }
            return;
        }

        // Second: RST (RFC 5961 §3.2): only an exact match resets; in-window gets a challenge ACK.
        if (rst) {
            if (seq == rcvNxt) {
                onResetReceived();
            } else if (tcp.challengeAckAllowed(this)) {
                tcp.countChallengeAck();
                sendAck();
            }
            return;
        }

        // Fourth: SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, never reset.
        if (syn) {
            if (tcp.challengeAckAllowed(this)) {
                tcp.countChallengeAck();
                sendAck();
            }
            return;
        }

        // Fifth: ACK.
        if ((flags & TcpSegment.ACK) == 0) {
            return;
        }
        int ack = seg.acknowledgmentNumber();
        if (state == TcpState.SYN_RECEIVED) {
            if (Seq.lt(sndUna, ack) && Seq.le(ack, sndMax)) {
                if (listener != null && listener.acceptQueueFull()) {
                    // Like Linux (tcp_abort_on_overflow off): ignore the ACK; our SYN-ACK
                    // retransmission draws another once the application has accepted.
                    tcp.countListenOverflow();
                    return;
                }
                sndWnd = (long) seg.window() << sndWscale;
                sndWl1 = seq;
                sndWl2 = ack;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                sndUna = ack;
                disarmRto();
                if (rttTimingValidForSyn()) {
                    rtt.sample(now() - rttStart);
                }
                retries = 0;
                setState(TcpState.ESTABLISHED);
                tcp.handshakeCompleted(this);
            } else {
                tcp.sendRst(localIp, localPort, remoteIp, remotePort, ack, 0, false);
                return;
            }
        }
        if (tsOk && opts.hasTimestamps() && Seq.le(seq, lastAckSent) && Seq.lt(lastAckSent, seq + Math.max(segLen, 1))) {
            // RFC 7323 §4.3: remember the timestamp of the segment that fills our last ACK point.
            tsRecent = opts.tsVal();
            tsRecentAge = now();
        }
        lastTsEcr = opts.hasTimestamps() ? opts.tsEcr() : 0;
        if (!processAck(seg, opts, ack, len)) {
            return;
        }
        if (state == TcpState.CLOSED) {
            return;
        }

        // Seventh: the text (none is taken into a zero window: RFC 9293 keeps only the ACK).
        int dataOff = seg.payloadOffset();
        if (len > 0 && wnd == 0) {
            ackNow = true;
            len = 0;
            flags &= ~TcpSegment.FIN;
        }
        if (len > 0) {
            if (state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2) {
                if (inputShutdownByApp) {
                    // RFC 1122 §4.2.2.13: data for a closed socket resets the connection.
                    abort();
                    return;
                }
                receiveData(seq, seg.buffer(), dataOff, len);
            }
        }

        // Eighth: FIN.
        if ((flags & TcpSegment.FIN) != 0) {
            int finSeq = seq + len;
            if (!peerFinReceived) {
                peerFinPending = true;
                peerFinSeq = finSeq;
            }
            if (state == TcpState.TIME_WAIT) {
                ackNow = true; // its 2 MSL wait started with this segment (the record keeps the time)
            }
        }
        if (peerFinPending && rcvNxt == peerFinSeq) {
            finReceived();
        }
        if (ackNow) {
            sendAck();
        }
        output();
    }

    /** RFC 9293 §3.10.7.4, the four cases of segment acceptability. */
    private boolean acceptable(int seq, int segLen, int wnd) {
        if (segLen == 0) {
            return wnd == 0 ? seq == rcvNxt : Seq.le(rcvNxt, seq) && Seq.lt(seq, rcvNxt + wnd);
        }
        if (wnd == 0) {
            return false;
        }
        int last = seq + segLen - 1;
        return (Seq.le(rcvNxt, seq) && Seq.lt(seq, rcvNxt + wnd)) || (Seq.le(rcvNxt, last) && Seq.lt(last, rcvNxt + wnd));
    }

    private void synSentInput(TcpSegment seg, TcpOptions opts) {
        int flags = seg.flags();
        int ack = seg.acknowledgmentNumber();
        boolean hasAck = (flags & TcpSegment.ACK) != 0;
        if (hasAck && (Seq.le(ack, iss) || Seq.gt(ack, sndMax))) {
            // RFC 9293 §3.10.7.3 first: unacceptable ACK.
            if ((flags & TcpSegment.RST) == 0) {
                tcp.sendRst(localIp, localPort, remoteIp, remotePort, ack, 0, false);
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (hasAck) {
                fail(new ConnectException("Connection refused"));
            }
            return;
        }
        if ((flags & TcpSegment.SYN) == 0) {
            return;
        }
        irs = seg.sequenceNumber();
        rcvNxt = irs + 1;
        rcvAdvEdge = rcvNxt + (int) Math.min(65535, receiveBuffer.window()); // what our SYN offered
        negotiate(opts);
        if (hasAck) {
            sndUna = ack;
            sndWnd = (long) seg.window(); // unscaled in SYN-ACK (RFC 7323 §2.2)
            sndWl1 = irs;
            sndWl2 = ack;
            maxSndWnd = sndWnd;
            disarmRto();
            retries = 0;
            if (rttTimingValidForSyn()) {
                rtt.sample(now() - rttStart);
            }
            setState(TcpState.ESTABLISHED);
            sendAck();
            handler.onConnected(this);
            output();
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-RECEIVED, send SYN-ACK.
            sndWnd = seg.window();
            sndWl1 = irs;
            maxSndWnd = sndWnd;
            setState(TcpState.SYN_RECEIVED);
            sendSyn(true);
            armRto();
        }
    }

    private boolean rttTimingValidForSyn() {
        return retries == 0 && synTimed; // Karn: not after a SYN retransmission
    }

    /** Returns false if the segment must be dropped. */
    private boolean processAck(TcpSegment seg, TcpOptions opts, int ack, int len) {
        // RFC 5961 §5.2: acceptable if SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT.
        if (Seq.gt(ack, sndMax)) {
            tcp.countAckTooNew();
            sendAck();
            return false;
        }
        if (Seq.lt(ack, sndUna - (int) Math.min(maxSndWnd, Integer.MAX_VALUE))) {
            if (tcp.challengeAckAllowed(this)) {
                tcp.countChallengeAck();
                sendAck();
            }
            return false;
        }
        if (sackOk && opts.sackBlockCount() > 0) {
            int n = opts.sackBlockCount();
            int[] s = tcp.sackStarts();
            int[] e = tcp.sackEnds();
            for (int i = 0; i < n; i++) {
                s[i] = opts.sackLeft(i);
                e[i] = opts.sackRight(i);
            }
            scoreboard.update(ack, sndMax, s, e, n);
        }
        int seq = seg.sequenceNumber();
        long newWnd = (long) seg.window() << sndWscale;
        boolean windowUpdate = false;
        if (Seq.lt(sndWl1, seq) || (sndWl1 == seq && Seq.le(sndWl2, ack))) {
            // RFC 9293 §3.10.7.4: update the send window only from newer segments.
            windowUpdate = newWnd != sndWnd;
            sndWnd = newWnd;
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            if (sndWnd > 0) {
                persistTimer.cancel();
                persistBackoff = 0;
            }
        }
        if (Seq.gt(ack, sndUna)) {
            newAck(ack);
        } else if (ack == sndUna && len == 0 && !windowUpdate && sndMax != sndUna
                && (seg.flags() & (TcpSegment.FIN | TcpSegment.SYN)) == 0) {
            // RFC 5681 §2: a duplicate ACK.
            duplicateAck();
        }
        return true;
    }

    private void newAck(int ack) {
        int acked = ack - sndUna;
        // Bytes of data acknowledged: a FIN takes one sequence number but no buffer space.
        int dataEnd = sndUna + sendBuffer.size();
        int dataAcked = Seq.gt(ack, dataEnd) ? dataEnd - sndUna : acked;
        if (finSent && Seq.gt(ack, dataEnd)) {
            // our FIN is acknowledged
            finAcked();
        }
        if (rttTiming && Seq.gt(ack, rttSeq)) {
            rtt.sample(now() - rttStart);
            rttTiming = false;
        } else if (tsOk && lastTsEcr != 0 && !inRecovery) {
            // RFC 7323 §4: the echoed timestamp times the segment being acknowledged, even a
            // retransmitted one (the echo tells which copy arrived), at the TS clock's 1 ms grain.
            long ms = (long) (tsValue() - lastTsEcr);
            if (ms >= 0 && ms < 600_000) {
                rtt.sample(ms * 1_000_000L);
            }
        }
        sendBuffer.release(Math.min(dataAcked, sendBuffer.size())); // finAcked may have ended it all
        if (sendBuffer.size() == 0) {
            sendBuffer.trim(); // everything acknowledged: the pages go back to the pool
        }
        bytesAcked += dataAcked;
        long flight = sndMax - sndUna;
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        scoreboard.advance(sndUna);
        retries = 0;
        dupAcks = 0;
        if (inRecovery) {
            if (Seq.ge(ack, recoveryPoint)) {
                // RFC 6582 §3.2 step 3 / RFC 6675 §5: full acknowledgment ends recovery.
                inRecovery = false;
                cc.onExitRecovery(sndMax - sndUna, now());
            } else if (!sackOk) {
                // RFC 6582 §3.2 step 5: partial ACK — retransmit the next hole at once.
                cc.onPartialAck(acked);
                retransmitAt(sndUna, Math.min(mss, sndMax - sndUna));
            }
        } else {
            cc.onAck(acked, flight, rtt.hasSample() ? rtt.srtt() : -1, now());
        }
        // RFC 6298 §5.2/5.3: restart the timer if data is outstanding, else stop it.
        if (sndMax != sndUna) {
            armRto();
        } else {
            disarmRto();
        }
        if (dataAcked > 0) {
            handler.onSent(this, dataAcked);
        }
    }

    private void duplicateAck() {
        dupAcks++;
        tcp.countDupAck();
        if (inRecovery) {
            if (!sackOk) {
                cc.onDupAckInRecovery(); // RFC 5681 §3.2 step 4: inflate
            }
            return;
        }
        boolean lost = dupAcks >= DUP_THRESH || (sackOk && scoreboard.isLost(sndUna, mss));
        if (lost) {
            enterRecovery();
        }
        // RFC 3042 limited transmit: the first two duplicate ACKs may each release one new
        // segment; output() honours it via dupAcks.
    }

    private void enterRecovery() {
        inRecovery = true;
        recoveryPoint = sndMax;
        highRxt = sndUna;
        tcp.countFastRetransmit();
        cc.onEnterRecovery(sndMax - sndUna, now());
        if (!sackOk) {
            // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3 MSS, for the three segments that left the network.
            for (int i = 0; i < DUP_THRESH; i++) {
                cc.onDupAckInRecovery();
            }
        }
        rttTiming = false; // Karn: no sample from retransmitted data
        int first = sackOk ? scoreboard.unsackedLength(sndUna, Math.min(mss, sndMax - sndUna)) : Math.min(mss, sndMax - sndUna);
        highRxt = sndUna + retransmitAt(sndUna, Math.max(1, first)); // RFC 6675 §5 step (3): HighRxt past it
        armRto();
    }

    private void receiveData(int seq, byte[] buf, int off, int len) {
        int offset = seq - rcvNxt;
        if (offset < 0) {
            // Starts before rcv.nxt: skip what we already have.
            off -= offset;
            len += offset;
            offset = 0;
            if (len <= 0) {
                ackNow = true;
                return;
            }
        }
        boolean hadHoles = receiveBuffer.hasOutOfOrder();
        int inOrder = receiveBuffer.write(offset, buf, off, len);
        if (inOrder > 0) {
            rcvNxt += inOrder;
            bytesReceived += inOrder;
            unackedSegments++;
            // RFC 5681 §4.2: ACK at once when a segment fills (part of) a hole; RFC 1122: at
            // least every second full-sized segment.
            if (hadHoles || len < mss && receiveBuffer.hasOutOfOrder()) {
                ackNow = true;
            } else if (unackedSegments >= 2) {
                // The every-second-segment ACK goes out once the device's receive batch is
                // processed: one ACK for all the segments of the batch (as Linux ACKs a GRO
                // aggregate), unless data going back carries it first.
                tcp.ackAfterBatch(this);
            } else {
                armDelayedAck();
            }
            if (!inputShutdownByApp) {
                handler.onReceive(this);
            }
        } else {
            // Out of order (or beyond the window): duplicate ACK at once, with SACK blocks.
            ackNow = true;
        }
    }

    private void finReceived() {
        peerFinPending = false;
        peerFinReceived = true;
        rcvNxt = peerFinSeq + 1;
        ackNow = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> setState(TcpState.CLOSE_WAIT);
            case FIN_WAIT_1 -> {
                if (finSent && sndUna == sndMax) {
                    enterTimeWait();
                } else {
                    setState(TcpState.CLOSING);
                }
            }
            case FIN_WAIT_2 -> enterTimeWait();
            default -> {
            }
        }
        handler.onEndOfInput(this);
    }

    private void finAcked() {
        switch (state) {
            case FIN_WAIT_1 -> {
                setState(peerFinReceived ? TcpState.TIME_WAIT : TcpState.FIN_WAIT_2);
                if (state == TcpState.FIN_WAIT_2 && inputShutdownByApp) {
                    // Nobody will read what the peer still sends: do not wait for its FIN forever
                    // (Linux's tcp_fin_timeout does the same for orphaned connections).
                    timeWaitTimer.schedule(2 * config.msl().toNanos());
                }
            }
            case CLOSING -> enterTimeWait();
            case LAST_ACK -> {
                terminate(null);
                return;
            }
            default -> {
            }
        }
        if (state == TcpState.TIME_WAIT) {
            enterTimeWait();
        }
    }

    private void enterTimeWait() {
        setState(TcpState.TIME_WAIT);
        rtoArmed = false;
        retransmitTimer.cancel();
        persistTimer.cancel();
        keepaliveTimer.cancel();
        delayedAckTimer.cancel();
        delayedAckPending = false;
        timeWaitTimer.cancel();
        sendBuffer.trim(); // every byte and the FIN were acknowledged: TIME-WAIT holds no data
        receiveBuffer.trim();
        // From now on a small record answers for this connection (Linux's timewait minisock);
        // this object keeps only what the application may still read.
        advertiseWindow(); // settles the edge the record keeps
        timeWait = new TimeWaits.Record(key, localIp, sndMax, (int) Math.min(maxSndWnd, Integer.MAX_VALUE), rcvNxt,
                (int) currentAdvertisedWindow(), rcvWscale, tsOk, tsOffset, tsRecent, tsRecentAge,
                2 * config.msl().toNanos());
        // The record goes on with this connection's challenge-ACK interval (a never-used one: long enough ago).
        long nowMillis = tcp.loop().clock().nanos() / 1_000_000L;
        timeWait.lastInvalidAckMillis = (int) (lastInvalidAckNanos == Long.MIN_VALUE
                ? nowMillis - (1 << 30) : lastInvalidAckNanos / 1_000_000L);
        tcp.enterTimeWait(this, timeWait);
        reportClosed();
    }

    private void onResetReceived() {
        switch (state) {
            case SYN_RECEIVED -> {
                // RFC 9293 §3.10.7.4: a passive open goes quietly back to LISTEN.
                terminate(null);
            }
            case CLOSING, LAST_ACK, TIME_WAIT -> terminate(null);
            default -> fail(new SocketException("Connection reset"));
        }
    }

    // =====================================================================================
    // Output
    // =====================================================================================

    private boolean canSendData() {
        return state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT;
    }

    /** Sends what the windows, Nagle and the state allow; then a pending ACK if none went out. */
    void output() {
        if (!state.isSynchronized() || state == TcpState.TIME_WAIT) {
            return;
        }
        if (tcp.inInput && offloads.txSegmentation() == 0 && state == TcpState.ESTABLISHED && !finRequested) {
            // Plain data flow over a per-frame device only: handshakes and closes keep their
            // immediate order, and with segmentation offload (few, large writes) waiting for the
            // batch end measured slower (BENCHMARKS.md §4.5b).
            tcp.outputAfterBatch(this);
            return;
        }
        int sent = 0;
        if (inRecovery && sackOk) {
            sent += sackRecoveryOutput();
        }
        sent += sendNewData();
        if (sent == 0 && ackNow) {
            sendAck();
        }
        if (sndMax != sndUna && !rtoArmed) {
            armRto();
        }
    }

    private int dataEnd() {
        return sndUna + sendBuffer.size();
    }

    private int sendNewData() {
        int sentSegments = 0;
        while (true) {
            int dataEnd = dataEnd();
            int unsent = Seq.gt(dataEnd, sndNxt) ? dataEnd - sndNxt : 0;
            // A FIN not sent yet, or sent and being re-sent after a timeout rewound snd.nxt.
            boolean finPending = finRequested && canSendFinState()
                    && (!finSent || (sndNxt == dataEnd && Seq.gt(sndMax, dataEnd)));
            if (unsent == 0 && !(finPending && sndNxt == dataEnd)) {
                break;
            }
            if (sackOk && Seq.lt(sndNxt, sndMax) && !scoreboard.isEmpty()) {
                // Resending after a timeout: skip what the peer has already SACKed (RFC 6675 §5.1).
                int next = Seq.min(scoreboard.firstUnsackedAtOrAbove(sndNxt), sndMax);
                if (next != sndNxt) {
                    sndNxt = next;
                    continue;
                }
            }
            long inFlight = (long) (sndNxt - sndUna);
            long cwnd = cc.cwnd();
            if (!inRecovery && dupAcks > 0 && dupAcks < DUP_THRESH) {
                cwnd += (long) dupAcks * mss; // RFC 3042 limited transmit
            }
            long window = Math.min(cwnd, sndWnd);
            long usable = window - inFlight;
            int len = (int) Math.max(0, Math.min(Math.min(unsent, maxSegmentPayload()), usable));
            if (sackOk && Seq.lt(sndNxt, sndMax)) {
                len = Math.min(len, scoreboard.unsackedLength(sndNxt, len));
            }
            if (unsent > 0 && len == 0) {
                if (sndWnd == 0 || sndWnd <= inFlight) {
                    armPersist();
                }
                break;
            }
            if (unsent > 0 && len < mss && len < unsent) {
                // Sender SWS avoidance (RFC 1122 §4.2.3.4): don't send a small segment just because
                // the window is small, unless it is at least half the largest window seen.
                if (len < maxSndWnd / 2 && inFlight > 0) {
                    break;
                }
            }
            if (unsent > 0 && len < mss && inFlight > 0 && !noDelay && len == unsent && !finPending) {
                // Nagle (RFC 896, RFC 1122 §4.2.3.4): one small segment outstanding at a time.
                break;
            }
            boolean fin = finPending && len == unsent;
            int flags = TcpSegment.ACK | (len > 0 && len == unsent ? TcpSegment.PSH : 0) | (fin ? TcpSegment.FIN : 0);
            boolean retransmission = Seq.lt(sndNxt, sndMax);
            len = transmit(sndNxt, len, flags);
            fin = (flags & TcpSegment.FIN) != 0 && len == unsent;
            if (retransmission) {
                retransmittedSegments++;
                retransmittedBytes += len;
            } else {
                bytesSent += len;
            }
            if (!rttTiming && !retransmission && len > 0) {
                rttTiming = true;
                rttSeq = sndNxt;
                rttStart = now();
            }
            sndNxt += len + (fin ? 1 : 0);
            sndMax = Seq.max(sndMax, sndNxt);
            if (fin && !finSent) {
                finSent = true;
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
        return state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || ((state == TcpState.FIN_WAIT_1 || state == TcpState.LAST_ACK || state == TcpState.CLOSING) && finSent);
    }

    private void afterFinSent() {
        if (state == TcpState.ESTABLISHED) {
            setState(TcpState.FIN_WAIT_1);
        } else if (state == TcpState.CLOSE_WAIT) {
            setState(TcpState.LAST_ACK);
        }
    }

    /** RFC 6675 §5 step (C): while the pipe leaves room for a segment, send NextSeg(). */
    private int sackRecoveryOutput() {
        int sent = 0;
        for (int guard = 0; guard < 1000; guard++) {
            int pipe = scoreboard.pipe(sndUna, sndMax, highRxt, mss);
            if (cc.cwnd() - pipe < mss) {
                break;
            }
            int dataEnd = dataEnd();
            boolean haveNew = Seq.lt(sndMax, dataEnd) && (long) (sndMax - sndUna) < sndWnd;
            long r = scoreboard.nextSeg(sndUna, sndMax, highRxt, mss, haveNew);
            if (r < 0) {
                break;
            }
            int seq = (int) r;
            if (seq == sndMax) {
                if (!haveNew) {
                    break;
                }
                int len = Math.min(mss, dataEnd - sndMax);
                len = (int) Math.min(len, sndWnd - (sndMax - sndUna));
                if (len <= 0) {
                    break;
                }
                len = transmit(sndMax, len, TcpSegment.ACK | (len == dataEnd - sndMax ? TcpSegment.PSH : 0));
                bytesSent += len;
                sndMax += len;
                sndNxt = sndMax;
            } else {
                int len = scoreboard.unsackedLength(seq, Math.min(mss, sndMax - seq));
                if (len <= 0) {
                    break;
                }
                int inBuffer = dataEnd - seq;
                if (inBuffer <= 0) {
                    break; // only our FIN is outstanding there; the RTO handles it
                }
                len = Math.min(len, inBuffer);
                highRxt = seq + retransmitAt(seq, len);
            }
            sent++;
        }
        return sent;
    }

    /** Retransmits {@code len} bytes at {@code seq} (data only; a FIN rides along if it is next). */
    private int retransmitAt(int seq, int len) {
        int dataEnd = dataEnd();
        int avail = dataEnd - seq;
        if (avail <= 0) {
            if (finSent && seq == dataEnd) {
                transmit(seq, 0, TcpSegment.ACK | TcpSegment.FIN);
                retransmittedSegments++;
                return 1;
            }
            return 0;
        }
        len = Math.min(len, avail);
        boolean fin = finSent && seq + len == dataEnd;
        len = transmit(seq, len, TcpSegment.ACK | (fin ? TcpSegment.FIN : 0));
        retransmittedSegments++;
        retransmittedBytes += len;
        tcp.countRetransmit();
        return len;
    }

    /**
     * Builds and sends one segment carrying bytes [seq, seq+len) of the send buffer. SACK blocks
     * take option space, so the payload may be cut to keep the segment within the MSS; returns
     * the payload length actually sent (a FIN is dropped from a cut segment).
     */
    private int transmit(int seq, int len, int flags) {
        TcpOptions o = tcp.txOptions().clear();
        if (tsOk) {
            o.setTimestamps(tsValue(), tsRecent);
        }
        addSackBlocks(o);
        int room = mss + (tsOk ? 12 : 0) - o.encodedLength();
        int segmentSize = 0;
        if (len > room) {
            int cut = room;
            int tso = offloads.txSegmentation();
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
        tcp.sendSegment(this, seq, rcvNxt, flags, window, o, seq - sndUna, len, offloads, segmentSize);
        ackSent();
        return len;
    }

    private void addSackBlocks(TcpOptions o) {
        if (!sackOk || !receiveBuffer.hasOutOfOrder()) {
            return;
        }
        int[] s = tcp.sackStarts();
        int[] e = tcp.sackEnds();
        int n = receiveBuffer.sackBlocks(s, e, tsOk ? 3 : 4);
        for (int i = 0; i < n; i++) {
            o.addSackBlock(rcvNxt + s[i], rcvNxt + e[i]);
        }
    }

    private int lastAckSent;

    /** Payload of the largest segment to build: the MSS, or with TSO a super-segment of whole MSS-sized segments. */
    private int maxSegmentPayload() {
        int tso = offloads.txSegmentation();
        if (tso <= mss) {
            return mss;
        }
        return Math.max(1, (tso - 20 - TcpSegment.MAX_HEADER_LENGTH) / mss) * mss;
    }

    private void ackSent() {
        ackNow = false;
        unackedSegments = 0;
        lastAckSent = rcvNxt;
        delayedAckPending = false; // the timer, if armed, finds nothing to do when it fires
    }

    /** A pure ACK (no data), carrying the current window and SACK blocks. */
    void sendAck() {
        if (state == TcpState.CLOSED || state == TcpState.LISTEN || state == TcpState.SYN_SENT) {
            return;
        }
        // Not snd.nxt: after a timeout rewound it for go-back-N, an ACK carrying the old number
        // would fall left of the peer's window and be dropped with its acknowledgment (4.4BSD
        // sends pure ACKs at snd_max for the same reason).
        transmit(sndMax, 0, TcpSegment.ACK);
    }

    /**
     * The free space the window may offer: what the buffer has free, but never more than the
     * storage the connection already holds plus what the stack's budget can still give — so the
     * window never promises room the budget cannot give. Under memory pressure (Linux's
     * {@code tcp_mem} pressure) it grows no further than storage already held, or one page while
     * the budget is below its limit. The edge already advertised stays (RFC 9293 §3.8.6.2.2).
     */
    private long offerableWindow() {
        long free = receiveBuffer.window();
        var memory = tcp.memory();
        long held = receiveBuffer.storageAhead();
        if (!memory.underPressure()) {
            return Math.min(free, held + memory.available());
        }
        long floor = memory.used() < memory.limit() ? org.jnetstack.util.MemoryBudget.PAGE : 0;
        return Math.min(free, Math.max(held, floor));
    }

    /** The window field to send: RFC 1122 §4.2.3.3 receiver SWS avoidance, never shrinking the edge. */
    private int advertiseWindow() {
        long free = offerableWindow();
        int newEdge = rcvNxt + (int) Math.min(free, Integer.MAX_VALUE / 2);
        int threshold = Math.min(receiveBuffer.capacity() / 2, mss);
        if (Seq.lt(rcvAdvEdge, rcvNxt)) {
            rcvAdvEdge = rcvNxt;
        }
        if (Seq.ge(newEdge - threshold, rcvAdvEdge) || free == receiveBuffer.capacity()) {
            if (Seq.gt(newEdge, rcvAdvEdge)) {
                rcvAdvEdge = newEdge;
            }
        }
        long wnd = (long) (rcvAdvEdge - rcvNxt) >> rcvWscale;
        return (int) Math.min(wnd, 65535);
    }

    private long currentAdvertisedWindow() {
        return Math.max(0, rcvAdvEdge - rcvNxt);
    }

    private void maybeSendWindowUpdate() {
        if (!state.isSynchronized() || state == TcpState.TIME_WAIT) {
            return;
        }
        long before = currentAdvertisedWindow();
        long free = offerableWindow();
        int threshold = Math.min(receiveBuffer.capacity() / 2, mss);
        // An immediate window update only when the peer's view of the window has shrunk below half
        // of what we can now offer (it may be stalling); otherwise the next ACK carries the new
        // window. Without this, an application that reads every segment at once would add a pure
        // ACK per segment. The SWS rule (RFC 1122 §4.2.3.3) still needs a gain of a full threshold.
        if (free - before >= threshold && before < free / 2) {
            sendAck();
        }
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    /**
     * (Re)arms the retransmission timer RTO from now (RFC 6298 §5). Re-arming happens on almost
     * every ACK, so it only moves a deadline; the timer in the loop's heap is moved only when the
     * new deadline is earlier, and a late firing re-schedules itself to the deadline.
     */
    private void armRto() {
        rtoDeadline = now() + rtt.rto();
        rtoArmed = true;
        if (!retransmitTimer.isScheduled() || retransmitTimer.deadline() - rtoDeadline > 0) {
            retransmitTimer.scheduleAt(rtoDeadline);
        }
    }

    /** Stops the retransmission timer; its heap entry, if any, fires later and is ignored. */
    private void disarmRto() {
        rtoArmed = false;
    }

    private void onRetransmitTimer() {
        if (!rtoArmed) {
            return;
        }
        if (now() - rtoDeadline < 0) {
            retransmitTimer.scheduleAt(rtoDeadline);
            return;
        }
        rtoArmed = false;
        onRetransmitTimeout();
    }

    private void onRetransmitTimeout() {
        if (state == TcpState.CLOSED || state == TcpState.TIME_WAIT) {
            return;
        }
        int limit = (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) ? config.synRetries() : config.maxRetries();
        if (retries >= limit) {
            if (state == TcpState.SYN_RECEIVED) {
                terminate(null);
            } else if (state == TcpState.SYN_SENT) {
                fail(new SocketTimeoutException("Connect timed out"));
            } else {
                fail(new SocketTimeoutException("Connection timed out"));
            }
            return;
        }
        retries++;
        rtt.backoff(); // RFC 6298 §5.5
        rttTiming = false; // Karn's algorithm
        tcp.countTimeout();
        if (state == TcpState.SYN_SENT) {
            synTimed = false;
            sendSyn(false);
            armRto();
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            synTimed = false;
            sendSyn(true);
            armRto();
            return;
        }
        // RFC 5681 §3.1 eq. 4 and go-back-N from snd.una (RFC 6298 §5.4).
        cc.onRetransmitTimeout(sndMax - sndUna, now());
        if (retries >= 2) {
            // Repeated timeouts at the same point: the peer may have reneged on its SACKs
            // (RFC 2018 §8); resend everything rather than trust them.
            scoreboard.clear();
        }
        inRecovery = false;
        dupAcks = 0;
        recoveryPoint = sndMax;
        sndNxt = sndUna;
        retransmitAt(sndUna, Math.min(mss, Math.max(0, sndMax - sndUna)));
        int dataEnd = dataEnd();
        sndNxt = Seq.min(sndMax, sndUna + Math.min(mss, Math.max(0, dataEnd - sndUna)));
        if (finSent && sndNxt == dataEnd) {
            sndNxt = sndMax;
        }
        armRto();
    }

    /**
     * RFC 1122 §4.2.3.2: an ACK for a lone segment waits at most the delayed-ACK time. Armed for
     * every other segment in bulk, so it only records a deadline; the loop's timer heap is touched
     * when the timer is idle or fires early.
     */
    private void armDelayedAck() {
        if (delayedAckPending) {
            return;
        }
        delayedAckPending = true;
        delayedAckDue = now() + config.delayedAck().toNanos();
        if (!delayedAckTimer.isScheduled()) {
            delayedAckTimer.scheduleAt(delayedAckDue);
        }
    }

    private void onDelayedAck() {
        if (!delayedAckPending) {
            return;
        }
        if (now() - delayedAckDue < 0) {
            delayedAckTimer.scheduleAt(delayedAckDue);
            return;
        }
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            sendAck();
        }
    }

    /** The ACK {@link Tcp#ackAfterBatch} queued, unless something sent since carried it. */
    void sendBatchAck() {
        batchQueued = false;
        boolean ackWanted = batchAckQueued;
        batchAckQueued = false;
        if (batchOutputWanted) {
            batchOutputWanted = false;
            output(); // data sent here carries the ACK
        }
        if (ackWanted && unackedSegments > 0 && state.isSynchronized() && state != TcpState.TIME_WAIT) {
            sendAck();
        }
    }

    private void armPersist() {
        if (rtoArmed || persistTimer.isScheduled()) {
            return;
        }
        long t = Math.min(rtt.rto() << Math.min(persistBackoff, 10), config.maxRto().toNanos());
        persistTimer.schedule(Math.max(t, config.minRto().toNanos()));
    }

    /** Zero-window probe (RFC 9293 §3.8.6.1): a segment the peer must answer with its window. */
    private void onPersist() {
        if (!state.isSynchronized() || state == TcpState.TIME_WAIT) {
            return;
        }
        tcp.countWindowProbe();
        persistBackoff++;
        TcpOptions o = tcp.txOptions().clear();
        if (tsOk) {
            o.setTimestamps(tsValue(), tsRecent);
        }
        tcp.sendSegment(this, sndUna - 1, rcvNxt, TcpSegment.ACK, advertiseWindow(), o, 0, 0, offloads, 0);
        if (sndWnd == 0 && dataEnd() != sndNxt) {
            armPersist();
        } else {
            output();
        }
    }

    private void onKeepalive() {
        if (!keepAlive || !state.isSynchronized() || state == TcpState.TIME_WAIT) {
            return;
        }
        if (keepaliveSent >= config.keepaliveProbes()) {
            fail(new SocketTimeoutException("Connection timed out (keepalive)"));
            return;
        }
        keepaliveSent++;
        tcp.countKeepalive();
        // RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT-1, no data; the peer answers with an ACK.
        TcpOptions o = tcp.txOptions().clear();
        if (tsOk) {
            o.setTimestamps(tsValue(), tsRecent);
        }
        tcp.sendSegment(this, sndUna - 1, rcvNxt, TcpSegment.ACK, advertiseWindow(), o, 0, 0, offloads, 0);
        keepaliveTimer.schedule(config.keepaliveInterval().toNanos());
    }

    /** Any segment from the peer shows it is alive. */
    void heardFromPeer() {
        keepaliveSent = 0;
        if (keepAlive && state.isSynchronized() && state != TcpState.TIME_WAIT) {
            keepaliveTimer.schedule(config.keepaliveIdle().toNanos());
        }
    }

    private void onTimeWaitOver() {
        terminate(null);
    }

    // =====================================================================================
    // Life cycle
    // =====================================================================================

    private void setState(TcpState s) {
        state = s;
        if (s == TcpState.ESTABLISHED && keepAlive) {
            keepaliveTimer.schedule(config.keepaliveIdle().toNanos());
        }
    }

    private void fail(IOException e) {
        if (!errorReported) {
            errorReported = true;
            terminate(e);
        }
    }

    /** Ends the connection: timers off, removed from the table, one final event. */
    private void terminate(IOException error) {
        TcpState was = state;
        state = TcpState.CLOSED;
        rtoArmed = false;
        retransmitTimer.cancel();
        delayedAckTimer.cancel();
        delayedAckPending = false;
        persistTimer.cancel();
        keepaliveTimer.cancel();
        timeWaitTimer.cancel();
        if (timeWait != null) {
            tcp.endTimeWait(timeWait);
        }
        sendBuffer.discard(); // nothing more will be sent
        if (error != null || receiveBuffer.readable() == 0) {
            receiveBuffer.discard(); // unread data stays readable after an orderly end
        }
        tcp.remove(this, was);
        if (error != null) {
            handler.onError(this, error);
        } else if (was != TcpState.TIME_WAIT) {
            reportClosed();
        }
    }

    private void reportClosed() {
        if (!closedReported) {
            closedReported = true;
            handler.onClosed(this);
        }
    }

    // Sequence state, for tests in this package.
    int rcvNxtForTest() {
        return rcvNxt;
    }

    int sndNxtForTest() {
        return sndNxt;
    }

    int tsRecentForTest() {
        return tsRecent;
    }

    /** Copies send-buffer bytes for a segment being built (called by {@link Tcp#sendSegment}). */
    void copySendData(int offset, byte[] dst, int dstOff, int len) {
        sendBuffer.copyOut(offset, dst, dstOff, len);
    }

    /** Like {@link #copySendData}; returns the bytes' partial Internet checksum, summed while copying. */
    int copySendDataAndSum(int offset, byte[] dst, int dstOff, int len) {
        return sendBuffer.copyOutAndSum(offset, dst, dstOff, len);
    }

    /**
     * True when a received segment's payload of {@code len} bytes at {@code seq} is the next
     * in-order data this connection would store as it is — synchronized state that takes data, not
     * shut down for input, no SYN or RST, no holes, and room for all of it — so {@link Tcp} can
     * verify the segment's checksum while copying the payload into the receive buffer
     * ({@link #stageData}). Anything that then makes {@link #input} not store the bytes (PAWS,
     * an unacceptable ACK, a zero window) leaves them in free space, uncommitted.
     */
    boolean canStageData(int seq, int flags, int len) {
        return (state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2)
                && !inputShutdownByApp && seq == rcvNxt && (flags & (TcpSegment.SYN | TcpSegment.RST)) == 0
                && receiveBuffer.canStage(len);
    }

    /** Copies a segment's payload to RCV.NXT's place, uncommitted; returns its partial checksum. */
    int stageData(byte[] buf, int off, int len) {
        return receiveBuffer.stageInOrder(buf, off, len);
    }

    /** Forgets staged data once its segment has been processed (committed or dropped). */
    void unstageData() {
        receiveBuffer.unstage();
    }

    /** A hard ICMP error while connecting (RFC 1122 §4.2.3.9). */
    void failFromIcmp(IOException e) {
        fail(e);
    }

    /** Simultaneous open completed: the active side hears it as connected. */
    void connectedBySimultaneousOpen() {
        handler.onConnected(this);
        output();
    }

    private long now() {
        return tcp.loop().clock().nanos();
    }

    /** RFC 7323 §5.4: a millisecond clock, offset per connection (RFC 7323 §7.1). */
    private int tsValue() {
        return (int) (now() / 1_000_000L) + tsOffset;
    }
}
