package org.jnetstack.tcp;

/**
 * Writes application data directly into a connection's send buffer (lwIP's {@code tcp_write}
 * without {@code TCP_WRITE_FLAG_COPY}, in spirit): see {@link TcpConnection#writeInPlace}.
 *
 * <p>Callers keep one instance and pass it on every call, so writing allocates nothing.
 */
@FunctionalInterface
public interface InPlaceWriter {
    /**
     * Writes up to {@code len} bytes at {@code buf[off..]} — free space of the send buffer — and
     * returns how many bytes it wrote from {@code off} on (0..len); exactly those are sent. Bytes
     * not written over are sent as they are if counted (a sender of a "static buffer" may count
     * all {@code len} without writing). {@code buf} is valid only during this call: the stack
     * reuses it, so it must not be kept. Must not call back into the connection.
     */
    int fill(byte[] buf, int off, int len);
}
