package org.jnetstack.socket.jdk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import javax.net.ServerSocketFactory;
import org.jnetstack.NetStack;
import org.jnetstack.dns.NameResolver;

/**
 * A {@link ServerSocketFactory} whose server sockets are real {@link ServerSocket} objects
 * listening on a {@link NetStack}; what they accept are {@link Socket}s over the stack. Hand it
 * to servers that take a factory (Apache HttpCore5's {@code ServerBootstrap
 * .setServerSocketFactory(...)}, ...).
 *
 * <pre>{@code
 * try (ServerSocket server = StackServerSocketFactory.of(stack).createServerSocket(8080)) {
 *     Socket client = server.accept();
 * }
 * }</pre>
 */
public final class StackServerSocketFactory extends ServerSocketFactory {
    private final NetStack stack;
    private final NameResolver resolver;

    private StackServerSocketFactory(NetStack stack, NameResolver resolver) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    public static StackServerSocketFactory of(NetStack stack) {
        return new StackServerSocketFactory(stack, NameResolver.literalsOnly());
    }

    public static StackServerSocketFactory of(NetStack stack, NameResolver resolver) {
        return new StackServerSocketFactory(stack, resolver);
    }

    public NetStack stack() {
        return stack;
    }

    /** An unbound server socket: set options, then {@code bind}. */
    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new StackServerSocket(stack, resolver);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return createServerSocket(port, 50, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        ServerSocket s = createServerSocket();
        try {
            s.bind(new InetSocketAddress(ifAddress, port), backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * {@link ServerSocket}'s constructor taking a SocketImpl is protected, and its {@code accept}
     * would want a JVM-wide client factory for a custom impl: ours hands {@code implAccept} a
     * socket that already has its own impl.
     */
    static final class StackServerSocket extends ServerSocket {
        private final NetStack stack;
        private final NameResolver resolver;

        StackServerSocket(NetStack stack, NameResolver resolver) {
            super(new StackSocketImpl(stack, resolver));
            this.stack = stack;
            this.resolver = resolver;
        }

        @Override
        public Socket accept() throws IOException {
            if (isClosed()) {
                throw new java.net.SocketException("Socket is closed");
            }
            if (!isBound()) {
                throw new java.net.SocketException("Socket is not bound yet");
            }
            Socket s = new StackSocketFactory.StackSocket(new StackSocketImpl(stack, resolver));
            implAccept(s);
            return s;
        }
    }
}
