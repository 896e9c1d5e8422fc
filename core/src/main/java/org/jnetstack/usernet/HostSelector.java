package org.jnetstack.usernet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Selector;
import org.jnetstack.stats.Counter;

/**
 * The host side's readiness thread. The event loop cannot wait on host sockets (its one wait
 * point knows frames, tasks and timers), so this platform thread waits in a {@link Selector}
 * and hands each readiness to the loop ({@link HostChannel}); every read, write, connect and
 * close of a host socket still happens on the loop thread, which owns all gateway state.
 */
final class HostSelector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostSelector.class.getName());

    private final Selector selector;
    private final Thread thread;
    private final Counter loopStopped;
    private volatile boolean closed;

    /** {@code loopStopped} counts host events that found the loop stopped (failed or closed). */
    HostSelector(String name, Counter loopStopped) {
        this.loopStopped = loopStopped;
        try {
            selector = HostNio.provider().openSelector();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for host sockets: " + e.getMessage(), e);
        }
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    /** Makes a selection in progress return, so that new interest or registrations take effect. */
    void wakeup() {
        selector.wakeup();
    }

    /**
     * Selector thread: the loop refused an event (it has stopped, e.g. failed): counts it, and this
     * thread ends after the current selection, quietly (the gateway's close closes the sockets).
     */
    void loopStopped() {
        loopStopped.inc();
        closed = true;
    }

    private void run() {
        while (!closed) {
            try {
                selector.select(key -> ((HostChannel) key.attachment()).selected(key));
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "host selector: " + e, e);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
