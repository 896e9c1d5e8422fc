package org.jnetstack.socket.jdk;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.net.SocketImplFactory;
import java.util.Objects;
import org.jnetstack.NetStack;
import org.jnetstack.dns.NameResolver;

/**
 * A {@link SocketImplFactory} whose sockets run on a {@link NetStack}: installed JVM-wide with
 * {@link #installJvmWide}, every {@code new Socket(...)} and {@code new ServerSocket(...)} of
 * the JVM — also in code that takes no socket factory — is a socket on the stack. That is for a
 * JVM that runs on the stack as a whole ({@code jns java}); a program that shares its JVM with
 * others should hand out {@link StackSocketFactory} and {@link StackServerSocketFactory} instead.
 *
 * <p>The JDK allows it once per JVM and deprecates the setters (without a replacement); it
 * leaves alone sockets made by {@code SocketChannel.socket()} (that is the
 * {@code SelectorProvider}'s business) and sockets made through a {@code Proxy}.
 * {@link #installJvmWide} also moves {@code DatagramSocket} (and so {@code MulticastSocket},
 * without multicast) to the stack.
 */
public final class StackSocketImplFactory implements SocketImplFactory {
    private final NetStack stack;
    private final NameResolver resolver;

    /** Sockets on {@code stack}; names given to {@code connect} resolve through {@code resolver}. */
    public StackSocketImplFactory(NetStack stack, NameResolver resolver) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    @Override
    public SocketImpl createSocketImpl() {
        return new StackSocketImpl(stack, resolver);
    }

    /**
     * Makes every {@code Socket}, {@code ServerSocket} and {@code DatagramSocket} the JVM creates
     * from now on one on {@code stack} ({@code Socket.setSocketImplFactory},
     * {@code ServerSocket.setSocketFactory}, {@code DatagramSocket.setDatagramSocketImplFactory}).
     *
     * @throws IOException if a factory was set already (the JDK's {@code SocketException})
     */
    @SuppressWarnings("deprecation") // the JDK's only way to change the implementation of every Socket
    public static void installJvmWide(NetStack stack, NameResolver resolver) throws IOException {
        StackSocketImplFactory f = new StackSocketImplFactory(stack, resolver);
        Socket.setSocketImplFactory(f);
        ServerSocket.setSocketFactory(f);
        DatagramSocket.setDatagramSocketImplFactory(() -> new StackDatagramSocketImpl(stack));
    }
}
