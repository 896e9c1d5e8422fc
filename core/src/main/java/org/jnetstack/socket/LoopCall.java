package org.jnetstack.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jnetstack.loop.EventLoop;

/**
 * Runs a piece of callback-API code on the loop thread and waits for its result: how a blocking
 * socket on any thread touches state the loop owns (lwIP's netconn does the same through
 * tcpip_callback and a semaphore). The wait parks (virtual threads unmount; nothing pins).
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
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    result.complete(action.run());
                } catch (UncheckedIOException e) {
                    result.completeExceptionally(e.getCause());
                } catch (IOException | RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (IllegalStateException closed) {
            throw loopStopped(loop);
        }
        try {
            // A loop that stops (closed, or killed by a fatal error) never runs the task: look
            // at it now and then rather than wait for ever.
            while (true) {
                try {
                    return result.get(LOOP_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (loop.isClosed() && !result.isDone()) {
                        throw loopStopped(loop);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the event loop");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw SocketErrors.rethrown(io);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) cause;
        }
    }

    /** How often a caller waiting for the loop looks whether it has stopped. */
    private static final long LOOP_CHECK_MILLIS = 1000;

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
        } catch (IllegalStateException closed) {
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
