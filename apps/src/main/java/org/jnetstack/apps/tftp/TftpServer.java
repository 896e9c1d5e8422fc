package org.jnetstack.apps.tftp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;

/**
 * A TFTP server (RFC 1350, with option negotiation RFC 2347, blksize RFC 2348, timeout and
 * tsize RFC 2349) on the stack's UDP callback API. Requests arrive on the well-known port; each
 * transfer gets its own port (RFC 1350 §4) and runs independently, so any number (up to
 * {@link TftpOptions#maxTransfers()}) go on at once. Files are read and written on an I/O
 * executor (virtual threads by default), never on the loop thread.
 *
 * <pre>{@code
 * TftpServer tftp = TftpServer.start(stack, TftpOptions.builder(Path.of("/srv/tftp")).build());
 * }</pre>
 *
 * <p>Counters (in the stack's {@link Counters}, prefix {@code tftp.}) count requests, transfers
 * completed and failed, bytes, retransmissions, duplicates, timeouts and every error sent.
 * Loop thread only, except {@link #status()}, which reads counters and may be called anywhere.
 */
public final class TftpServer implements UdpHandler, AutoCloseable {
    private static final Executor DEFAULT_IO = Executors.newVirtualThreadPerTaskExecutor();

    private final NetStack stack;
    private final TftpOptions options;
    private final TftpRoot root;
    private final Executor io;
    private final UdpEndpoint endpoint;
    private final List<Transfer> transfers = new ArrayList<>();
    private final Stats stats;
    private volatile boolean closed;
    private volatile int peak;
    /** Transfers whose client has not answered yet (see {@link TftpOptions#maxUnanswered()}). */
    private int unanswered;

    /** The counters of a server, registered once in the stack's set. */
    static final class Stats {
        final Counter readRequests;
        final Counter writeRequests;
        final Counter refused;
        final Counter malformed;
        final Counter duplicateRequests;
        final Counter completed;
        final Counter failed;
        final Counter writesCommitted;
        final Counter bytesSent;
        final Counter bytesReceived;
        final Counter retransmissions;
        final Counter duplicates;
        final Counter timeouts;
        final Counter unknownTid;
        final Counter clientErrors;
        final Counter errorsSent;
        final Counter ioErrors;
        final Counter unanswered;
        final Counter droppedUnanswered;

        Stats(Counters c) {
            readRequests = c.counter("tftp.rx.rrq");
            writeRequests = c.counter("tftp.rx.wrq");
            refused = c.counter("tftp.requests.refused");
            malformed = c.counter("tftp.rx.malformed");
            duplicateRequests = c.counter("tftp.rx.duplicate_requests");
            completed = c.counter("tftp.transfers.completed");
            failed = c.counter("tftp.transfers.failed");
            writesCommitted = c.counter("tftp.writes.committed");
            bytesSent = c.counter("tftp.tx.bytes");
            bytesReceived = c.counter("tftp.rx.bytes");
            retransmissions = c.counter("tftp.tx.retransmissions");
            duplicates = c.counter("tftp.rx.duplicates");
            timeouts = c.counter("tftp.transfers.timed_out");
            unknownTid = c.counter("tftp.rx.unknown_tid");
            clientErrors = c.counter("tftp.rx.errors");
            errorsSent = c.counter("tftp.tx.errors");
            ioErrors = c.counter("tftp.io_errors");
            unanswered = c.counter("tftp.transfers.unanswered");
            droppedUnanswered = c.counter("tftp.requests.dropped_unanswered");
        }
    }

    /** One running transfer, for a status page. */
    public record TransferInfo(String client, String file, String direction, String mode, int blockSize, long bytes,
            long elapsedMillis) {
    }

    /** What a status page shows: the settings and the counters. */
    public record Status(int port, Path root, boolean writable, int activeTransfers, int peakTransfers, long readRequests,
            long writeRequests, long completed, long failed, long bytesSent, long bytesReceived, long retransmissions) {
    }

    private TftpServer(NetStack stack, TftpOptions options, Executor io) {
        this.stack = stack;
        this.options = options;
        this.root = new TftpRoot(options.root());
        this.io = io;
        this.stats = new Stats(stack.counters());
        this.endpoint = stack.udp().open(options.port(), this);
    }

    /** Starts serving; call on the loop thread (or before the loop starts). */
    public static TftpServer start(NetStack stack, TftpOptions options) {
        return start(stack, options, DEFAULT_IO);
    }

    /** Starts serving, doing file I/O on {@code io} (tests pass {@code Runnable::run} for determinism). */
    public static TftpServer start(NetStack stack, TftpOptions options, Executor io) {
        return new TftpServer(stack, options, io);
    }

    @Override
    public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
        int op = TftpPacket.opcode(buf, off, len);
        if (op == TftpPacket.ERROR) {
            return; // never answer an error with an error
        }
        if (op != TftpPacket.RRQ && op != TftpPacket.WRQ) {
            stats.malformed.inc();
            refuse(srcIp, srcPort, TftpPacket.ERR_ILLEGAL_OPERATION, "Illegal TFTP operation: expected RRQ or WRQ");
            return;
        }
        TftpPacket.Request r = TftpPacket.parseRequest(buf, off, len);
        if (r.problem() != null) {
            stats.malformed.inc();
            refuse(srcIp, srcPort, TftpPacket.ERR_ILLEGAL_OPERATION, "Malformed request: " + r.problem());
            return;
        }
        (r.isWrite() ? stats.writeRequests : stats.readRequests).inc();
        for (Transfer t : transfers) {
            if (t.clientIp == srcIp && t.clientPort == srcPort && t.request.opcode() == r.opcode()
                    && t.filename.equals(r.filename())) {
                // The client retransmitted its request: the transfer's own timer answers it.
                stats.duplicateRequests.inc();
                return;
            }
        }
        if (!r.mode().equals("octet") && !r.mode().equals("netascii")) {
            refuse(srcIp, srcPort, TftpPacket.ERR_ILLEGAL_OPERATION, "Unsupported mode '" + r.mode() + "': use octet or netascii");
            return;
        }
        if (r.isWrite() && !options.writable()) {
            refuse(srcIp, srcPort, TftpPacket.ERR_ACCESS_VIOLATION, "Writing is disabled on this server");
            return;
        }
        if (transfers.size() >= options.maxTransfers()) {
            refuse(srcIp, srcPort, TftpPacket.ERR_NOT_DEFINED, "Too many transfers, try again later");
            return;
        }
        if (unanswered >= options.maxUnanswered()) {
            // The budget for unproven sources is spent: no answer at all (an ERROR would reflect too); a real client retries.
            stats.droppedUnanswered.inc();
            return;
        }
        Transfer t = r.isWrite() ? new WriteTransfer(this, r, srcIp, srcPort) : new ReadTransfer(this, r, srcIp, srcPort);
        unanswered++;
        transfers.add(t);
        peak = Math.max(peak, transfers.size());
        t.start();
    }

    private void refuse(int ip, int port, int code, String message) {
        stats.refused.inc();
        stats.errorsSent.inc();
        byte[] err = TftpPacket.error(code, message);
        endpoint.send(ip, port, err, 0, err.length);
    }

    /** {@code t}'s client answered for the first time. */
    void answered(Transfer t) {
        unanswered--;
    }

    void ended(Transfer t, boolean ok, String why) {
        if (!t.answered) {
            unanswered--;
        }
        transfers.remove(t);
        (ok ? stats.completed : stats.failed).inc();
    }

    NetStack stack() {
        return stack;
    }

    EventLoop loop() {
        return stack.loop();
    }

    TftpOptions options() {
        return options;
    }

    TftpRoot root() {
        return root;
    }

    Executor io() {
        return io;
    }

    Stats counters() {
        return stats;
    }

    public int port() {
        return endpoint.localPort();
    }

    /** The transfers running now (loop thread). */
    public List<TransferInfo> transfers() {
        return transfers.stream().map(Transfer::info).toList();
    }

    /** Settings and counters; safe from any thread (active transfers is read racily). */
    public Status status() {
        return new Status(options.port(), root.path(), options.writable(), transfers.size(), peak, stats.readRequests.get(),
                stats.writeRequests.get(), stats.completed.get(), stats.failed.get(), stats.bytesSent.get(),
                stats.bytesReceived.get(), stats.retransmissions.get());
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops listening and ends every running transfer with an error to its client (loop thread). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        endpoint.close();
        for (Transfer t : new ArrayList<>(transfers)) {
            t.fail(TftpPacket.ERR_NOT_DEFINED, "Server shutting down");
        }
    }
}
