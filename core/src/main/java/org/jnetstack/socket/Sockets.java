package org.jnetstack.socket;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.jnetstack.NetStack;
import org.jnetstack.dns.NameResolver;

/**
 * Blocking sockets on one stack, with host names resolved by a {@link NameResolver} — the
 * starting point of the blocking API.
 *
 * <pre>{@code
 * Sockets sockets = Sockets.of(stack, resolver);
 * try (TcpSocket s = sockets.connect("example.org", 80)) { ... }
 * try (TcpServerSocket server = sockets.listen(8080)) { TcpSocket c = server.accept(); ... }
 * try (UdpSocket u = sockets.udp()) { ... }
 * }</pre>
 */
public final class Sockets {
    private final NetStack stack;
    private final NameResolver resolver;

    private Sockets(NetStack stack, NameResolver resolver) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Sockets that accept only dotted-quad addresses (no DNS). */
    public static Sockets of(NetStack stack) {
        return new Sockets(stack, NameResolver.literalsOnly());
    }

    public static Sockets of(NetStack stack, NameResolver resolver) {
        return new Sockets(stack, resolver);
    }

    public NetStack stack() {
        return stack;
    }

    public NameResolver resolver() {
        return resolver;
    }

    /** Connects to {@code host:port} without a timeout of our own (TCP's SYN retries end it). */
    public TcpSocket connect(String host, int port) throws IOException {
        return connect(host, port, Duration.ZERO);
    }

    /**
     * Resolves {@code host} (A and AAAA) and connects over both families, Happy Eyeballs v2
     * (RFC 8305, see {@link TcpSocket#connect(String, int, NameResolver, int)}): the first address
     * to answer wins; the last failure is thrown when none does. {@code timeout} (zero: none)
     * bounds the whole.
     */
    public TcpSocket connect(String host, int port, Duration timeout) throws IOException {
        TcpSocket s = new TcpSocket(stack);
        s.connect(host, port, resolver, Math.toIntExact(timeout.toMillis()));
        return s;
    }

    /** Listens on {@code port} (0: ephemeral) of every local address, with the configured backlog. */
    public TcpServerSocket listen(int port) throws IOException {
        return listen(port, 0);
    }

    /** Listens with at most {@code backlog} established connections waiting for accept (0: configured default). */
    public TcpServerSocket listen(int port, int backlog) throws IOException {
        TcpServerSocket s = new TcpServerSocket(stack);
        try {
            s.bind(null, port, backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A UDP socket on an ephemeral port. */
    public UdpSocket udp() throws IOException {
        return new UdpSocket(stack);
    }

    /** A UDP socket on {@code port}. */
    public UdpSocket udp(int port) throws IOException {
        return new UdpSocket(stack, port);
    }
}
