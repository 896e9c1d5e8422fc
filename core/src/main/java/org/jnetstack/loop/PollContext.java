package org.jnetstack.loop;

/** What the event loop gives a {@link Pollable} when it is attached. */
public interface PollContext {
    /** The loop the pollable now belongs to: its clock and timers (loop thread only). */
    EventLoop loop();

    /** Tells the loop that input is ready for {@link Pollable#poll}. Safe from any thread. */
    void ready();

    /**
     * Contains an exception that handling one input threw (so the rest of the batch is still
     * handled): it is logged and counted as the loop does for its own handlers. A fatal one (see
     * {@link EventLoop#isFatal}) is rethrown, and the loop then stops.
     */
    void fault(String where, Throwable t);
}
