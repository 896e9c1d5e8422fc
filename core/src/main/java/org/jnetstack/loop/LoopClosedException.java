package org.jnetstack.loop;

/**
 * Work was handed to an {@link EventLoop} that is closed, or that stopped on a fatal error (then
 * the error is the cause and is named in the message): the work never ran, and never will.
 * Callers that hand work to a loop from other threads catch this one exception to learn that the
 * loop is gone; it is an {@link IllegalStateException}, as using a closed resource is.
 */
public final class LoopClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    LoopClosedException(String message, Throwable fatal) {
        super(message, fatal);
    }

    /** The exception for {@code loop} as it is now: closed, or stopped by {@code fatal}. */
    static LoopClosedException of(Throwable fatal) {
        return new LoopClosedException(fatal == null ? "event loop is closed"
                : "event loop is closed: it stopped on a fatal error: " + fatal, fatal);
    }
}
