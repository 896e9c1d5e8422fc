package org.jnetstack.loop;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The fatal error that stopped an {@link EventLoop}, and who hears of it: the listeners, then a
 * future, then the log when nobody listened (as a thread's uncaught-exception handler, a
 * listener reports it). Reporting builds no message and guards every step: after an
 * {@link OutOfMemoryError} any allocation may throw again.
 */
final class LoopFailure {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final String MESSAGE = "event loop stopped by a fatal error: devices closed, work refused";

    private volatile Throwable cause;
    private final CompletableFuture<Throwable> future = new CompletableFuture<>();
    private final Object lock = new Object();
    @SuppressWarnings("unchecked")
    private Consumer<Throwable>[] listeners = new Consumer[0]; // guarded by lock
    private boolean reported; // guarded by lock: report() has taken the listeners; later ones run at once

    /** The error, or null while the loop has not failed. */
    Throwable cause() {
        return cause;
    }

    /** Records {@code t} if it is the first failure; false if the loop had failed already. Loop thread. */
    boolean record(Throwable t) {
        if (cause != null) {
            return false;
        }
        cause = t;
        return true;
    }

    /** Tells the listeners and the future of the recorded error, and logs it if nobody listened. */
    void report() {
        Throwable t = cause;
        Consumer<Throwable>[] taken;
        synchronized (lock) {
            taken = listeners;
            reported = true;
        }
        for (Consumer<Throwable> l : taken) {
            try {
                l.accept(t);
            } catch (Throwable e) {
                // one listener's failure does not keep the error from the others
            }
        }
        try {
            future.complete(t);
        } catch (Throwable e) {
            // a dependent stage's action threw on this thread
        }
        if (taken.length == 0) {
            try {
                LOG.log(Level.ERROR, MESSAGE, t);
            } catch (Throwable e) {
                // the error is recorded and reported above; a log line is all that is lost
            }
        }
    }

    /** A view of the future: completing it does not affect the loop. */
    CompletableFuture<Throwable> future() {
        return future.copy();
    }

    /** Adds {@code listener}, or calls it at once if the error has been reported already. */
    void addListener(Consumer<Throwable> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            if (!reported) {
                listeners = Arrays.copyOf(listeners, listeners.length + 1);
                listeners[listeners.length - 1] = listener;
                return;
            }
        }
        listener.accept(cause);
    }
}
