package org.jnetstack.testing;

/**
 * Durations in nanoseconds, the unit of the loop's clock ({@code loop.runFor(5 * SECOND)}).
 *
 * <pre>{@code
 * import static org.jnetstack.testing.Nanos.SECOND;
 * }</pre>
 */
public final class Nanos {
    public static final long MS = 1_000_000L;
    public static final long SECOND = 1_000_000_000L;

    private Nanos() {
    }
}
