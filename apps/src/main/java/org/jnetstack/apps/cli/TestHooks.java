package org.jnetstack.apps.cli;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;

/**
 * Test hooks of {@code jns run} and the other commands, for the interop tests of the stack's failure path
 * ({@code LoopFailureCommandLineTest}). Off unless the JVM is started with
 * {@code -Djns.test.faultPort=PORT}: only whoever starts the process can turn them on (never the
 * network, the config file or the admin page), and the property is read once at startup.
 *
 * <p>With it, the stack listens on UDP port PORT ({@code jns gateway}, which has no stack: the
 * host's 127.0.0.1 port PORT), and a datagram whose payload is
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

    /**
     * The port {@value #FAULT_PORT} asks for, or null when it is not set.
     *
     * @throws IllegalArgumentException when it is set to something else than a port number
     */
    static Integer faultPort() {
        String port = System.getProperty(FAULT_PORT);
        if (port == null) {
            return null;
        }
        int p;
        try {
            p = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("-D" + FAULT_PORT + "=" + port + ": expected a UDP port number 1-65535");
        }
        return p;
    }

    /** Installs the hooks on the launcher's stack at {@code port} (from {@link #faultPort()}; null: none). */
    static void install(StackLauncher launcher, Integer port) {
        if (port == null) {
            return;
        }
        launcher.loop().execute(() -> launcher.stack().udp().open(port, TestHooks::onDatagram));
        System.err.println("jns: test hook: faults on request at UDP port " + port + " (" + FAULT_PORT + ")");
    }

    /**
     * For {@code jns gateway}, which has no stack of its own: the hooks at UDP port {@code port}
     * of the host's loopback (127.0.0.1), each request run on {@code loop} (null port: none).
     */
    static void installOnHost(EventLoop loop, Integer port) throws java.io.IOException {
        if (port == null) {
            return;
        }
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread.ofPlatform().daemon().name("jns-test-hook").start(() -> {
            byte[] buf = new byte[64];
            try (socket) {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    String what = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).trim();
                    loop.execute(() -> fault(what));
                }
            } catch (java.io.IOException | IllegalStateException stopped) {
                // the loop or the socket is gone: no more requests
            }
        });
        System.err.println("jns: test hook: faults on request at UDP port 127.0.0.1:" + port + " (" + FAULT_PORT + ")");
    }

    private static void onDatagram(UdpEndpoint endpoint, int srcIp, int srcPort, byte[] buf, int off, int len) {
        fault(new String(buf, off, len, StandardCharsets.US_ASCII).trim());
    }

    private static void fault(String what) {
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
