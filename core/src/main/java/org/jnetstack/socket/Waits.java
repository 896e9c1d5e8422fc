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

    /**
     * Waits on {@code cond} (its lock held) until signalled or {@code deadline} (0: none); false
     * when the deadline has passed. An interrupt closes {@code socket} and throws {@code
     * SocketException: Closed by interrupt}, as the JDK's own sockets do for virtual threads.
     */
    static boolean await(Condition cond, long deadline, EventLoop loop, AutoCloseable socket) throws SocketException {
        LoopCall.checkNotLoopThread(loop);
        try {
            if (deadline == 0) {
                cond.await();
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            cond.awaitNanos(left);
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
