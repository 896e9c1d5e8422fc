package org.jnetstack.link;

import java.time.Duration;

/**
 * How a {@link StreamDevice} is opened. Every option, its default and why:
 *
 * <ul>
 *   <li>{@code mtu} (default {@value #DEFAULT_MTU}): the largest IP packet on the link, as the guest
 *   is configured (virtio-net's default is 1500; passt uses 65520). A frame longer than the MTU plus
 *   {@value #MAX_LINK_HEADER} bytes (Ethernet header and one 802.1Q tag) has a bogus length: the
 *   connection is dropped (see {@link StreamDevice}).</li>
 *   <li>{@code readBufferBytes} (default {@value #DEFAULT_READ_BUFFER_BYTES}): what one
 *   {@code read(2)} takes from the socket, so one system call brings in a batch of frames (about
 *   170 full 1,514-byte frames); frames that lie whole in it are handed to the stack where they
 *   lie. Fixed at open: the memory one connection costs does not depend on the peer.</li>
 *   <li>{@code writeBufferBytes} (default {@value #DEFAULT_WRITE_BUFFER_BYTES}): frames sent during
 *   one loop iteration are gathered here and written with one {@code write(2)} at its end. When the
 *   peer does not read (a paused guest), this is all that is held for it: a frame that finds the
 *   buffer full is dropped and counted ({@code tx.dropped.full}), as a NIC with a full ring
 *   drops, and TCP above recovers. 256 KiB is four times a Linux socket's default receive buffer
 *   for a Unix stream and far above one iteration's output.</li>
 *   <li>{@code reconnectInterval} (default 1 s): for a device that connects to its peer (QEMU
 *   listening with {@code server=on}), how long it waits before trying again when the peer is not
 *   there or has gone. One attempt a second costs nothing measurable, and a guest's TCP
 *   retransmits across a gap of that size.</li>
 * </ul>
 */
public record StreamOptions(int mtu, int readBufferBytes, int writeBufferBytes, Duration reconnectInterval) {
    public static final int DEFAULT_MTU = 1500;
    public static final int DEFAULT_READ_BUFFER_BYTES = 256 * 1024;
    public static final int DEFAULT_WRITE_BUFFER_BYTES = 256 * 1024;
    public static final Duration DEFAULT_RECONNECT_INTERVAL = Duration.ofSeconds(1);
    /** Ethernet header (14) plus one 802.1Q tag (4). */
    public static final int MAX_LINK_HEADER = 18;
    /** The length prefix of every frame on the stream: a 32-bit big-endian integer. */
    public static final int LENGTH_PREFIX = 4;

    public StreamOptions {
        if (mtu < 68 || mtu > 65_535) {
            throw new IllegalArgumentException("MTU must be 68-65535 bytes: " + mtu);
        }
        if (readBufferBytes < 2048 || readBufferBytes > 16 << 20) {
            throw new IllegalArgumentException("read buffer must be 2 KiB-16 MiB: " + readBufferBytes);
        }
        if (reconnectInterval == null || reconnectInterval.isNegative() || reconnectInterval.isZero()) {
            throw new IllegalArgumentException("reconnect interval must be positive: " + reconnectInterval);
        }
        int least = 2 * (LENGTH_PREFIX + mtu + MAX_LINK_HEADER);
        if (writeBufferBytes < least || writeBufferBytes > 64 << 20) {
            throw new IllegalArgumentException("write buffer must hold two of the largest frames (" + least
                    + " bytes at MTU " + mtu + ") and at most 64 MiB: " + writeBufferBytes);
        }
    }

    public static StreamOptions defaults() {
        return new StreamOptions(DEFAULT_MTU, DEFAULT_READ_BUFFER_BYTES, DEFAULT_WRITE_BUFFER_BYTES, DEFAULT_RECONNECT_INTERVAL);
    }

    /** The given MTU; the write buffer grows to hold two of its largest frames if it must. */
    public StreamOptions withMtu(int newMtu) {
        int least = 2 * (LENGTH_PREFIX + newMtu + MAX_LINK_HEADER);
        return new StreamOptions(newMtu, readBufferBytes, Math.max(writeBufferBytes, least), reconnectInterval);
    }

    public StreamOptions withReadBufferBytes(int bytes) {
        return new StreamOptions(mtu, bytes, writeBufferBytes, reconnectInterval);
    }

    public StreamOptions withWriteBufferBytes(int bytes) {
        return new StreamOptions(mtu, readBufferBytes, bytes, reconnectInterval);
    }

    public StreamOptions withReconnectInterval(Duration interval) {
        return new StreamOptions(mtu, readBufferBytes, writeBufferBytes, interval);
    }

    /** The longest frame the link carries: the MTU plus the Ethernet header and one VLAN tag. */
    public int maxFrame() {
        return mtu + MAX_LINK_HEADER;
    }
}
