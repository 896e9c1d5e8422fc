package org.jnetstack.fuzz;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Catches the exceptions the event loop contains (it logs them through {@code System.Logger},
 * which goes to java.util.logging by default), so a fuzz failure shows the real stack trace
 * rather than only a non-zero {@code loop.errors}.
 */
final class LoopFaults {
    private static final Logger LOOP_LOGGER = Logger.getLogger("org.jnetstack.loop.EventLoop");
    private static Throwable first;

    static {
        LOOP_LOGGER.setUseParentHandlers(false); // the harness reports it; no console noise per input
        LOOP_LOGGER.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue() && first == null) {
                    first = r.getThrown() != null ? r.getThrown() : new IllegalStateException(r.getMessage());
                }
            }

            @Override public void flush() { }
            @Override public void close() { }
        });
    }

    private LoopFaults() {
    }

    static void reset() {
        first = null;
    }

    /** The first exception the loop contained since {@link #reset}, or null. */
    static Throwable first() {
        return first;
    }
}
