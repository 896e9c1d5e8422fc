package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.util.Objects;
import java.util.Set;

/**
 * Socket options as the JDK's channels and their java.net adaptors take them, for every channel
 * of this package: the checks {@code setOption}/{@code getOption} make before a value is kept,
 * the rules of the values themselves, and the adaptors' side, which goes through the channel's
 * {@code setOption}/{@code getOption} and speaks {@link SocketException}.
 */
final class ChannelOptions {
    /** The largest buffer the stack takes; larger requests are capped, as a kernel caps them. */
    static final int MAX_BUFFER = 1 << 30;

    /** A channel's own check that it is still open. */
    @FunctionalInterface
    interface OpenCheck {
        void ensureOpen() throws ClosedChannelException;
    }

    private ChannelOptions() {
    }

    // ------------------------------------------------------------------ the channels' side

    /** What {@code setOption} checks, in the JDK's order: a supported name, an open channel, a value. */
    static void checkSet(Set<SocketOption<?>> supported, SocketOption<?> name, Object value, OpenCheck open)
            throws ClosedChannelException {
        checkGet(supported, name, open);
        if (value == null) {
            throw new IllegalArgumentException("Invalid value 'null' for " + name);
        }
    }

    /** What {@code getOption} checks: a supported name, an open channel. */
    static void checkGet(Set<SocketOption<?>> supported, SocketOption<?> name, OpenCheck open) throws ClosedChannelException {
        Objects.requireNonNull(name, "name");
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported; supported: " + supported);
        }
        open.ensureOpen();
    }

    /**
     * SO_SNDBUF/SO_RCVBUF as the JDK takes them: negative is an error, anything else is accepted
     * and kept within what the stack can hold (0 becomes 1 byte, above 1 GiB becomes 1 GiB).
     */
    static int bufferSize(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("Invalid send/receive buffer size");
        }
        return Math.clamp(v, 1, MAX_BUFFER);
    }

    /** IP_TOS: a byte. */
    static int trafficClass(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("Invalid IP_TOS value");
        }
        return tos;
    }

    /** SO_LINGER: negative is off (-1); a time is kept up to 65535 seconds, as Linux keeps it. */
    static int lingerSeconds(int s) {
        return s < 0 ? -1 : Math.min(s, 65535);
    }

    // ------------------------------------------------------------------ the adaptors' side

    /** {@code ch.setOption}, failures told as java.net tells them. */
    static <T> void set(NetworkChannel ch, SocketOption<T> name, T value) throws SocketException {
        try {
            ch.setOption(name, value);
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    /** {@code ch.getOption}, failures told as java.net tells them. */
    static <T> T get(NetworkChannel ch, SocketOption<T> name) throws SocketException {
        try {
            return ch.getOption(name);
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    /** java.net's setSendBufferSize/setReceiveBufferSize: a size that is not positive is refused with {@code refusal}. */
    static void setBufferSize(NetworkChannel ch, SocketOption<Integer> name, int size, String refusal) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException(refusal);
        }
        set(ch, name, size);
    }

    /** java.net's setTrafficClass: a byte. */
    static void setTrafficClass(NetworkChannel ch, int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        set(ch, StandardSocketOptions.IP_TOS, tc);
    }

    /** A channel's IOException as a java.net socket's: a closed channel is "Socket is closed". */
    static SocketException asSocketException(IOException e) {
        if (e instanceof SocketException se) {
            return se;
        }
        SocketException se = new SocketException(e instanceof ClosedChannelException ? "Socket is closed" : e.getMessage());
        se.initCause(e);
        return se;
    }
}
