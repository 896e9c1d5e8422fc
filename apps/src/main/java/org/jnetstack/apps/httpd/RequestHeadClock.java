package org.jnetstack.apps.httpd;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Times one connection's request heads. Between requests the connection is idle and a read waits
 * up to the idle timeout; a request's first byte starts the head deadline, and from then on every
 * read waits only until that deadline, so a client that trickles a byte per idle timeout is still
 * cut when the deadline passes ({@link HeadTimeoutException}), and a head that grows past its
 * byte limit is refused ({@link HttpConnection.HeadTooLargeException}). Once the head is parsed the body is
 * read under the idle timeout again. A write has no timeout of its own in {@code java.net}, so
 * the clock also notes when the write in progress began; the server closes a connection whose
 * write has waited longer than the idle timeout (a client that never reads its responses).
 * The connection's own thread reads and writes; the server's watchdog reads the volatile fields.
 */
final class RequestHeadClock {
    /** Where the connection is in its current exchange. */
    enum Phase {
        /** waiting for a request's first byte */
        IDLE,
        /** a request has begun and its head is not yet complete */
        HEAD,
        /** the head was parsed: the body is read and the response written */
        EXCHANGE
    }

    /** The request head did not arrive within the deadline. */
    static final class HeadTimeoutException extends SocketTimeoutException {
        HeadTimeoutException() {
            super("the request head did not arrive in time");
        }
    }

    private final Socket socket;
    private final long headNanos;
    private final int idleMillis;
    private final int maxHeadBytes;
    private int headBytes;
    private volatile Phase phase = Phase.IDLE;
    /** When the write in progress began (System.nanoTime), or 0 when none is. */
    private volatile long writeSinceNanos;
    private long deadlineNanos;
    private boolean requestLineRead;
    private int timeoutInForce = -1;

    RequestHeadClock(Socket socket, HttpLimits limits) {
        this.socket = socket;
        this.headNanos = limits.headTimeout().toNanos();
        this.idleMillis = (int) limits.idleTimeout().toMillis();
        this.maxHeadBytes = limits.maxHeadBytes();
    }

    Phase phase() {
        return phase;
    }

    /** Whether the current request's request line was read whole (a line limit hit after it is a header's). */
    boolean requestLineRead() {
        return requestLineRead;
    }

    void requestLineDone() {
        requestLineRead = true;
    }

    /** The head was parsed: the deadline no longer applies. */
    void headDone() {
        phase = Phase.EXCHANGE;
    }

    /** The exchange is over: wait for the next request. */
    void exchangeDone() {
        phase = Phase.IDLE;
        requestLineRead = false;
        headBytes = 0;
    }

    /** Whether a write has been waiting for the client to read for longer than {@code limitNanos}. */
    boolean writeStalled(long now, long limitNanos) {
        long since = writeSinceNanos;
        return since != 0 && now - since > limitNanos;
    }

    /** Whether the connection waits for a request with nothing of it read yet: closing it loses nothing. */
    boolean idle() {
        return phase == Phase.IDLE && writeSinceNanos == 0;
    }

    OutputStream watch(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeSinceNanos = nonZero(System.nanoTime());
                try {
                    out.write(b, off, len);
                } finally {
                    writeSinceNanos = 0;
                }
            }

            @Override
            public void flush() throws IOException {
                writeSinceNanos = nonZero(System.nanoTime());
                try {
                    out.flush();
                } finally {
                    writeSinceNanos = 0;
                }
            }
        };
    }

    private static long nonZero(long nanos) {
        return nanos == 0 ? 1 : nanos;
    }

    InputStream watch(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return timedRead(in, b, off, len);
            }
        };
    }

    private int timedRead(InputStream in, byte[] b, int off, int len) throws IOException {
        if (phase == Phase.HEAD) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new HeadTimeoutException();
            }
            if (headBytes >= maxHeadBytes) {
                // the parser asks for more only while the head is incomplete: all read so far is head
                throw new HttpConnection.HeadTooLargeException(requestLineRead);
            }
            setTimeout((int) Math.min(idleMillis, Math.max(1, (left + 999_999) / 1_000_000)));
        } else {
            setTimeout(idleMillis);
        }
        int n;
        try {
            n = in.read(b, off, len);
        } catch (SocketTimeoutException e) {
            if (phase == Phase.HEAD && deadlineNanos - System.nanoTime() <= 0) {
                throw new HeadTimeoutException();
            }
            throw e;
        }
        if (n > 0 && phase == Phase.IDLE) {
            phase = Phase.HEAD;
            deadlineNanos = System.nanoTime() + headNanos;
        }
        if (n > 0 && phase == Phase.HEAD) {
            headBytes += n;
        }
        return n;
    }

    private void setTimeout(int millis) throws IOException {
        if (millis != timeoutInForce) {
            socket.setSoTimeout(millis);
            timeoutInForce = millis;
        }
    }
}
