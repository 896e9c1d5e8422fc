package org.jnetstack.apps.tftp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A write request (WRQ): DATA from the client, each block acknowledged (RFC 1350 §6). The file
 * is written to a temporary file beside its target and renamed over it only when the last
 * block is on disk, so a half-finished upload is never seen under the real name; the last ACK
 * is sent only after that rename, so a client told "done" has a complete file.
 *
 * <p>Blocks are acknowledged as soon as they are queued for the disk, up to
 * {@link #WRITE_BEHIND_BYTES} not yet written; beyond that the ACK waits for the disk, which
 * holds the client back instead of buffering without bound. After the last ACK the transfer
 * dallies for {@link #DALLY_NANOS} to answer a retransmitted last block (RFC 1350 §6: "the
 * host sending the final ACK will wait for a while before terminating").
 */
final class WriteTransfer extends Transfer {
    /**
     * How long the final ACK is kept ready for a retransmitted last block: longer than common
     * clients' retransmission timeout (tftp-hpa: 5 s), so a lost final ACK is answered.
     */
    static final long DALLY_NANOS = 6_000_000_000L;

    /** Bytes received but not yet written before acknowledgements wait for the disk. */
    static final int WRITE_BEHIND_BYTES = 1024 * 1024;

    private enum State { OPENING, RECEIVING, CLOSING, DALLYING }

    private State state = State.OPENING;
    private volatile Path target;
    private volatile Path temp;
    private volatile OutputStream out;
    private volatile boolean committed;
    private final ArrayDeque<byte[]> toWrite = new ArrayDeque<>();
    private long queuedBytes;
    private int expected = 1;
    private int lastReceived;
    private int ackedBlock = -1;
    private boolean ackDeferred;
    private final byte[] ack = new byte[TftpPacket.HEADER];

    WriteTransfer(TftpServer server, TftpPacket.Request request, int clientIp, int clientPort) {
        super(server, request, clientIp, clientPort);
    }

    @Override
    boolean isWrite() {
        return true;
    }

    @Override
    void start() {
        long limit = server.options().maxWriteBytes();
        String announced = request.options().get("tsize");
        if (announced != null && parse(announced) > limit) {
            // RFC 2349: the server may refuse a WRQ whose tsize it cannot take, with error 3.
            fail(TftpPacket.ERR_DISK_FULL, "File too large: the limit is " + limit + " bytes");
            return;
        }
        boolean overwrite = server.options().overwrite();
        io(() -> {
            Path t = server.root().forWriting(filename, overwrite);
            target = t;
            Path tmp = Files.createTempFile(t.getParent(), "." + t.getFileName() + ".", ".tftp-part");
            temp = tmp;
            OutputStream s = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024);
            out = netascii ? Netascii.decode(s) : s;
            return Boolean.TRUE;
        }, TftpPacket.ERR_ACCESS_VIOLATION, ok -> opened());
    }

    private void opened() {
        String announced = request.options().get("tsize");
        Map<String, String> oack = negotiate(announced == null ? -1 : Math.max(0, parse(announced)));
        state = State.RECEIVING;
        if (!oack.isEmpty()) {
            ackedBlock = 0;
            byte[] o = TftpPacket.oack(oack); // RFC 2347: the OACK stands for ACK 0
            sendReliably(o, o.length);
        } else {
            acknowledge(0);
        }
    }

    @Override
    void handle(int op, byte[] buf, int off, int len) {
        if (op != TftpPacket.DATA) {
            fail(TftpPacket.ERR_ILLEGAL_OPERATION, "Illegal TFTP operation: expected DATA");
            return;
        }
        int n = TftpPacket.block(buf, off);
        int payload = len - TftpPacket.HEADER;
        if (state == State.RECEIVING && n == expected && !ackDeferred) {
            if (payload > blockSize) {
                fail(TftpPacket.ERR_ILLEGAL_OPERATION, "DATA larger than the block size " + blockSize);
                return;
            }
            replied();
            bytes += payload;
            server.counters().bytesReceived.add(payload);
            if (bytes > server.options().maxWriteBytes()) {
                fail(TftpPacket.ERR_DISK_FULL, "Disk full or allocation exceeded: the limit is "
                        + server.options().maxWriteBytes() + " bytes");
                return;
            }
            toWrite.add(Arrays.copyOfRange(buf, off + TftpPacket.HEADER, off + len));
            queuedBytes += payload;
            lastReceived = n;
            expected = (n + 1) & 0xFFFF;
            if (payload < blockSize) {
                state = State.CLOSING; // the last block: acknowledged once the file is complete on disk
                pauseTimer();
            } else if (queuedBytes <= WRITE_BEHIND_BYTES) {
                acknowledge(n);
            } else {
                ackDeferred = true; // the disk is behind: the client waits for this ACK
                pauseTimer();
            }
            writeQueued();
        } else if (n == ackedBlock && (state == State.RECEIVING || state == State.DALLYING)) {
            // Our ACK was lost and the client sent the block again: acknowledge it again.
            server.counters().duplicates.inc();
            resendAck();
        } else {
            server.counters().duplicates.inc();
        }
    }

    private void acknowledge(int n) {
        ackedBlock = n;
        TftpPacket.writeAck(ack, n);
        sendAck(ack, ack.length);
    }

    private void resendAck() {
        if (state == State.DALLYING) {
            sendOnce(ack, ack.length);
        } else {
            resendLast();
        }
    }

    /** Hands the queued blocks to the disk, one task at a time; the last task closes and renames. */
    private void writeQueued() {
        if (ioPending || (toWrite.isEmpty() && state != State.CLOSING)) {
            return;
        }
        List<byte[]> batch = new ArrayList<>(toWrite);
        toWrite.clear();
        long batchBytes = batch.stream().mapToLong(b -> b.length).sum();
        boolean close = state == State.CLOSING;
        io(() -> {
            OutputStream s = out;
            for (byte[] b : batch) {
                s.write(b);
            }
            if (close) {
                s.close();
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
            }
            return Boolean.TRUE;
        }, TftpPacket.ERR_DISK_FULL, ok -> written(batchBytes, close));
    }

    private void written(long batchBytes, boolean closed) {
        queuedBytes -= batchBytes;
        if (closed) {
            state = State.DALLYING;
            ackedBlock = lastReceived;
            TftpPacket.writeAck(ack, lastReceived);
            forgetLast();
            sendOnce(ack, ack.length);
            server.counters().writesCommitted.inc();
            armTimer(Math.max(DALLY_NANOS, 2 * timeout())); // answer a retransmitted last block, then end (onIdleTimeout)
            return;
        }
        if (ackDeferred && queuedBytes <= WRITE_BEHIND_BYTES) {
            ackDeferred = false;
            acknowledge(lastReceived);
        }
        writeQueued();
    }

    @Override
    void releaseIo() {
        OutputStream s = out;
        Path tmp = temp;
        out = null;
        if (s == null && tmp == null) {
            return;
        }
        boolean keep = committed;
        server.io().execute(() -> {
            try {
                if (s != null) {
                    s.close();
                }
            } catch (IOException ignored) {
                // the upload failed anyway; the temporary file goes next
            }
            if (!keep && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing better to do: it has a recognisable .tftp-part name
                }
            }
        });
    }
}
