package org.jnetstack.loop;

/**
 * Work that runs once at the end of the loop iteration in which it was {@linkplain #request
 * requested}: after the received frames, due timers and handed-in tasks of that iteration. This is
 * where work batched over one receive batch happens — TCP's one ACK for many segments, a socket's
 * one move of received bytes to its application, a device's one write of the frames gathered —
 * so each happens once per batch, not once per frame.
 *
 * <p>Create one per use with {@link EventLoop#newBatchEndTask} and request it as often as
 * needed: a request while it is already requested does nothing, and requesting allocates
 * nothing. A task requested while the end-of-batch step runs (a socket's flush producing frames a
 * device gathers) runs in that same step. Loop thread only.
 */
public final class BatchEndTask {
    final EventLoop loop;
    final Runnable action;
    boolean requested;

    BatchEndTask(EventLoop loop, Runnable action) {
        this.loop = loop;
        this.action = action;
    }

    /** Runs the action at the end of this iteration (or of the next, outside one), once. */
    public void request() {
        if (!requested) {
            requested = true;
            loop.batchEnd.add(this);
        }
    }

    /** True from {@link #request} until the action starts running. */
    public boolean isRequested() {
        return requested;
    }
}
