package org.jnetstack.apps.tftp;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopClosedException;
import org.jnetstack.loop.Timer;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.util.RttEstimator;
import org.jnetstack.wire.Ipv4Address;

/**
 * One transfer: its own UDP port (RFC 1350 §4: the server's TID is a fresh port), the
 * negotiated options, the one packet that may need retransmitting and its timer. Protocol
 * work runs on the loop thread; disk work runs on the server's I/O executor, one task at a
 * time per transfer, and hands its result back with {@code loop.execute}, so a slow disk never
 * stalls the stack.
 *
 * <p>Retransmission is driven by this side's timer only: a duplicate ACK or DATA never
 * triggers a retransmission of DATA (RFC 1123 §4.2.3.1, the Sorcerer's Apprentice). Without
 * the RFC 2349 timeout option the timeout adapts to the measured round trip (RFC 6298's
 * estimator, Karn's rule) between the configured minimum and four times the initial value.
 * Until the client has answered, its first packet is resent only
 * {@link TftpOptions#unansweredRetries()} times: the request may have come from a forged address.
 */
abstract class Transfer implements UdpHandler {
    final TftpServer server;
    final EventLoop loop;
    final UdpEndpoint endpoint;
    final int clientIp;
    final int clientPort;
    final String filename;
    final boolean netascii;
    final TftpPacket.Request request;
    final long startedNanos;

    int blockSize = TftpPacket.DEFAULT_BLOCK_SIZE;
    private long fixedTimeoutNanos = -1;
    private final RttEstimator rtt;
    private final Timer timer;
    private byte[] last;
    private int lastLen;
    private int retries;
    private long sentAt;
    private boolean retransmitted;
    private boolean resendOnce;
    /** The client has answered (an awaited reply came): its address is real, not a forged source. */
    boolean answered;
    boolean ioPending;
    boolean finished;
    long bytes;

    Transfer(TftpServer server, TftpPacket.Request request, int clientIp, int clientPort) {
        this.server = server;
        this.loop = server.loop();
        this.request = request;
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.filename = request.filename();
        this.netascii = request.mode().equals("netascii");
        TftpOptions o = server.options();
        this.rtt = new RttEstimator(o.initialTimeout().toNanos(), o.minTimeout().toNanos(),
                4 * o.initialTimeout().toNanos(), 1_000_000L);
        this.timer = loop.newTimer(this::onTimeout);
        this.startedNanos = loop.clock().nanos();
        this.endpoint = server.stack().udp().open(0, this);
    }

    /** Starts the transfer: opens the file off the loop, then answers the request. */
    abstract void start();

    /** A packet from the client (its TID checked); {@code op} is not ERROR. */
    abstract void handle(int op, byte[] buf, int off, int len);

    /** Closes files (on the I/O executor) once no I/O task is running; deletes what a failed write left. */
    abstract void releaseIo();

    abstract boolean isWrite();

    // ------------------------------------------------------------------ options

    /**
     * RFC 2347 negotiation: the options this server accepts, with the values it grants, in the
     * order asked; an empty map means "no OACK" (RFC 2347 §2: unknown or invalid options are
     * simply not acknowledged). {@code tsize} is the value to answer for RFC 2349's tsize, or
     * -1 to leave it out.
     */
    Map<String, String> negotiate(long tsize) {
        Map<String, String> granted = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : request.options().entrySet()) {
            switch (e.getKey()) {
                case "blksize" -> {
                    // RFC 2348: 8..65464; a server may answer with a smaller size it can handle.
                    long v = parse(e.getValue());
                    if (v >= TftpPacket.MIN_BLOCK_SIZE && v <= TftpPacket.MAX_BLOCK_SIZE) {
                        blockSize = (int) Math.min(v, server.options().maxBlockSize());
                        granted.put("blksize", Integer.toString(blockSize));
                    }
                }
                case "timeout" -> {
                    // RFC 2349: 1..255 seconds; the server must use it (no OACK if it cannot).
                    long v = parse(e.getValue());
                    if (v >= 1 && v <= 255) {
                        fixedTimeoutNanos = v * 1_000_000_000L;
                        granted.put("timeout", Long.toString(v));
                    }
                }
                case "tsize" -> {
                    if (tsize >= 0 && parse(e.getValue()) >= 0) {
                        granted.put("tsize", Long.toString(tsize));
                    }
                }
                default -> {
                }
            }
        }
        return granted;
    }

    static long parse(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------ sending and retransmission

    /** Sends {@code pkt[0, len)} and keeps it as the packet to retransmit until the reply comes. */
    final void sendReliably(byte[] pkt, int len) {
        send(pkt, len, false);
    }

    /**
     * Sends an ACK that the client answers with new DATA. If nothing comes, the ACK is sent
     * again once (that recovers a lost ACK in one timeout), then this side waits for the
     * client's own retransmission of its DATA for up to {@link #CLIENT_RETRY_WAIT_NANOS}. It
     * must not go on repeating the ACK: clients like tftp-hpa ignore a duplicate ACK (rightly,
     * RFC 1123 §4.2.3.1) but restart their retransmission timer on every packet received, so
     * an ACK repeated more often than their timeout would keep them from ever resending a
     * lost DATA.
     */
    final void sendAck(byte[] pkt, int len) {
        send(pkt, len, true);
    }

    /** How long a write waits for the client to retransmit before giving up (tftp-hpa gives up after 25 s). */
    static final long CLIENT_RETRY_WAIT_NANOS = 30_000_000_000L;

    private void send(byte[] pkt, int len, boolean once) {
        resendOnce = once;
        last = pkt;
        lastLen = len;
        retries = 0;
        retransmitted = false;
        sentAt = loop.clock().nanos();
        transmit(pkt, len);
        timer.schedule(timeout());
    }

    /** Sends without expecting a reply (the last ACK of a write); nothing is retransmitted. */
    final void sendOnce(byte[] pkt, int len) {
        transmit(pkt, len);
    }

    /** Sends the packet kept for retransmission again now (a duplicate from the client asked for it). */
    final void resendLast() {
        if (last != null) {
            transmit(last, lastLen);
        }
    }

    private void transmit(byte[] pkt, int len) {
        endpoint.send(clientIp, clientPort, pkt, 0, len);
    }

    /** The awaited reply came: one RTT sample unless the packet was retransmitted (Karn). */
    final void replied() {
        if (!answered) {
            answered = true;
            server.answered(this);
        }
        timer.cancel();
        if (!retransmitted) {
            rtt.sample(loop.clock().nanos() - sentAt);
        }
        retries = 0;
    }

    /** Stops the retransmission timer while this side waits for its own disk, not the client. */
    final void pauseTimer() {
        timer.cancel();
    }

    final void armTimer(long nanos) {
        timer.schedule(nanos);
    }

    long timeout() {
        return fixedTimeoutNanos > 0 ? fixedTimeoutNanos : rtt.rto();
    }

    /** Called when the timer fires with nothing retransmittable pending (the dally of a write). */
    void onIdleTimeout() {
        finish(true);
    }

    private void onTimeout() {
        if (finished) {
            return;
        }
        if (last == null) {
            onIdleTimeout();
            return;
        }
        if (!answered && retries >= server.options().unansweredRetries()) {
            // Perhaps a forged source: end without even an ERROR, so the request's victim gets no more.
            server.counters().timeouts.inc();
            server.counters().unanswered.inc();
            end(false, "no answer from the client");
            return;
        }
        if (resendOnce && retries >= 1) {
            server.counters().timeouts.inc();
            fail(TftpPacket.ERR_NOT_DEFINED, "Timed out");
            return;
        }
        if (++retries > server.options().maxRetries()) {
            server.counters().timeouts.inc();
            fail(TftpPacket.ERR_NOT_DEFINED, "Timed out");
            return;
        }
        server.counters().retransmissions.inc();
        retransmitted = true;
        if (fixedTimeoutNanos < 0) {
            rtt.backoff();
        }
        transmit(last, lastLen);
        timer.schedule(resendOnce && answered ? CLIENT_RETRY_WAIT_NANOS : timeout());
    }

    /** No more retransmission: the packet sent last needs no reply (used before dallying). */
    final void forgetLast() {
        last = null;
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public final void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
        if (finished) {
            return;
        }
        if (srcIp != clientIp || srcPort != clientPort) {
            // RFC 1350 §4: a packet from another TID gets an error, and the transfer goes on.
            server.counters().unknownTid.inc();
            byte[] err = TftpPacket.error(TftpPacket.ERR_UNKNOWN_TID, "Unknown transfer ID");
            endpoint.send(srcIp, srcPort, err, 0, err.length);
            return;
        }
        int op = TftpPacket.opcode(buf, off, len);
        if (op == TftpPacket.ERROR) {
            // The client gave up (or refused our OACK, RFC 2347 code 8): end without answering.
            server.counters().clientErrors.inc();
            end(false, "client sent error: " + TftpPacket.errorMessage(buf, off, len));
            return;
        }
        if (len < TftpPacket.HEADER) {
            server.counters().malformed.inc();
            return;
        }
        handle(op, buf, off, len);
    }

    // ------------------------------------------------------------------ disk work off the loop

    interface IoTask<T> {
        T run() throws IOException, TftpFailure;
    }

    /**
     * Runs {@code task} on the I/O executor and {@code then} with its result on the loop. A
     * failure ends the transfer with its error code (an {@code IOException} while writing is
     * "disk full", as RFC 1350 has no better code). Only one task per transfer at a time.
     */
    final <T> void io(IoTask<T> task, int ioErrorCode, Consumer<T> then) {
        ioPending = true;
        server.io().execute(() -> {
            T result = null;
            TftpFailure failure = null;
            try {
                result = task.run();
            } catch (TftpFailure f) {
                failure = f;
            } catch (IOException | RuntimeException e) {
                failure = new TftpFailure(ioErrorCode, describe(e));
            }
            T r = result;
            TftpFailure f = failure;
            try {
                loop.execute(() -> {
                    ioPending = false;
                    if (finished) {
                        releaseIo();
                    } else if (f != null) {
                        server.counters().ioErrors.inc();
                        fail(f.code, f.getMessage());
                    } else {
                        then.accept(r);
                    }
                });
            } catch (LoopClosedException loopClosed) {
                finished = true;
                releaseIo();
            }
        });
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    // ------------------------------------------------------------------ the end

    /** Ends with an ERROR packet to the client (RFC 1350 §7: an error terminates the transfer). */
    final void fail(int code, String message) {
        if (finished) {
            return;
        }
        server.counters().errorsSent.inc();
        byte[] err = TftpPacket.error(code, message);
        endpoint.send(clientIp, clientPort, err, 0, err.length);
        end(false, message);
    }

    final void finish(boolean ok) {
        end(ok, ok ? "complete" : "failed");
    }

    private void end(boolean ok, String why) {
        if (finished) {
            return;
        }
        finished = true;
        timer.cancel();
        endpoint.close();
        if (!ioPending) {
            releaseIo();
        }
        server.ended(this, ok, why);
    }

    /** What the status page shows for a running transfer. */
    TftpServer.TransferInfo info() {
        return new TftpServer.TransferInfo(Ipv4Address.format(clientIp) + ":" + clientPort, filename,
                isWrite() ? "write" : "read", request.mode(), blockSize, bytes,
                (loop.clock().nanos() - startedNanos) / 1_000_000L);
    }
}
