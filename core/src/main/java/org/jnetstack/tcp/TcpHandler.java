package org.jnetstack.tcp;

import java.io.IOException;

/**
 * Events of one connection, called on the loop thread (lwIP's tcp_connected / tcp_recv /
 * tcp_sent / tcp_err). Every method has an empty default, so a handler implements what it needs.
 */
public interface TcpHandler {
    /** The handshake completed (active open). */
    default void onConnected(TcpConnection c) {
    }

    /**
     * Data can be read ({@link TcpConnection#readable()} &gt; 0). The receive window reopens only
     * as {@link TcpConnection#read} takes bytes: not reading is how an application pushes back.
     */
    default void onReceive(TcpConnection c) {
    }

    /** The peer sent FIN: no more data will arrive after what is readable now. */
    default void onEndOfInput(TcpConnection c) {
    }

    /** The peer acknowledged {@code bytes}; that much send-buffer space is free again. */
    default void onSent(TcpConnection c, int bytes) {
    }

    /**
     * The connection failed: {@code ConnectException} (refused), {@code SocketException}
     * (reset), {@code SocketTimeoutException} (retries exhausted). No more events follow.
     */
    default void onError(TcpConnection c, IOException error) {
    }

    /** The connection is over in both directions (entered TIME_WAIT or CLOSED without error). */
    default void onClosed(TcpConnection c) {
    }

    /**
     * The stack is ending every connection ({@code NetStack.endConnections}), as a host's kernel
     * does for a program that exits. The default closes the connection
     * ({@link TcpConnection#close()}: FIN after the queued data, or RST with received data
     * unread); a handler that holds data of its own (a socket's buffers) overrides this to send
     * that first and then close.
     */
    default void onStackEnding(TcpConnection c) {
        c.close();
    }
}
