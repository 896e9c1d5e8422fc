package org.jnetstack.loop;

import java.io.IOException;

/**
 * A source of input the event loop polls each iteration: a link device bound to the handler of
 * its frames, or a host socket. All methods are called on the loop thread.
 */
public interface Pollable {
    /** Human-readable name, for the log when handling its input fails. */
    String name();

    /** Called once, when the pollable is attached to a loop. */
    void open(PollContext context) throws IOException;

    /** Handles up to {@code max} inputs that are ready now and returns how many; never blocks. */
    int poll(int max);

    /**
     * A file descriptor the loop may wait on with {@code poll(2)} for readability, or -1 for a
     * source in this process, which calls {@link PollContext#ready()} instead.
     */
    int pollFd();

    /** Releases the source; called on detach and when the loop closes. */
    void close();
}
