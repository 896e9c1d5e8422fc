package org.jnetstack.socket.nio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * How a channel on an application thread touches state the event loop owns: hand a task in and,
 * for a call, wait for its answer (the loop answers at its next turn). Also the address
 * conversions between {@code java.net} and the callback API's IPv4 integers.
 */
final class LoopTasks {
    /** Work for the loop thread; may throw the checked exceptions of java.net. */
    @FunctionalInterface
    interface Action<T> {
        T run() throws IOException;
    }

    private LoopTasks() {
    }

    /** Runs {@code action} on the loop and returns its result; never on the loop thread itself. */
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
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // the loop answers promptly; the caller sees the interrupt after
                } catch (TimeoutException e) {
                    if (loop.isClosed()) {
                        throw new SocketException("network stack is closed (its event loop stopped)");
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw (Error) cause;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Hands {@code task} to the loop; a stopped loop is ignored (its connections are gone with it). */
    static void post(EventLoop loop, Runnable task) {
        try {
            loop.execute(task);
        } catch (IllegalStateException closed) {
            // nothing left to tidy
        }
    }

    /** Blocking on the loop thread would stop the very loop that must wake us: refuse at once. */
    static void checkNotLoopThread(EventLoop loop) {
        if (loop.inLoop()) {
            throw new IllegalStateException("blocking channel operation on the event-loop thread would deadlock: "
                    + "use non-blocking mode there, or call from another thread");
        }
    }

    /** An address of either family in the stack's form (an {@code Inet4Address} as IPv4-mapped). */
    static Ipv6Address address(InetAddress a) {
        return Ipv6Address.of(a);
    }

    /** The bind address for TCP and UDP: null for a wildcard ({@code 0.0.0.0} or {@code ::}), both families. */
    static Ipv6Address bindAddress(InetAddress a) {
        return a == null || a.isAnyLocalAddress() ? null : Ipv6Address.of(a);
    }

    static InetAddress inet(int bits) {
        return new Ipv4Address(bits).toInetAddress();
    }
}
