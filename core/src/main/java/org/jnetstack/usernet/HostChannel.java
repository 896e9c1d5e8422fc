package org.jnetstack.usernet;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.atomic.AtomicInteger;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopClosedException;

/**
 * A host socket watched by the {@link HostSelector} on behalf of the event loop. Interest is
 * one-shot: when the selector sees an operation ready it removes that interest and posts this
 * object (no allocation) to the loop, which runs {@link #onReady} and re-arms what it still
 * needs with {@link #interest}. So a socket the loop is not ready to serve (a full guest
 * window) is not even polled: that is the backpressure.
 */
abstract class HostChannel implements Runnable {
    private final EventLoop loop;
    private final HostSelector selector;
    private final AtomicInteger readyOps = new AtomicInteger();
    private SelectionKey key;

    HostChannel(EventLoop loop, HostSelector selector) {
        this.loop = loop;
        this.selector = selector;
    }

    EventLoop loop() {
        return loop;
    }

    /** Registers {@code channel} (non-blocking) with initial interest {@code ops}; loop thread. */
    final void register(SelectableChannel channel, int ops) throws IOException {
        channel.configureBlocking(false);
        key = channel.register(selector.selector(), ops, this);
        selector.wakeup();
    }

    /** Adds interest in {@code ops}; loop thread. Wakes the selector only if interest grew. */
    final void interest(int ops) {
        SelectionKey k = key;
        if (k == null || !k.isValid()) {
            return;
        }
        try {
            if ((k.interestOps() & ops) != ops) {
                k.interestOpsOr(ops);
                selector.wakeup();
            }
        } catch (CancelledKeyException e) {
            // closed meanwhile
        }
    }

    /** Wakes the selector so that a channel just closed is deregistered (and its socket really closed) now. */
    final void closed() {
        selector.wakeup();
    }

    /** Selector thread: one-shot interest, then hand over to the loop. */
    final void selected(SelectionKey k) {
        int ops;
        try {
            ops = k.readyOps();
            k.interestOpsAnd(~ops);
        } catch (CancelledKeyException e) {
            return;
        }
        int prev;
        do {
            prev = readyOps.get();
        } while (!readyOps.compareAndSet(prev, prev | ops));
        if (prev == 0) {
            try {
                loop.execute(this);
            } catch (LoopClosedException e) {
                selector.loopStopped(); // the loop is closed: the gateway is going away
            }
        }
    }

    @Override
    public final void run() {
        int ops = readyOps.getAndSet(0);
        if (ops != 0) {
            onReady(ops);
        }
    }

    /** Loop thread: {@code ops} ({@link SelectionKey#OP_READ} etc.) became ready. */
    abstract void onReady(int ops);
}
