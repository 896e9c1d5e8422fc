package org.jnetstack.apps.cli;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import org.jnetstack.udp.UdpEndpoint;

/**
 * Test hooks of {@code jns run}, for the interop tests of the stack's failure path
 * ({@code LoopFailureCommandLineTest}). Off unless the JVM is started with
 * {@code -Djns.test.faultPort=PORT}: only whoever starts the process can turn them on (never the
 * network, the config file or the admin page), and the property is read once at startup.
 *
 * <p>With it, the stack listens on UDP port PORT, and a datagram whose payload is
 * <ul>
 *   <li>{@code error} makes the handler throw an {@link Error} (the stack must stop, jns exit 1);</li>
 *   <li>{@code exception} makes it throw an {@link IllegalStateException} (contained, counted);</li>
 *   <li>{@code hang} blocks the event-loop thread for ever (SIGTERM must still end the process).</li>
 * </ul>
 * Anything else is ignored.
 */
final class TestHooks {
    /** The system property that turns the hooks on. */
    static final String FAULT_PORT = "jns.test.faultPort";

    private TestHooks() {
    }

    /** Installs the hooks on the launcher's stack if {@value #FAULT_PORT} is set. */
    static void install(StackLauncher launcher) {
        String port = System.getProperty(FAULT_PORT);
        if (port == null) {
            return;
        }
        int p = Integer.parseInt(port.trim());
        launcher.loop().execute(() -> launcher.stack().udp().open(p, TestHooks::onDatagram));
        System.err.println("jns: test hook: faults on request at UDP port " + p + " (" + FAULT_PORT + ")");
    }

    private static void onDatagram(UdpEndpoint endpoint, int srcIp, int srcPort, byte[] buf, int off, int len) {
        String what = new String(buf, off, len, StandardCharsets.US_ASCII).trim();
        switch (what) {
            case "error" -> throw new Error("test hook: an Error thrown by a UDP handler on request");
            case "exception" -> throw new IllegalStateException("test hook: an exception thrown by a UDP handler on request");
            case "hang" -> {
                while (true) {
                    LockSupport.park();
                }
            }
            default -> {
                // not a request
            }
        }
    }
}
