package org.jnetstack.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
            throw new SocketException("network stack is closed (its event loop stopped)");
        }
        try {
            return result.get();
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
