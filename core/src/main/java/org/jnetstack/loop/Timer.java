package org.jnetstack.loop;

/**
 * A re-armable, cancellable timer owned by one {@link EventLoop}. Create it once per use
 * (for example one retransmission timer per connection) and re-arm it as often as needed:
 * arming, re-arming and cancelling are O(log n) and allocate nothing.
 *
 * <p>All methods must be called on the loop thread.
 */
public final class Timer {
    final EventLoop loop;
    final Runnable action;
    long deadline;
    long sequence;
    int heapIndex = -1;

    Timer(EventLoop loop, Runnable action) {
        this.loop = loop;
        this.action = action;
    }

    /** Arms (or re-arms) the timer to fire {@code delayNanos} from now. */
    public Timer schedule(long delayNanos) {
        return scheduleAt(loop.clock().nanos() + Math.max(0, delayNanos));
    }

    /** Arms (or re-arms) the timer to fire at the given clock time. */
    public Timer scheduleAt(long deadlineNanos) {
        loop.timers.schedule(this, deadlineNanos);
        return this;
    }

    /** Disarms the timer; does nothing if it is not armed. */
    public void cancel() {
        loop.timers.cancel(this);
    }

    public boolean isScheduled() {
        return heapIndex >= 0;
    }

    /** The clock time at which the timer fires; meaningful only while scheduled. */
    public long deadline() {
        return deadline;
    }
}
