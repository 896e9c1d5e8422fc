package org.jnetstack.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolver.LookupPolicy;

/**
 * The host's own name resolution (the JDK's built-in resolver: /etc/hosts, then the system's DNS),
 * for code that must ask the host even when the stack's resolver answers the JVM's
 * {@code InetAddress} lookups — the user-mode gateway's DNS forwarder, which would otherwise ask
 * the stack, which asks the forwarder.
 *
 * <p>A resolver provider that takes over the JVM's lookups hands the built-in resolver it is given
 * to {@link #useBuiltin}; until one does, {@link #lookup} is {@link InetAddress#getAllByName}.
 */
public final class HostResolver {
    private static volatile InetAddressResolver builtin;

    private HostResolver() {
    }

    /** Called by a JVM-wide {@code InetAddressResolverProvider} with the JDK's built-in resolver. */
    public static void useBuiltin(InetAddressResolver resolver) {
        builtin = resolver;
    }

    /** Every address of {@code name} (IPv4 and IPv6) as the host resolves it. */
    public static InetAddress[] lookup(String name) throws UnknownHostException {
        InetAddressResolver r = builtin;
        if (r == null) {
            return InetAddress.getAllByName(name);
        }
        InetAddress literal = Literals.parse(name);
        if (literal != null) {
            return new InetAddress[] {literal};
        }
        return r.lookupByName(name, LookupPolicy.of(LookupPolicy.IPV4 | LookupPolicy.IPV6)).toArray(InetAddress[]::new);
    }
}
