package org.jnetstack.tcp;

import org.jnetstack.internal.TransportAddresses;

import java.io.IOException;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.tcp.cc.CongestionControl;
import org.jnetstack.tcp.cc.CongestionControls;
import org.jnetstack.util.RttEstimator;
import org.jnetstack.wire.TcpHeader;

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
 *
 * <p>Its package-private fields are the connection's variables (the TCB of RFC 9293 §3.3.1). The
 * work on them is cut by job, as lwIP cuts tcp_in.c / tcp_out.c / tcp.c: {@link SegmentArrival}
 * (segments received), {@link Sender} (output, retransmission, ACKs and probes) and
 * {@link ConnectionTimers} (one loop timer for all five kinds); this class is the public face,
 * the opening and the life cycle.
 */
public final class TcpConnection {
    final Tcp tcp;
    final TcpConfig config;
    /** Addresses (IPv4 as IPv4-mapped), ports and table key. */
    final FourTuple tuple;
    final int localPort;
    final int remotePort;
    /** The next connection with the same table key (another local address, on a gateway's catch-all); see TupleTable. */
    TcpConnection sameKeyNext;
    TcpHandler handler;
    TcpListener listener; // set while half-open or waiting in the accept queue
    /** The listener this connection came in through, while it counts against that listener's and its source's limits. */
    TcpListener admittedBy;
    /** Counted as half-open against its source's limit. */
    boolean halfOpenCounted;
    /** Its remote source's key in the per-source admission counts, hashed once when admitted. */
    long sourceKey;
    /** Stands for this connection in TIME-WAIT (this object is then out of the connection table). */
    TimeWaits.Record timeWait;
    TcpState state = TcpState.CLOSED;

    // --- send side (RFC 9293 §3.3.1) ---
    int iss;
    int sndUna;
    int sndNxt;
    int sndMax; // highest sequence number sent + 1
    long sndWnd;
    int sndWl1;
    int sndWl2;
    long maxSndWnd;
    int sndWscale;
    int mss = SegmentArrival.DEFAULT_MSS; // payload bytes per segment, options excluded
    int peerMss = SegmentArrival.DEFAULT_MSS; // what the peer's SYN announced (RFC 9293 §3.7.1)
    /** When the MSS, cut by a narrower path, is next checked against the ageing path MTU (0: not cut). */
    long pathMtuCheckAt;
    /** How often a lowered MSS resent the flight from SND.UNA since when ({@link IcmpErrors#followPathMtu}). */
    int pathMtuResends;
    long pathMtuResentAt;
    /** The family's {@link Tcp#pathMtuChanges} when the MSS last followed the path MTU. */
    int pathMtuChanges;
    /** The IPv6 flow label of every segment (RFC 6437 §3); 0 over IPv4. */
    final int flowLabel;
    final SendBuffer sendBuffer;
    boolean finRequested; // application shut output down
    boolean finSent;
    boolean noDelay;
    boolean keepAlive;
    /** The outgoing device's checksum and segmentation offloads (NONE for in-process devices). */
    final LinkOffloads offloads;
    /** The header of the segment being sent: the ports set once, the rest per segment (no allocation). */
    final TcpHeader header;

    // --- receive side (RFC 9293 §3.3.1) ---
    int irs;
    int rcvNxt;
    int rcvAdvEdge; // right edge of the window we advertised: never moved left (RFC 9293 §3.8.6.2.2)
    int rcvWscale;
    final ReceiveBuffer receiveBuffer;
    boolean peerFinReceived;
    boolean peerFinPending; // FIN arrived ahead of missing data
    int peerFinSeq;
    boolean inputShutdownByApp;

    // --- options negotiated (RFC 7323, RFC 2018) ---
    boolean wscaleOk;
    boolean tsOk;
    boolean sackOk;
    int tsRecent;
    long tsRecentAge;
    int lastTsEcr; // TSecr of the segment being processed (0: none)
    final int tsOffset;
    /** When this connection last answered an invalid segment with an ACK ({@link ChallengeAcks}). */
    long lastInvalidAckNanos = Long.MIN_VALUE;

    // --- timers and estimators ---
    final RttEstimator rtt;
    final CongestionControl cc;
    final SackScoreboard scoreboard;
    final ConnectionTimers timers;
    boolean synTimed; // the SYN was sent once: its ACK gives an RTT sample (Karn)
    int retries;
    int persistBackoff;
    int keepaliveSent;
    boolean rttTiming;
    int rttSeq;
    long rttStart;

    // --- recovery (RFC 5681, 6582, 6675) ---
    int dupAcks;
    boolean inRecovery;
    int recoveryPoint;
    int highRxt;

    // --- ACK policy ---
    boolean ackNow;
    int unackedSegments;
    int lastAckSent; // RCV.NXT as carried by the last segment we sent

    // --- statistics ---
    long retransmittedSegments;
    long retransmittedBytes;
    long bytesSent;
    long bytesAcked;
    long bytesReceived;
    private boolean errorReported;
    private boolean closedReported;

    // --- the jobs ---
    final SegmentArrival arrival = new SegmentArrival(this);
    final Sender sender = new Sender(this);

    /** A connection with its own config (buffer sizes, Nagle, ...), e.g. SO_RCVBUF set before connecting. */
    TcpConnection(Tcp tcp, TcpConfig config, FourTuple tuple, TcpHandler handler) {
        this.tcp = tcp;
        this.config = config;
        this.tuple = tuple;
        this.localPort = tuple.localPort;
        this.remotePort = tuple.remotePort;
        this.header = new TcpHeader().ports(localPort, remotePort);
        this.handler = handler != null ? handler : new TcpHandler() { };
        this.sendBuffer = new SendBuffer(config.sendBuffer(), tcp.budget());
        this.receiveBuffer = new ReceiveBuffer(config.receiveBuffer(), config.maxReceiveRanges(), tcp.budget());
        this.scoreboard = new SackScoreboard(config.maxSackRanges());
        this.noDelay = !config.nagle();
        this.offloads = tcp.offloadsFor(tuple);
        this.rtt = new RttEstimator(config.initialRto().toNanos(), config.minRto().toNanos(),
                config.maxRto().toNanos(), 1_000_000L);
        this.cc = CongestionControls.create(config.congestionControl());
        var loop = tcp.loop();
        timers = new ConnectionTimers(this, loop);
        tsOffset = tcp.timestampOffset(tuple);
        pathMtuChanges = tcp.pathMtuChanges(tuple);
        flowLabel = tuple.isV4() ? 0 : tcp.writer.flowLabel(tuple.localHi, tuple.localLo, localPort,
                tuple.remoteHi, tuple.remoteLo, remotePort);
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

    /** The local IPv4 address (an IPv6 connection has none: see {@link #localInetAddress}). */
    public int localAddress() {
        return Tcp.v4Of(tuple.localHi, tuple.localLo);
    }

    /** The local address, either family (an {@code Inet4Address} for IPv4). */
    public java.net.InetAddress localInetAddress() {
        return FourTuple.inet(tuple.localHi, tuple.localLo);
    }

    public int localPort() {
        return localPort;
    }

    /** The remote IPv4 address (an IPv6 connection has none: see {@link #remoteInetAddress}). */
    public int remoteAddress() {
        return Tcp.v4Of(tuple.remoteHi, tuple.remoteLo);
    }

    /** The remote address, either family (an {@code Inet4Address} for IPv4). */
    public java.net.InetAddress remoteInetAddress() {
        return FourTuple.inet(tuple.remoteHi, tuple.remoteLo);
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
            sender.output();
        }
    }

    public boolean noDelay() {
        return noDelay;
    }

    public void setKeepAlive(boolean on) {
        keepAlive = on;
        if (on && state.isSynchronized()) {
            timers.arm(ConnectionTimers.KEEPALIVE, config.keepaliveIdle().toNanos());
        } else {
            timers.disarm(ConnectionTimers.KEEPALIVE);
        }
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    /** The IPv4 TOS byte of the segments this connection sends (IP_TOS); loop thread. */
    private int trafficClass;

    /**
     * Sets the IPv4 TOS byte or IPv6 traffic class (DSCP, RFC 2474 §3) of the segments this
     * connection sends from now on. The two ECN bits (RFC 3168 §5) are the stack's, not the application's: they are cleared,
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
        if (gained > 0 && state.maySend() && !finRequested) {
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
        long floor = receiveBuffer.readable() + (state.isSynchronized() ? sender.currentAdvertisedWindow() : 0);
        receiveBuffer.resize((int) Math.max(bytes, Math.min(floor, ReceiveBuffer.MAX_CAPACITY)));
        if (state.isSynchronized()) {
            sender.maybeSendWindowUpdate();
        }
    }

    private static void checkBufferSize(int bytes) {
        if (bytes < 1 || bytes > ReceiveBuffer.MAX_CAPACITY) {
            throw new IllegalArgumentException("buffer size must be 1 byte to 1 GiB: " + bytes);
        }
    }

    /** Free send-buffer space: how much {@link #write} would accept now. */
    public int writable() {
        if (finRequested || !state.maySend()) {
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
            sender.output();
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
            sender.output();
        }
        return n;
    }

    private void checkCanWrite() {
        if (finRequested) {
            throw new IllegalStateException("output is shut down: no writes after shutdownOutput()/close()");
        }
        if (!state.mayQueue()) {
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
        sender.maybeSendWindowUpdate();
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
        sender.output();
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
        if (state.mayAck() && state != TcpState.TIME_WAIT) {
            tcp.writer.sendRst(tuple, sndNxt, 0, false);
        }
        tcp.counters.aborts.inc();
        terminate(null);
    }

    /** A snapshot of the connection's state, windows and estimators. */
    public TcpInfo info() {
        return new TcpInfo(state, TransportAddresses.format(tuple.localHi, tuple.localLo, localPort),
                TransportAddresses.format(tuple.remoteHi, tuple.remoteLo, remotePort), mss, sndWnd, sender.currentAdvertisedWindow(),
                cc.cwnd(), cc.ssthresh(), rtt.hasSample() ? rtt.srtt() / 1000 : 0, rtt.hasSample() ? rtt.rttvar() / 1000 : 0,
                rtt.rto() / 1000, retransmittedSegments, retransmittedBytes, bytesSent, bytesAcked, bytesReceived,
                sndMax - sndUna, sendBuffer.size(), receiveBuffer.readable(), sackOk, tsOk, sndWscale,
                wscaleOk ? rcvWscale : 0, cc.name(), inRecovery);
    }

    @Override
    public String toString() {
        return "tcp " + TransportAddresses.format(tuple.localHi, tuple.localLo, localPort) + " -> "
                + TransportAddresses.format(tuple.remoteHi, tuple.remoteLo, remotePort) + " " + state;
    }

    // =====================================================================================
    // Opening
    // =====================================================================================

    /** Active open (RFC 9293 §3.10.1): send SYN. */
    void connect() {
        iss = tcp.isn(tuple);
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        setState(TcpState.SYN_SENT);
        rttStart = now();
        synTimed = true;
        sender.sendSyn(false);
        sender.armRto();
    }

    /** Simultaneous open completed: the active side hears it as connected. */
    void connectedBySimultaneousOpen() {
        handler.onConnected(this);
        sender.output();
    }

    // =====================================================================================
    // Keepalive
    // =====================================================================================

    /** Any segment from the peer shows it is alive. */
    void heardFromPeer() {
        keepaliveSent = 0;
        if (keepAlive && state.isLive()) {
            timers.arm(ConnectionTimers.KEEPALIVE, config.keepaliveIdle().toNanos());
        }
    }

    // =====================================================================================
    // Life cycle
    // =====================================================================================

    void setState(TcpState s) {
        state = s;
        if (s == TcpState.ESTABLISHED && keepAlive) {
            timers.arm(ConnectionTimers.KEEPALIVE, config.keepaliveIdle().toNanos());
        }
    }

    /** Our FIN and every byte before it are acknowledged, and the peer's FIN has come (RFC 9293 §3.10.7.4). */
    void enterTimeWait() {
        setState(TcpState.TIME_WAIT);
        timers.disarmAll();
        sendBuffer.trim(); // every byte and the FIN were acknowledged: TIME-WAIT holds no data
        receiveBuffer.trim();
        // From now on a small record answers for this connection (Linux's timewait minisock);
        // this object keeps only what the application may still read.
        sender.advertiseWindow(); // settles the edge the record keeps
        timeWait = new TimeWaits.Record(this);
        tcp.enterTimeWait(this, timeWait);
        reportClosed();
    }

    void fail(IOException e) {
        if (!errorReported) {
            errorReported = true;
            terminate(e);
        }
    }

    /** Ends the connection: timers off, removed from the table, one final event. */
    void terminate(IOException error) {
        TcpState was = state;
        state = TcpState.CLOSED;
        timers.disarmAll();
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

    void reportClosed() {
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

    long now() {
        return tcp.loop().clock().nanos();
    }

    /** RFC 7323 §5.4: a millisecond clock, offset per connection (RFC 7323 §7.1). */
    int tsValue() {
        return (int) (now() / 1_000_000L) + tsOffset;
    }
}
