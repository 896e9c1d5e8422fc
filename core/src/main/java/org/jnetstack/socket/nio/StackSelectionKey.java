package org.jnetstack.socket.nio;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/** A registration of a stack channel with a {@link StackSelector}. */
final class StackSelectionKey extends AbstractSelectionKey {
    private final SelectableChannel channel;
    private final StackSelector selector;
    private volatile int interestOps;
    private volatile int readyOps;
    /** In the selector's queue of keys to look at (guarded by the selector's state lock). */
    boolean queued;
    /** Where the key sits in the selector's selected-key set; -1 when not there (the selecting thread's). */
    int selectedIndex = -1;

    StackSelectionKey(SelectableChannel channel, StackSelector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    StackSelector selectorImpl() {
        return selector;
    }

    StackSelectable selectable() {
        return (StackSelectable) channel;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    /** Any thread; takes effect at once: a selector blocked in select looks at the key again. */
    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("invalid interest set " + ops + " for " + channel
                    + " (valid: " + channel.validOps() + ")");
        }
        interestOps = ops;
        selector.enqueue(this);
        return this;
    }

    /** The interest set without the validity check (the selector's own reads). */
    int currentInterest() {
        return interestOps;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    void setReadyOps(int ops) {
        readyOps = ops;
    }

    int currentReady() {
        return readyOps;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public String toString() {
        return "StackSelectionKey[" + channel + (isValid() ? " interest=" + interestOps + " ready=" + readyOps : " cancelled") + "]";
    }
}
