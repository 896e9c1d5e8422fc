package org.jnetstack.apps.serial;

import java.io.IOException;

/**
 * A serial line the bridge connects to TCP clients: a tty or pty, a child process's standard
 * I/O, a Unix socket (QEMU's {@code -serial unix:PATH}), this process's stdin/stdout, or an
 * emulated {@link Uart16550}. Bytes from the line go to the {@link Receiver} on a thread the
 * line owns; bytes to the line are written by one writer thread, which may block.
 */
public interface SerialLine extends AutoCloseable {
    /** Where bytes read from the line go. */
    interface Receiver {
        /** Bytes read from the line; valid only during the call. May block (that holds the line back). */
        void bytes(byte[] buf, int off, int len);

        /** The line ended (end of file, the process exited, the socket closed) or failed. */
        void ended(String why);
    }

    /** What this line is, for status lines: {@code pty /dev/pts/3}, {@code exec "qemu ..."}. */
    String describe();

    /** Starts reading the line; called once. */
    void start(Receiver receiver) throws IOException;

    /** Writes to the line; blocks while the line is slow. One writer thread at a time. */
    void write(byte[] buf, int off, int len) throws IOException;

    /** Stops reading and releases the line (a child process is ended). Idempotent. */
    @Override
    void close();
}
