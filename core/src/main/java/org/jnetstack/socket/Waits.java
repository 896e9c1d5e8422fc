package org.jnetstack.socket;

import java.net.SocketException;
import java.util.concurrent.locks.Condition;
import org.jnetstack.loop.EventLoop;

/** How every blocking socket waits: on a lock condition (virtual threads unmount), with a deadline. */
final class Waits {
    private Waits() {
    }

    /** SO_TIMEOUT's rule: 0 is "for ever", negative is a mistake. */
    static int checkTimeout(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout can't be negative: " + millis);
        }
        return millis;
    }

    /** SO_SNDBUF's and SO_RCVBUF's rule. */
    static int checkBufferSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("buffer size must be positive: " + bytes);
        }
        return bytes;
    }

    /** The deadline for a timeout in milliseconds; 0 means none. */
    static long deadline(int timeoutMillis) {
        return timeoutMillis == 0 ? 0 : System.nanoTime() + timeoutMillis * 1_000_000L;
    }

    /** The longest single park: a waiter looks at least this often whether the loop has stopped. */
    private static final long LOOP_CHECK_NANOS = 1_000_000_000L;

    /**
     * Waits on {@code cond} (its lock held) until signalled or {@code deadline} (0: none); false
     * when the deadline has passed. It may return early without a signal: callers re-check their
     * condition in a loop. An interrupt closes {@code socket} and throws {@code SocketException:
     * Closed by interrupt}, as the JDK's own sockets do for virtual threads; a stopped event loop
     * (nothing can ever wake us) throws {@code SocketException} too, naming the fatal error if one
     * stopped it (seen within {@code LOOP_CHECK_NANOS}).
     */
    static boolean await(Condition cond, long deadline, EventLoop loop, AutoCloseable socket) throws SocketException {
        LoopCall.checkNotLoopThread(loop);
        if (loop.isClosed()) {
            throw LoopCall.loopStopped(loop);
        }
        try {
            long left = deadline == 0 ? LOOP_CHECK_NANOS : deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            cond.awaitNanos(Math.min(left, LOOP_CHECK_NANOS));
            return true;
        } catch (InterruptedException e) {
            try {
                socket.close();
            } catch (Exception ignored) {
                // our sockets' close() does not throw
            }
            Thread.currentThread().interrupt();
            throw new SocketException("Closed by interrupt");
        }
    }
}
