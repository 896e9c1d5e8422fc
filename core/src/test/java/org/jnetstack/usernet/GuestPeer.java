package org.jnetstack.usernet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;

/**
 * A guest-side TCP endpoint on the callback API: sends {@code toSend} pattern bytes (or a fixed
 * request) as the send buffer allows, half-closes if asked, and takes in everything it receives
 * (digest, count, and the first 1 MiB kept) until end of input.
 */
final class GuestPeer implements TcpHandler {
    final CompletableFuture<TcpConnection> connected = new CompletableFuture<>();
    final CompletableFuture<Long> endOfInput = new CompletableFuture<>();
    final MessageDigest received = Pattern.sha256();
    final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final byte[] request;
    private final long toSend;
    private final boolean shutdownWhenSent;
    private final boolean reading;
    private final byte[] buf = new byte[64 * 1024];
    volatile long sent;
    volatile long receivedBytes;

    GuestPeer(long toSend, boolean shutdownWhenSent) {
        this(null, toSend, shutdownWhenSent, true);
    }

    GuestPeer(byte[] request, long toSend, boolean shutdownWhenSent, boolean reading) {
        this.request = request;
        this.toSend = request != null ? request.length : toSend;
        this.shutdownWhenSent = shutdownWhenSent;
        this.reading = reading;
    }

    @Override
    public void onConnected(TcpConnection c) {
        connected.complete(c);
        send(c);
    }

    @Override
    public void onSent(TcpConnection c, int bytes) {
        send(c);
    }

    private void send(TcpConnection c) {
        while (sent < toSend && !c.isOutputShutdown()) {
            int n = (int) Math.min(Math.min(buf.length, toSend - sent), c.writable());
            if (n <= 0) {
                return;
            }
            if (request != null) {
                System.arraycopy(request, (int) sent, buf, 0, n);
            } else {
                Pattern.fill(buf, 0, n, sent);
            }
            sent += c.write(buf, 0, n);
        }
        if (sent >= toSend && shutdownWhenSent) {
            c.shutdownOutput();
        }
    }

    @Override
    public void onReceive(TcpConnection c) {
        if (!reading) {
            return;
        }
        int n;
        while ((n = c.read(buf, 0, buf.length)) > 0) {
            received.update(buf, 0, n);
            if (kept.size() < (1 << 20)) {
                kept.write(buf, 0, Math.min(n, (1 << 20) - kept.size()));
            }
            receivedBytes += n;
        }
    }

    @Override
    public void onEndOfInput(TcpConnection c) {
        onReceive(c);
        endOfInput.complete(receivedBytes);
        if (sent >= toSend) {
            c.close();
        }
    }

    @Override
    public void onError(TcpConnection c, IOException error) {
        connected.completeExceptionally(error);
        endOfInput.completeExceptionally(error);
    }
}
