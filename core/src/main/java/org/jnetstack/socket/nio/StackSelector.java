package org.jnetstack.socket.nio;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A selector over stack channels. Readiness is pushed, never polled: when a channel's state
 * changes (on the loop thread: data, room, handshake, FIN, error; or on an application thread:
 * an interest change, a read that drained the buffer) it queues its keys here and wakes a
 * blocked {@code select}. A selection looks only at queued keys. A key found ready stays queued,
 * so readiness is level-triggered as with the JDK's selectors (a key whose channel is still
 * readable is selected again by the next selection); a key found not ready leaves the queue
 * until its channel changes again.
 *
 * <p>Locks: {@code selectLock} serializes selections and close (the JDK's "synchronized on the
 * selector"); {@code stateLock} guards only the queue and the wake-up flag and is never held
 * while calling into a channel or user code, so registration, interest changes and wakeup never
 * wait for a selection.
 */
final class StackSelector extends AbstractSelector {
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final SelectedKeys selectedKeys = new SelectedKeys();

    private final ReentrantLock selectLock = new ReentrantLock();
    private boolean selecting; // guarded by selectLock

    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition changed = stateLock.newCondition();
    private final ArrayDeque<StackSelectionKey> queue = new ArrayDeque<>(); // guarded by stateLock
    private boolean wakeupPending; // guarded by stateLock
    /** The keys one selection looks at, taken from {@link #queue} (selectLock). */
    private StackSelectionKey[] batch = new StackSelectionKey[16];

    StackSelector(StackSelectorProvider provider) {
        super(provider);
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return selectedKeys;
    }

    @Override
    public int selectNow() throws IOException {
        return doSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("negative timeout: " + timeout);
        }
        return doSelect(null, timeout == 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeout));
    }

    @Override
    public int select() throws IOException {
        return doSelect(null, -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("negative timeout: " + timeout);
        }
        return doSelect(java.util.Objects.requireNonNull(action), timeout == 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeout));
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), 0);
    }

    /**
     * One selection. {@code timeoutNanos}: -1 waits until a key is ready, a wakeup, an interrupt or
     * close; 0 does not wait.
     */
    private int doSelect(Consumer<SelectionKey> action, long timeoutNanos) throws IOException {
        selectLock.lock();
        try {
            ensureOpen();
            if (selecting) {
                throw new IllegalStateException("a selection operation is already in progress on this thread");
            }
            selecting = true;
            try {
                return selectLocked(action, timeoutNanos);
            } finally {
                selecting = false;
            }
        } finally {
            selectLock.unlock();
        }
    }

    private int selectLocked(Consumer<SelectionKey> action, long timeoutNanos) throws IOException {
        boolean blocking = timeoutNanos != 0;
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        if (blocking) {
            begin(); // an interrupt wakes this selection up
        }
        try {
            while (true) {
                processCancelledKeys();
                int[] result = scan(action);
                if (result[1] > 0) {
                    return result[0];
                }
                if (!blocking || !isOpen()) {
                    return 0;
                }
                stateLock.lock();
                try {
                    if (wakeupPending || Thread.currentThread().isInterrupted()) {
                        return 0;
                    }
                    if (queue.isEmpty()) {
                        if (deadline == 0) {
                            changed.awaitUninterruptibly();
                        } else {
                            long left = deadline - System.nanoTime();
                            if (left <= 0) {
                                return 0;
                            }
                            try {
                                changed.awaitNanos(left);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt(); // select returns with the status set
                                return 0;
                            }
                        }
                    }
                } finally {
                    stateLock.unlock();
                }
            }
        } finally {
            if (blocking) {
                end();
            }
            stateLock.lock();
            try {
                wakeupPending = false; // a wakeup counts for the selection it ended or the next one only
            } finally {
                stateLock.unlock();
            }
            processCancelledKeys();
        }
    }

    private final int[] scanResult = new int[2];

    /**
     * Looks at every queued key once. Returns {updated keys, ready keys}: a key whose channel is
     * ready for one of its interests stays queued (level-triggered); the others leave the queue.
     */
    private int[] scan(Consumer<SelectionKey> action) {
        int n;
        stateLock.lock();
        try {
            n = queue.size();
            if (batch.length < n) {
                batch = new StackSelectionKey[Math.max(n, batch.length * 2)];
            }
            for (int i = 0; i < n; i++) {
                StackSelectionKey k = queue.poll();
                k.queued = false;
                batch[i] = k;
            }
        } finally {
            stateLock.unlock();
        }
        int updated = 0;
        int ready = 0;
        for (int i = 0; i < n; i++) {
            StackSelectionKey k = batch[i];
            batch[i] = null;
            if (!k.isValid()) {
                continue;
            }
            int ops = k.selectable().readyOps(k.currentInterest());
            if (ops == 0) {
                continue;
            }
            ready++;
            requeue(k);
            if (action != null) {
                k.setReadyOps(ops);
                updated++;
                action.accept(k);
            } else if (selectedKeys.contains(k)) {
                int before = k.currentReady();
                if ((ops & ~before) != 0) {
                    k.setReadyOps(before | ops);
                    updated++;
                }
            } else {
                k.setReadyOps(ops);
                selectedKeys.addByOwner(k);
                updated++;
            }
        }
        scanResult[0] = updated;
        scanResult[1] = ready;
        return scanResult;
    }

    /** A key's channel may have become ready, or its interest changed: look at it in the next selection. */
    void enqueue(StackSelectionKey k) {
        stateLock.lock();
        try {
            if (!k.queued && isOpen()) {
                k.queued = true;
                queue.add(k);
                changed.signal();
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void requeue(StackSelectionKey k) {
        stateLock.lock();
        try {
            if (!k.queued) {
                k.queued = true;
                queue.add(k);
            }
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public java.nio.channels.Selector wakeup() {
        stateLock.lock();
        try {
            wakeupPending = true;
            changed.signalAll();
        } finally {
            stateLock.unlock();
        }
        return this;
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof StackSelectable sc) || ch.provider() != provider()) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        StackSelectionKey k = new StackSelectionKey(ch, this);
        k.attach(attachment);
        keys.add(k);
        KeyList.of(sc).add(k);
        k.interestOps(ops);
        if (!isOpen()) { // closed meanwhile: the close did not see this key
            k.cancel();
            throw new ClosedSelectorException();
        }
        return k;
    }

    /** Deregisters cancelled keys (their channels forget them; they leave both key sets). */
    private void processCancelledKeys() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            for (SelectionKey k : cancelled) {
                StackSelectionKey sk = (StackSelectionKey) k;
                keys.remove(sk);
                selectedKeys.removeByOwner(sk);
                KeyList.of(sk.selectable()).remove(sk);
                deregister(sk);
            }
            cancelled.clear();
        }
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        selectLock.lock(); // waits for a selection in progress to end
        try {
            for (SelectionKey k : keys) {
                k.cancel();
            }
            processCancelledKeys();
            selectedKeys.clearByOwner();
            stateLock.lock();
            try {
                queue.clear();
            } finally {
                stateLock.unlock();
            }
        } finally {
            selectLock.unlock();
        }
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    /**
     * The selected-key set: the application may remove keys, never add them (the JDK's
     * "ungrowable" set). Like the JDK's, it is not thread-safe. An array with each key's index
     * in the key itself: adding, removing and looking up allocate nothing and take O(1).
     */
    private final class SelectedKeys extends java.util.AbstractSet<SelectionKey> {
        private StackSelectionKey[] items = new StackSelectionKey[16];
        private int size;

        @Override
        public java.util.Iterator<SelectionKey> iterator() {
            return new java.util.Iterator<>() {
                private int cursor;
                private int last = -1;

                @Override
                public boolean hasNext() {
                    return cursor < size;
                }

                @Override
                public SelectionKey next() {
                    if (cursor >= size) {
                        throw new java.util.NoSuchElementException();
                    }
                    last = cursor++;
                    return items[last];
                }

                @Override
                public void remove() {
                    if (last < 0) {
                        throw new IllegalStateException();
                    }
                    removeAt(last);
                    cursor = last; // the last key moved into this slot and is still to be visited
                    last = -1;
                }
            };
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean contains(Object o) {
            return o instanceof StackSelectionKey k && k.selectorImpl() == StackSelector.this && k.selectedIndex >= 0;
        }

        @Override
        public boolean remove(Object o) {
            if (!contains(o)) {
                return false;
            }
            removeAt(((StackSelectionKey) o).selectedIndex);
            return true;
        }

        @Override
        public void clear() {
            for (int i = 0; i < size; i++) {
                items[i].selectedIndex = -1;
                items[i] = null;
            }
            size = 0;
        }

        @Override
        public boolean add(SelectionKey k) {
            throw new UnsupportedOperationException("keys can't be added to the selected-key set");
        }

        void addByOwner(StackSelectionKey k) {
            if (k.selectedIndex >= 0) {
                return;
            }
            if (size == items.length) {
                items = java.util.Arrays.copyOf(items, size * 2);
            }
            items[size] = k;
            k.selectedIndex = size++;
        }

        void removeByOwner(StackSelectionKey k) {
            remove(k);
        }

        void clearByOwner() {
            clear();
        }

        private void removeAt(int i) {
            StackSelectionKey gone = items[i];
            StackSelectionKey moved = items[--size];
            items[i] = moved;
            moved.selectedIndex = i;
            items[size] = null;
            gone.selectedIndex = -1;
        }
    }
}
