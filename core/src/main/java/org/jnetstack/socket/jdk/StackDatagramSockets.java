package org.jnetstack.socket.jdk;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Objects;
import org.jnetstack.NetStack;

/**
 * Real {@link DatagramSocket} objects over a {@link NetStack}, for code written against
 * java.net's UDP API (a DNS or TFTP library, say).
 *
 * <pre>{@code
 * try (DatagramSocket s = StackDatagramSockets.bind(stack, 0)) {
 *     s.send(new DatagramPacket(query, query.length, server, 53));
 *     s.setSoTimeout(2000);
 *     s.receive(answer);
 * }
 * }</pre>
 */
public final class StackDatagramSockets {
    private StackDatagramSockets() {
    }

    /** An unbound socket: set options, then {@code bind} (sending binds an ephemeral port first). */
    public static DatagramSocket create(NetStack stack) {
        return new StackDatagramSocket(new StackDatagramSocketImpl(Objects.requireNonNull(stack, "stack")));
    }

    /** A socket bound to {@code port} (0: ephemeral) on every local address. */
    public static DatagramSocket bind(NetStack stack, int port) throws SocketException {
        DatagramSocket s = create(stack);
        try {
            s.bind(new InetSocketAddress(port));
            return s;
        } catch (SocketException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@link DatagramSocket}'s constructor taking an impl is protected. */
    private static final class StackDatagramSocket extends DatagramSocket {
        StackDatagramSocket(StackDatagramSocketImpl impl) {
            super(impl);
        }
    }
}
