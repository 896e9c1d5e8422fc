package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import org.jnetstack.NetStack;

/**
 * A {@link SelectorProvider} whose channels and selectors run on a jnetstack {@link NetStack}
 * instead of the host's kernel, so code written against {@code java.nio} runs over the stack.
 *
 * <pre>{@code
 * SelectorProvider provider = new StackSelectorProvider(stack);
 * try (ServerSocketChannel server = provider.openServerSocketChannel();
 *      Selector selector = provider.openSelector()) {
 *     server.bind(new InetSocketAddress(8080)).configureBlocking(false);
 *     server.register(selector, SelectionKey.OP_ACCEPT);
 *     ...
 * }
 * }</pre>
 *
 * <p>Two ways to use it: per instance, handing the provider to code that takes one (Netty's
 * {@code NioIoHandler.newFactory(provider)}, {@code SocketChannel.open} is <em>not</em> such
 * code); or for the whole JVM with {@code -Djava.nio.channels.spi.SelectorProvider=}
 * {@value #GLOBAL_CLASS}, after {@link #installGlobalStack(NetStack)} and before anything
 * calls {@link SelectorProvider#provider()}: the provider the JVM creates from the property uses
 * that stack. Channels and selectors of one provider work only with each other.
 *
 * <p>Unix-domain channels ({@code SocketChannel.open(StandardProtocolFamily.UNIX)}, and the
 * server's), {@link #openPipe()} and {@link #inheritedChannel()} belong to the host, not the
 * network: they are the JDK's own, from {@link #hostProvider()}, so a JVM with this class as its
 * provider keeps them. They work blocking, or with a selector of the host's provider
 * ({@code hostProvider().openSelector()}); registering them with one of this provider's selectors
 * ({@code Selector.open()} in such a JVM) throws {@code IllegalSelectorException}, as mixing
 * providers always does. INET and INET6 channels are both dual stack, as the JDK's INET6 ones.
 */
public final class StackSelectorProvider extends SelectorProvider {
    /** The class name for {@code -Djava.nio.channels.spi.SelectorProvider}. */
    public static final String GLOBAL_CLASS = "org.jnetstack.socket.nio.StackSelectorProvider";

    private static volatile NetStack globalStack;

    private final NetStack stack; // null: the global stack, looked up on each open

    /** A provider over {@code stack}. */
    public StackSelectorProvider(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    /**
     * The provider the JVM makes from {@code -Djava.nio.channels.spi.SelectorProvider}: over the
     * stack given to {@link #installGlobalStack(NetStack)}.
     */
    public StackSelectorProvider() {
        this.stack = null;
    }

    /** The stack the JVM-wide provider (the no-argument constructor) runs on. */
    public static void installGlobalStack(NetStack stack) {
        globalStack = Objects.requireNonNull(stack, "stack");
    }

    /** The stack this provider's channels run on. */
    public NetStack stack() throws IOException {
        NetStack s = stack != null ? stack : globalStack;
        if (s == null) {
            throw new IOException("no network stack for the JVM-wide StackSelectorProvider: call "
                    + "StackSelectorProvider.installGlobalStack(stack) before opening channels");
        }
        return s;
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new StackSelector(this);
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new StackSocketChannel(this, stack());
    }

    /** INET: a channel on the stack; UNIX: the host's (see the class comment). */
    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return hostProvider().openSocketChannel(family);
        }
        checkFamily(family);
        return openSocketChannel();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new StackServerSocketChannel(this, stack());
    }

    /** INET: a channel on the stack; UNIX: the host's (see the class comment). */
    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return hostProvider().openServerSocketChannel(family);
        }
        checkFamily(family);
        return openServerSocketChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return hostProvider().openDatagramChannel(family); // the JDK's own answer (it has no Unix-domain datagrams)
        }
        checkFamily(family);
        return openDatagramChannel();
    }

    private static void checkFamily(ProtocolFamily family) {
        Objects.requireNonNull(family, "family");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("protocol family " + family + " not supported on jnetstack (INET, INET6)");
        }
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return new StackDatagramChannel(this, stack());
    }


    /** The JDK's own pipe: a pipe is an in-process object, not the network's. */
    @Override
    public Pipe openPipe() throws IOException {
        return hostProvider().openPipe();
    }

    /** The channel inherited from the process that started this JVM, if any: the host's, not the stack's. */
    @Override
    public Channel inheritedChannel() throws IOException {
        return hostProvider().inheritedChannel();
    }

    /**
     * The JDK's built-in provider: the host's channels and selectors, for what belongs to the host
     * (Unix-domain sockets, pipes) or a program that wants the host's network beside the stack.
     * When this class is not the JVM-wide provider that is simply {@link SelectorProvider#provider()}.
     * When it is, the JDK offers no public way to reach its own: the JVM-wide provider is fixed at
     * the first call of {@code provider()}, and the built-in one is only {@code
     * sun.nio.ch.DefaultSelectorProvider.get()}, in a package {@code java.base} does not export. So
     * this needs {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} on the command line (as
     * {@code jns java} passes it) or {@code Add-Exports: java.base/sun.nio.ch} in an executable
     * jar's manifest; without it, it throws {@link UnsupportedOperationException} saying so.
     */
    public static SelectorProvider hostProvider() {
        SelectorProvider global = SelectorProvider.provider();
        if (!(global instanceof StackSelectorProvider)) {
            return global;
        }
        SelectorProvider builtIn = BuiltIn.PROVIDER;
        if (builtIn == null) {
            throw new UnsupportedOperationException("with jnetstack as the JVM-wide SelectorProvider, Unix-domain channels, "
                    + "pipes and inherited channels need the JDK's own provider, which it keeps in a package it does not "
                    + "export: run with --add-exports java.base/sun.nio.ch=ALL-UNNAMED (" + BuiltIn.PROBLEM + ")");
        }
        return builtIn;
    }

    /** The JDK's built-in provider, looked up once; null (and why) where its package is not exported to us. */
    private static final class BuiltIn {
        static final SelectorProvider PROVIDER;
        static final String PROBLEM;

        static {
            SelectorProvider p = null;
            String problem = null;
            try {
                p = (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                problem = e.toString();
            }
            PROVIDER = p;
            PROBLEM = problem;
        }
    }

    @Override
    public String toString() {
        return "StackSelectorProvider[" + (stack != null ? stack.name() : "global") + "]";
    }
}
