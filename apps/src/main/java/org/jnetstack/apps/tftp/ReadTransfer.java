package org.jnetstack.apps.tftp;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A read request (RRQ): DATA blocks to the client, each sent when the previous one is
 * acknowledged (RFC 1350 §6, lock-step). Blocks are read ahead on the I/O executor into a
 * small queue, so the next block is normally ready when its ACK arrives. Block numbers wrap
 * from 65535 to 0 for files larger than 65535 blocks, as common clients expect.
 */
final class ReadTransfer extends Transfer {
    private enum State { OPENING, OACK_SENT, SENDING, WAITING_FOR_DISK }

    private State state = State.OPENING;
    private volatile InputStream in;
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private int readAhead;
    private boolean eof;
    private int block;
    private boolean currentIsLast;
    private byte[] packet;

    ReadTransfer(TftpServer server, TftpPacket.Request request, int clientIp, int clientPort) {
        super(server, request, clientIp, clientPort);
    }

    @Override
    boolean isWrite() {
        return false;
    }

    @Override
    void start() {
        io(() -> {
            Path p = server.root().forReading(filename);
            long size = Files.size(p);
            InputStream s = new BufferedInputStream(Files.newInputStream(p), 64 * 1024);
            in = netascii ? Netascii.encode(s) : s;
            return size;
        }, TftpPacket.ERR_ACCESS_VIOLATION, this::opened);
    }

    private void opened(long size) {
        // RFC 2349: tsize is the file's size; in netascii the size on the wire differs, so leave it out.
        Map<String, String> oack = negotiate(netascii ? -1 : size);
        readAhead = Math.max(4, Math.min(64, 128 * 1024 / blockSize));
        packet = new byte[TftpPacket.HEADER + blockSize];
        readMore();
        if (!oack.isEmpty()) {
            state = State.OACK_SENT;
            byte[] o = TftpPacket.oack(oack);
            sendReliably(o, o.length);
        } else {
            state = State.SENDING;
            sendNextBlock();
        }
    }

    @Override
    void handle(int op, byte[] buf, int off, int len) {
        if (op != TftpPacket.ACK) {
            fail(TftpPacket.ERR_ILLEGAL_OPERATION, "Illegal TFTP operation: expected ACK");
            return;
        }
        int n = TftpPacket.block(buf, off);
        switch (state) {
            case OACK_SENT -> {
                if (n == 0) { // RFC 2347: the client acknowledges the OACK with ACK 0
                    replied();
                    state = State.SENDING;
                    sendNextBlock();
                } else {
                    server.counters().duplicates.inc();
                }
            }
            case SENDING -> {
                if (n == block) {
                    replied();
                    if (currentIsLast) {
                        finish(true);
                    } else {
                        sendNextBlock();
                    }
                } else {
                    // An old or duplicated ACK: ignore it, never answer it with DATA (RFC 1123 §4.2.3.1).
                    server.counters().duplicates.inc();
                }
            }
            default -> server.counters().duplicates.inc();
        }
    }

    private void sendNextBlock() {
        byte[] data = ready.poll();
        if (data == null) {
            state = State.WAITING_FOR_DISK; // the disk is behind; readMore's result resumes us
            pauseTimer();
            readMore();
            return;
        }
        state = State.SENDING;
        block = (block + 1) & 0xFFFF;
        currentIsLast = data.length < blockSize;
        TftpPacket.writeDataHeader(packet, block);
        System.arraycopy(data, 0, packet, TftpPacket.HEADER, data.length);
        bytes += data.length;
        server.counters().bytesSent.add(data.length);
        sendReliably(packet, TftpPacket.HEADER + data.length);
        readMore();
    }

    /** Keeps the read-ahead queue at least half full; one disk task at a time. */
    private void readMore() {
        if (ioPending || eof || ready.size() > readAhead / 2) {
            return;
        }
        int want = readAhead - ready.size();
        int size = blockSize;
        io(() -> {
            List<byte[]> blocks = new ArrayList<>(want);
            for (int i = 0; i < want; i++) {
                byte[] b = new byte[size];
                int n = in.readNBytes(b, 0, size);
                if (n < size) { // the last block: shorter than blksize, possibly empty (RFC 1350 §6)
                    blocks.add(java.util.Arrays.copyOf(b, n));
                    break;
                }
                blocks.add(b);
            }
            return blocks;
        }, TftpPacket.ERR_NOT_DEFINED, this::blocksRead);
    }

    private void blocksRead(List<byte[]> blocks) {
        ready.addAll(blocks);
        if (!blocks.isEmpty() && blocks.get(blocks.size() - 1).length < blockSize) {
            eof = true;
        }
        if (state == State.WAITING_FOR_DISK) {
            sendNextBlock();
        } else {
            readMore();
        }
    }

    @Override
    void releaseIo() {
        InputStream s = in;
        in = null;
        if (s != null) {
            server.io().execute(() -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a read-only file: nothing can be lost
                }
            });
        }
    }
}
