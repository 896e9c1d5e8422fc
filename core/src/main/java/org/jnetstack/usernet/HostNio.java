package org.jnetstack.usernet;

import java.nio.channels.spi.SelectorProvider;

/**
 * The JDK's own {@link SelectorProvider}, through which the gateway opens every host socket and
 * its selector. Not {@link SelectorProvider#provider()}: when a program runs with jnetstack as the
 * JVM-wide provider ({@code -Djava.nio.channels.spi.SelectorProvider=...StackSelectorProvider},
 * as {@code jns java} does), {@code SocketChannel.open()} and friends give channels on the stack,
 * and the gateway that carries that stack's traffic to the host would be talking to itself.
 *
 * <p>The JDK keeps its built-in provider in {@code sun.nio.ch.DefaultSelectorProvider}; it is
 * needed only in that case, and only then does the JVM need {@code --add-exports
 * java.base/sun.nio.ch=ALL-UNNAMED} (or {@code =org.jnetstack.core} on the module path). The
 * provider cannot be captured before ours is installed instead: the JVM-wide one is fixed by the
 * first call to {@code provider()}, which is ours from the start.
 */
final class HostNio {
    private static final SelectorProvider PROVIDER = find();

    private HostNio() {
    }

    /** The JDK's built-in provider; throws {@link IllegalStateException} saying what to do if it is out of reach. */
    static SelectorProvider provider() {
        if (PROVIDER == null) {
            throw new IllegalStateException("the user-mode network opens host sockets through the JDK's own "
                    + "SelectorProvider, but " + SelectorProvider.provider().getClass().getName() + " is the JVM-wide one "
                    + "and the JDK's is not exported: run the JVM with --add-exports java.base/sun.nio.ch=ALL-UNNAMED");
        }
        return PROVIDER;
    }

    private static SelectorProvider find() {
        SelectorProvider global = SelectorProvider.provider();
        if (global.getClass().getName().startsWith("sun.nio.ch.")) {
            return global;
        }
        try {
            return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
