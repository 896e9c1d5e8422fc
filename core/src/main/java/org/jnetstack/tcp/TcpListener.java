package org.jnetstack.tcp;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.jnetstack.internal.TransportAddresses;

/**
 * A listening port (lwIP's tcp_listen + tcp_accept). Completed connections wait in a bounded
 * accept queue until {@link #accept()} takes them; {@code onAcceptable} is called (loop thread)
 * whenever one arrives. Half-open connections are bounded separately (the SYN queue).
 */
public final class TcpListener {
    private final Tcp tcp;
    private final long localHi;
    private final long localLo;
    private final boolean v6Only;
    private final int port;
    private final int backlog;
    private final TcpConfig connectionConfig;
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private Consumer<TcpListener> onAcceptable;
    /** Connections in SYN-RECEIVED that came in here (the SYN queue, against TcpConfig.synQueue). */
    private int halfOpen;
    /** Connections that came in here and have not ended (half-open, queued, accepted): see TcpConfig.maxConnectionsPerListener. */
    private int connections;
    private boolean closed;

    TcpListener(Tcp tcp, long localHi, long localLo, boolean v6Only, int port, int backlog, TcpConfig connectionConfig,
            Consumer<TcpListener> onAcceptable) {
        this.connectionConfig = connectionConfig;
        this.tcp = tcp;
        this.localHi = localHi;
        this.localLo = localLo;
        this.v6Only = v6Only;
        this.port = port;
        this.backlog = backlog;
        this.onAcceptable = onAcceptable;
    }

    public int port() {
        return port;
    }

    /** The IPv4 address listened on; 0 for none (every address) or an IPv6 one ({@link #localHi}). */
    public int localAddress() {
        return TransportAddresses.isV4(localHi, localLo) ? TransportAddresses.v4(localLo) : 0;
    }

    /** The address listened on in the two-long form (0:0 for none; IPv4 as IPv4-mapped). */
    public long localHi() {
        return localHi;
    }

    public long localLo() {
        return localLo;
    }

    /** Whether this listener, bound to no address, takes IPv6 connections only (IPV6_V6ONLY). */
    public boolean isV6Only() {
        return v6Only;
    }

    /**
     * Whether a segment to {@code hi:lo} (IPv4 as IPv4-mapped) is for this listener: bound to no
     * address, any of either family (IPv6 only if {@link #isV6Only}); else that address alone.
     */
    boolean accepts(long hi, long lo) {
        return TransportAddresses.bindMatches(localHi, localLo, v6Only, hi, lo);
    }

    public int backlog() {
        return backlog;
    }

    /** The config connections accepted here get (buffer sizes, Nagle, keepalive). */
    public TcpConfig connectionConfig() {
        return connectionConfig;
    }

    /** The next established connection, or null. Set its handler with {@link TcpConnection#setHandler}. */
    public TcpConnection accept() {
        return acceptQueue.poll();
    }

    /** Connections that came in through this listener and have not ended yet (any state). */
    public int connections() {
        return connections;
    }

    public int queued() {
        return acceptQueue.size();
    }

    int halfOpen() {
        return halfOpen;
    }

    void halfOpenStarted() {
        halfOpen++;
    }

    void halfOpenEnded() {
        halfOpen--;
    }

    /** A connection came in here (it counts until {@link #released}). */
    void admitted() {
        connections++;
    }

    void released() {
        connections--;
    }

    boolean acceptQueueFull() {
        return acceptQueue.size() >= backlog;
    }

    void established(TcpConnection c) {
        acceptQueue.add(c);
        if (onAcceptable != null) {
            onAcceptable.accept(this);
        }
    }

    void forget(TcpConnection c) {
        acceptQueue.remove(c);
    }

    public void onAcceptable(Consumer<TcpListener> callback) {
        this.onAcceptable = callback;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops listening; connections not yet accepted are reset. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tcp.unlisten(this);
        TcpConnection c;
        while ((c = acceptQueue.poll()) != null) {
            c.abort();
        }
    }

    @Override
    public String toString() {
        return "listen " + (localHi != 0 || localLo != 0 ? TransportAddresses.format(localHi, localLo, port)
                : (v6Only ? "[::]:" : "0.0.0.0:") + port);
    }
}
