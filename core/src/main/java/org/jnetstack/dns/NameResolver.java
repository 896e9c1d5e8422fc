package org.jnetstack.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses, for code that runs outside the event loop (blocking sockets,
 * {@code java.net} adapters, HTTP clients). A dotted-quad literal resolves to itself without any
 * lookup. Implementations are safe to call from any thread except the loop thread that owns the
 * stack they query (that thread must never block).
 */
@FunctionalInterface
public interface NameResolver {

    /**
     * The host's IPv4 addresses, in the order to try them; never empty.
     *
     * @throws UnknownHostException when the name does not exist, no server answered, or the name
     *     is not a valid host name; the message names the host and the reason
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** A resolver that accepts only dotted-quad literals (no DNS configured). */
    static NameResolver literalsOnly() {
        return host -> {
            InetAddress literal = Literals.parse(host);
            if (literal == null) {
                throw new UnknownHostException(host + ": no DNS server configured (only IPv4 literals resolve)");
            }
            return List.of(literal);
        };
    }
}
