package org.jnetstack.apps.httpd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.net.ServerSocketFactory;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.impl.HttpProcessors;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.support.BasicHttpServerRequestHandler;

/**
 * An HTTP/1.1 server on a {@link ServerSocketFactory} — the stack's, so a page is served by our
 * own TCP — with one handler for every path. Shared by the admin page and {@code --www}.
 * Apache HttpCore5 parses and writes the messages; this class owns the connections, so that what a
 * client can make it hold is bounded ({@link HttpLimits}): each accepted connection takes a slot
 * (per server and per source address) and runs on a virtual thread; without a slot it is answered
 * 503 with {@code Retry-After} and closed (RFC 9110 §15.6.4) — unless an idle keep-alive
 * connection of that source (or, when the server is full, of any source) can be closed to make
 * room (RFC 9112 §9.8 lets a server close an idle connection at any time; clients retry), so idle
 * connections cannot keep others out. Request heads are bounded in line length, header count,
 * size and time ({@link HttpConnection}); a connection whose response write has waited longer than
 * the idle timeout (a client that does not read) is closed by a watchdog.
 */
public final class StackHttpServer implements AutoCloseable {
    private static final int BACKLOG = 128;
    /** Seconds a client told 503 should wait before trying again. */
    private static final int RETRY_AFTER_SECONDS = 1;

    private final ServerSocket listener;
    private final HttpLimits limits;
    private final HttpService service;
    private final Http1Config http1;
    private final ConnectionSlots slots;
    /** Refused connections being answered and drained: no more than the server serves. */
    private final Semaphore refusing;
    private final ServerCounters counters = new ServerCounters();
    private final Map<Socket, Served> open = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean closed;

    private StackHttpServer(ServerSocket listener, HttpLimits limits, HttpRequestHandler handler) {
        this.listener = listener;
        this.limits = limits;
        this.http1 = Http1Config.custom()
                .setMaxLineLength(limits.maxLineBytes())
                .setMaxHeaderCount(limits.maxHeaders() + 1) // HttpCore5 refuses a head with this many or more
                .build();
        this.service = new HttpService(HttpProcessors.server(), new BasicHttpServerRequestHandler((request, context) -> handler),
                http1, DefaultConnectionReuseStrategy.INSTANCE, new HeadListener());
        this.slots = new ConnectionSlots(limits.maxConnections(), limits.maxConnectionsPerSource());
        this.refusing = new Semaphore(limits.maxConnections());
        this.acceptor = Thread.ofPlatform().daemon().name("jns-http-" + listener.getLocalPort()).unstarted(this::acceptLoop);
        this.watchdog = Thread.ofVirtual().name("jns-http-watchdog").unstarted(this::watchWrites);
    }

    /** A connection being served: its source (for its slot) and its clock. The slot is given back once. */
    private final class Served {
        final InetAddress source;
        final RequestHeadClock clock;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        Served(InetAddress source, RequestHeadClock clock) {
            this.source = source;
            this.clock = clock;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                slots.release(source);
            }
        }
    }

    /** Starts serving on {@code port} (0: any free port) of {@code bindAddress} with the default limits. */
    public static StackHttpServer start(ServerSocketFactory sockets, InetAddress bindAddress, int port, HttpRequestHandler handler)
            throws IOException {
        return start(sockets, bindAddress, port, HttpLimits.DEFAULTS, handler);
    }

    /** Starts serving on {@code port} (0: any free port) of {@code bindAddress}. */
    public static StackHttpServer start(ServerSocketFactory sockets, InetAddress bindAddress, int port, HttpLimits limits,
            HttpRequestHandler handler) throws IOException {
        ServerSocket listener = sockets.createServerSocket(port, BACKLOG, bindAddress);
        StackHttpServer server = new StackHttpServer(listener, limits, handler);
        server.acceptor.start();
        server.watchdog.start();
        return server;
    }

    public int port() {
        return listener.getLocalPort();
    }

    public HttpLimits limits() {
        return limits;
    }

    /**
     * Connections accepted, and those refused or closed by reason: 503 busy, 408 head timeout,
     * 414/431 too large, write stalls, idle connections closed to make room.
     */
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    /** Connections accepted and not yet ended (for tests). */
    int openConnections() {
        return open.size();
    }

    /** Connections in the middle of a request head: its first bytes read, not yet all of it (for tests). */
    int headsInProgress() {
        return (int) open.values().stream().filter(c -> c.clock.phase() == RequestHeadClock.Phase.HEAD).count();
    }

    /** Connections waiting for a request with nothing of it read (for tests: eviction takes only these). */
    int idleConnections() {
        return (int) open.values().stream().filter(c -> c.clock.idle()).count();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (closed || listener.isClosed()) {
                    return;
                }
                continue; // one failed accept (a connection reset while queued) does not stop the server
            }
            counters.accepted.increment();
            InetAddress source = s.getInetAddress();
            if (!slots.tryTake(source) && !(evictIdle(source) && slots.tryTake(source))) {
                refuseBusy(s);
                continue;
            }
            Served served = new Served(source, new RequestHeadClock(s, limits));
            open.put(s, served);
            try {
                Thread.ofVirtual().name("jns-http-conn").start(() -> {
                    try {
                        HttpConnection.serve(s, served.clock, service, http1, limits, counters);
                    } finally {
                        open.remove(s);
                        served.release();
                    }
                });
            } catch (RuntimeException | OutOfMemoryError e) {
                open.remove(s);
                served.release();
                HttpConnection.closeQuietly(s);
            }
        }
    }

    /**
     * Closes one idle keep-alive connection to free a slot for a new one from {@code source}: one of
     * the same source when that source is at its limit, else (the server is full) any. False when
     * none is idle.
     */
    private boolean evictIdle(InetAddress source) {
        boolean sourceFull = slots.sourceFull(source);
        for (Map.Entry<Socket, Served> e : open.entrySet()) {
            Served c = e.getValue();
            if ((!sourceFull || c.source.equals(source)) && c.clock.idle()) {
                counters.idleEvicted.increment();
                c.release(); // now, so the slot is free for the caller; the connection's thread will not give it back again
                HttpConnection.closeQuietly(e.getKey());
                return true;
            }
        }
        return false;
    }

    /** Closes connections whose response write has waited longer than the idle timeout: a client that does not read. */
    private void watchWrites() {
        long limit = limits.idleTimeout().toNanos();
        long period = Math.max(10, Math.min(1000, limits.idleTimeout().toMillis() / 4));
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Map.Entry<Socket, Served> e : open.entrySet()) {
                if (e.getValue().clock.writeStalled(now, limit)) {
                    counters.writeStalls.increment();
                    HttpConnection.closeQuietly(e.getKey());
                }
            }
        }
    }

    private void refuseBusy(Socket s) {
        counters.refusedBusy.increment();
        if (!refusing.tryAcquire()) {
            HttpConnection.closeQuietly(s); // already answering as many refusals as we serve: just close
            return;
        }
        Thread.ofVirtual().name("jns-http-busy").start(() -> {
            try {
                HttpConnection.refuse(s, 503, "Service Unavailable", "too many connections: at most "
                        + limits.maxConnections() + " in all and " + limits.maxConnectionsPerSource()
                        + " from one address; try again shortly", "Retry-After: " + RETRY_AFTER_SECONDS);
            } finally {
                refusing.release();
            }
        });
    }

    /** Stops accepting and closes every connection at once. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open.keySet()) {
            HttpConnection.closeQuietly(s);
        }
        watchdog.interrupt();
        if (Thread.currentThread() != acceptor) {
            try {
                acceptor.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Tells each connection's {@link RequestHeadClock} where its exchange is. */
    private static final class HeadListener implements org.apache.hc.core5.http.impl.Http1StreamListener {
        @Override
        public void onRequestHead(org.apache.hc.core5.http.HttpConnection conn, org.apache.hc.core5.http.HttpRequest request) {
            if (conn instanceof HttpConnection.Watched w) {
                w.clock.headDone();
            }
        }

        @Override
        public void onResponseHead(org.apache.hc.core5.http.HttpConnection conn, org.apache.hc.core5.http.HttpResponse response) {
        }

        @Override
        public void onExchangeComplete(org.apache.hc.core5.http.HttpConnection conn, boolean keepAlive) {
        }
    }
}
