package org.jnetstack.socket.nio;

/**
 * A channel's registrations with stack selectors, so that a change of readiness (usually on the
 * loop thread) reaches each selector without a search. Copy-on-write: registering is rare,
 * notifying is frequent and allocates nothing.
 */
final class KeyList {
    private static final StackSelectionKey[] NONE = new StackSelectionKey[0];
    private volatile StackSelectionKey[] keys = NONE;

    /** The keys through which {@code ch}, a channel of this package, tells selectors of readiness changes. */
    static KeyList of(StackSelectable ch) {
        return switch (ch) {
            case StackSocketChannel c -> c.keys;
            case StackServerSocketChannel c -> c.keys;
            case StackDatagramChannel c -> c.keys;
            default -> throw new IllegalArgumentException("not a channel of the stack's provider: " + ch);
        };
    }

    synchronized void add(StackSelectionKey k) {
        StackSelectionKey[] now = keys;
        StackSelectionKey[] more = java.util.Arrays.copyOf(now, now.length + 1);
        more[now.length] = k;
        keys = more;
    }

    synchronized void remove(StackSelectionKey k) {
        StackSelectionKey[] now = keys;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == k) {
                StackSelectionKey[] less = new StackSelectionKey[now.length - 1];
                System.arraycopy(now, 0, less, 0, i);
                System.arraycopy(now, i + 1, less, i, now.length - i - 1);
                keys = less;
                return;
            }
        }
    }

    /** The channel's readiness may have changed: every selector it is registered with looks again. */
    void readinessChanged() {
        for (StackSelectionKey k : keys) {
            k.selectorImpl().enqueue(k);
        }
    }
}
