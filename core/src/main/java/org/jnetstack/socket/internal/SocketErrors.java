package org.jnetstack.socket.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A connection's error is recorded once on the loop thread and thrown on every later call in
 * the caller's thread: each throw gets a fresh exception of the same java.net type and message
 * (so its stack trace shows the caller), with the original as its cause. For the blocking
 * sockets and the NIO channels alike.
 */
public final class SocketErrors {
    private SocketErrors() {
    }

    public static IOException rethrown(IOException e) {
        IOException copy = switch (e) {
            case ConnectException c -> new ConnectException(c.getMessage());
            case NoRouteToHostException n -> new NoRouteToHostException(n.getMessage());
            case PortUnreachableException p -> new PortUnreachableException(p.getMessage());
            case BindException b -> new BindException(b.getMessage());
            case SocketTimeoutException t -> new SocketTimeoutException(t.getMessage());
            case SocketException s -> new SocketException(s.getMessage());
            default -> new IOException(e.getMessage());
        };
        copy.initCause(e);
        return copy;
    }

    /** What a call on a socket the application closed throws. */
    public static SocketException closed() {
        return new SocketException("Socket closed");
    }
}
