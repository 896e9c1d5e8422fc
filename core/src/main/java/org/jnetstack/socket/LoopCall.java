package org.jnetstack.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeoutException;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopClosedException;
import org.jnetstack.socket.internal.SocketErrors;

/**
 * Runs a piece of callback-API code on the loop thread and waits for its result
 * ({@link EventLoop#call}): how a blocking socket on any thread touches state the loop owns
 * (lwIP's netconn does the same through tcpip_callback and a semaphore), with the loop's
 * outcomes told as java.net exceptions.
 */
final class LoopCall {
    /** Work for the loop thread; may throw the checked exceptions of java.net. */
    @FunctionalInterface
    interface Action<T> {
        T run() throws IOException;
    }

    private LoopCall() {
    }

    static <T> T call(EventLoop loop, Action<T> action) throws IOException {
        checkNotLoopThread(loop);
        try {
            return loop.call(() -> {
                try {
                    return action.run();
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }, FOREVER);
        } catch (LoopClosedException closed) {
            throw loopStopped(loop);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the event loop");
        } catch (TimeoutException e) {
            throw new AssertionError("a wait without a limit timed out", e);
        } catch (IOException e) {
            throw SocketErrors.rethrown(e);
        }
    }

    /** A socket call waits for the loop as long as it takes (its own timeouts run on the loop). */
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    /**
     * What a socket call says when the loop is gone: {@code SocketException} naming the fatal
     * error that stopped it (with it as the cause), or that it was closed.
     */
    static SocketException loopStopped(EventLoop loop) {
        Throwable fatal = loop.failureCause();
        if (fatal == null) {
            return new SocketException("Socket closed: the network stack's event loop has stopped");
        }
        SocketException e = new SocketException("Socket closed: the network stack stopped on a fatal error: " + fatal);
        e.initCause(fatal);
        return e;
    }

    /** Hands {@code task} to the loop; a stopped loop is ignored (nothing is left to tidy). */
    static void post(EventLoop loop, Runnable task) {
        try {
            loop.execute(task);
        } catch (LoopClosedException closed) {
            // the loop is gone with all its connections
        }
    }

    /** Blocking on the loop thread would stop the very loop that must wake us: refuse at once. */
    static void checkNotLoopThread(EventLoop loop) {
        if (loop.inLoop()) {
            throw new IllegalStateException("blocking socket call on the event-loop thread would deadlock: "
                    + "call it from another thread, or use the callback API (stack.tcp(), stack.udp())");
        }
    }
}
