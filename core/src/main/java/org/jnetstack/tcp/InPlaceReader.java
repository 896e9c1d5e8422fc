package org.jnetstack.tcp;

/**
 * Reads received data where the connection holds it, without copying it out (like an lwIP
 * receive callback that parses the pbufs it is handed): see {@link TcpConnection#readInPlace}.
 *
 * <p>Callers keep one instance and pass it on every call, so reading allocates nothing.
 */
@FunctionalInterface
public interface InPlaceReader {
    /**
     * Reads up to {@code len} received in-order bytes at {@code buf[off..]} and returns how many
     * of them, from {@code off} on, it consumed (0..len); the rest stay readable. {@code buf} is
     * the receive buffer itself, valid only during this call: the stack overwrites it with later
     * data, so the bytes must not be kept or changed. Must not call back into the connection.
     */
    int take(byte[] buf, int off, int len);
}
