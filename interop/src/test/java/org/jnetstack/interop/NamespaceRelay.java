package org.jnetstack.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jnetstack.testing.Netns;

/**
 * Reaches a TCP port on a namespace's own loopback (where chromedriver listens) from the test
 * JVM, which runs in the root namespace: a listener on the JVM's loopback whose every connection
 * is carried into the namespace by {@code ip netns exec NS nc -N 127.0.0.1 PORT}, bytes copied
 * both ways. No address is configured anywhere and nothing listens outside loopback.
 */
final class NamespaceRelay implements AutoCloseable {
    private final Netns ns;
    private final int targetPort;
    private final ServerSocket listener;
    private final List<Process> processes = new ArrayList<>();
    private final Thread acceptor;

    NamespaceRelay(Netns ns, int targetPort) throws IOException {
        this.ns = ns;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("relay to " + ns + ":" + targetPort).start(this::acceptLoop);
    }

    /** The JVM-side port: connecting to 127.0.0.1 on it reaches the namespace's 127.0.0.1:targetPort. */
    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "nc", "-N", "127.0.0.1",
                        Integer.toString(targetPort)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                synchronized (processes) {
                    processes.add(p);
                }
                pump(s.getInputStream(), p.getOutputStream(), () -> p.getOutputStream().close());
                pump(p.getInputStream(), s.getOutputStream(), () -> {
                    s.close();
                    p.destroy();
                });
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private interface Closer {
        void close() throws IOException;
    }

    private static void pump(InputStream in, OutputStream out, Closer atEnd) {
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side went away: end this direction
            } finally {
                try {
                    atEnd.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        });
    }

    @Override
    public void close() throws IOException {
        listener.close();
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
        }
        for (Process p : all) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
