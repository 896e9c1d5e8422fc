package org.jnetstack.loop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an {@link EventLoop} polls and waits on: its attached pollables, the descriptors among
 * them, and the native poller that blocks on those descriptors (made when the first descriptor
 * comes, never on a virtual clock). Loop thread, except {@link #all()} and {@link #wakeup()}.
 */
final class PollSet {
    private final boolean virtual;
    private volatile EventLoop.Attachment[] attachments = new EventLoop.Attachment[0];
    private int[] fds = new int[0];
    private int fdCount;
    private volatile FdWaiter waiter;

    PollSet(boolean virtual) {
        this.virtual = virtual;
    }

    /** The attachments now, in the order they came; any thread. */
    EventLoop.Attachment[] all() {
        return attachments;
    }

    void add(EventLoop.Attachment a) {
        EventLoop.Attachment[] old = attachments;
        EventLoop.Attachment[] now = Arrays.copyOf(old, old.length + 1);
        now[old.length] = a;
        attachments = now;
        rebuild();
    }

    /** Removes {@code a}; false if it was not attached. */
    boolean remove(EventLoop.Attachment a) {
        List<EventLoop.Attachment> keep = new ArrayList<>(Arrays.asList(attachments));
        if (!keep.remove(a)) {
            return false;
        }
        attachments = keep.toArray(new EventLoop.Attachment[0]);
        rebuild();
        return true;
    }

    private void rebuild() {
        int[] now = new int[attachments.length];
        int n = 0;
        for (EventLoop.Attachment a : attachments) {
            int fd = a.pollable().pollFd();
            if (fd >= 0) {
                now[n++] = fd;
            }
        }
        fds = now;
        fdCount = n;
        if (n > 0 && waiter == null && !virtual) {
            waiter = NativePoller.create();
        }
    }

    /**
     * Blocks until a descriptor is readable, {@link #wakeup()} or the timeout (negative: none);
     * false at once when there is no descriptor to wait on (the caller parks instead).
     */
    boolean await(long timeoutNanos) {
        FdWaiter w = waiter;
        if (fdCount == 0 || w == null) {
            return false;
        }
        w.await(fds, fdCount, timeoutNanos);
        return true;
    }

    /** Wakes a current or the next {@link #await}; any thread. */
    void wakeup() {
        FdWaiter w = waiter;
        if (w != null) {
            w.wakeup();
        }
    }

    /** {@link EventLoop#close()}: closes and forgets every pollable (what one throws is a contained fault), then the poller. */
    void close() {
        for (EventLoop.Attachment a : attachments) {
            try {
                a.pollable().close();
            } catch (RuntimeException e) {
                a.fault("close ", e);
            }
        }
        attachments = new EventLoop.Attachment[0];
        FdWaiter w = waiter;
        if (w != null) {
            w.close();
        }
    }

    /**
     * After a fatal error: closes every pollable and the poller, each step guarded so that one
     * failing (out of memory again) cannot keep the others from closing; builds no message.
     */
    void closeAfterFatal() {
        for (EventLoop.Attachment a : attachments) {
            try {
                a.pollable().close();
            } catch (Throwable e) {
                // the others still close
            }
        }
        try {
            FdWaiter w = waiter;
            if (w != null) {
                w.close();
            }
        } catch (Throwable e) {
            // nothing is left to wait on it
        }
    }
}
