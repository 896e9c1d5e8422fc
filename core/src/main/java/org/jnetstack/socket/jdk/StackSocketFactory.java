package org.jnetstack.socket.jdk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import org.jnetstack.dns.AddressOrder;
import java.util.Objects;
import javax.net.SocketFactory;
import org.jnetstack.NetStack;
import org.jnetstack.dns.NameResolver;

/**
 * A {@link SocketFactory} whose sockets are real {@link Socket} objects running over a
 * {@link NetStack} — hand it to anything that takes a socket factory (JSSE's
 * {@code SSLSocketFactory.createSocket(socket, host, port, true)}, OkHttp's
 * {@code socketFactory(...)}, JDBC drivers, ...). Host names resolve through the given
 * {@link NameResolver}, never the JVM's.
 *
 * <pre>{@code
 * SocketFactory factory = StackSocketFactory.of(stack, resolver);
 * try (Socket s = factory.createSocket("example.org", 80)) { ... }
 * }</pre>
 *
 * <p>Each socket is a plain {@code java.net.Socket} over a {@link StackSocketImpl} (the stack's
 * blocking TCP socket underneath): its {@code getChannel()} is null, as for any socket not made
 * by a channel. Code written against {@code java.nio} channels (the JDK's {@code HttpClient} and
 * {@code HttpServer}, Netty, Jetty) does not take socket factories: give it
 * {@code org.jnetstack.socket.nio.StackSelectorProvider} instead. For a whole JVM,
 * {@link StackSocketImplFactory#installJvmWide} makes every {@code new Socket()} one of these.
 */
public final class StackSocketFactory extends SocketFactory {
    private final NetStack stack;
    private final NameResolver resolver;

    private StackSocketFactory(NetStack stack, NameResolver resolver) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Sockets that connect to dotted-quad addresses only. */
    public static StackSocketFactory of(NetStack stack) {
        return new StackSocketFactory(stack, NameResolver.literalsOnly());
    }

    public static StackSocketFactory of(NetStack stack, NameResolver resolver) {
        return new StackSocketFactory(stack, resolver);
    }

    public NetStack stack() {
        return stack;
    }

    public NameResolver resolver() {
        return resolver;
    }

    /** An unconnected socket: set options, then {@code connect}. */
    @Override
    public Socket createSocket() throws IOException {
        return new StackSocket(new StackSocketImpl(stack, resolver));
    }

    /** Resolves {@code host} (A and AAAA) and connects by Happy Eyeballs (RFC 8305); the last failure is thrown. */
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return createSocket(host, port, null, 0);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        if (localHost == null && localPort == 0) {
            // By name over both families, Happy Eyeballs (RFC 8305): the winner of racing attempts.
            Socket s = createSocket();
            try {
                s.connect(InetSocketAddress.createUnresolved(host, port));
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
        List<InetAddress> addresses = AddressOrder.interleave(resolver.resolve(host));
        IOException last = null;
        for (InetAddress a : addresses) {
            try {
                return createSocket(a, port, localHost, localPort);
            } catch (IOException e) {
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
            }
        }
        throw last;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return createSocket(host, port, null, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        Socket s = createSocket();
        try {
            if (localAddress != null || localPort != 0) {
                s.bind(new InetSocketAddress(localAddress, localPort));
            }
            s.connect(new InetSocketAddress(address, port));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@link Socket}'s constructor taking a SocketImpl is protected: this is the one subclass that calls it. */
    static final class StackSocket extends Socket {
        StackSocket(StackSocketImpl impl) throws SocketException {
            super(impl);
        }
    }
}
