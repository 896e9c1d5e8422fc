package org.jnetstack.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses, for code that runs outside the event loop (blocking sockets,
 * {@code java.net} adapters, HTTP clients). An address literal (dotted quad, or IPv6 such as
 * {@code fd00::1}) resolves to itself without any lookup. Implementations are safe to call from any thread except the loop thread that owns the
 * stack they query (that thread must never block).
 */
@FunctionalInterface
public interface NameResolver {

    /**
     * The host's addresses (IPv4 and, where the resolver asks for AAAA, IPv6), in the order to try
     * them; never empty.
     *
     * @throws UnknownHostException when the name does not exist, no server answered, or the name
     *     is not a valid host name; the message names the host and the reason
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** A resolver that accepts only address literals (no DNS configured). */
    static NameResolver literalsOnly() {
        return host -> {
            InetAddress literal = Literals.parse(host);
            if (literal == null) {
                throw new UnknownHostException(host + ": no DNS server configured (only address literals resolve: 10.0.0.1, fd00::1)");
            }
            return List.of(literal);
        };
    }
}
