package org.jnetstack.socket.nio;

/** What a {@link StackSelector} needs of a channel of this package. */
interface StackSelectable {
    /**
     * The operations of {@code interestOps} that are ready now, in the JDK's terms: an error or a
     * hang-up makes every operation of interest ready (the operation then reports it). Any thread;
     * lock-free (reads the channel's published state).
     */
    int readyOps(int interestOps);
}
