package org.jnetstack.socket.nio;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Objects;
import java.util.stream.Stream;
import org.jnetstack.dns.HostResolver;
import org.jnetstack.dns.NameResolver;

/**
 * Name resolution for unmodified programs (JDK 18+, {@code java.net.spi}): once
 * {@link #install(NameResolver)} has been called, {@code InetAddress.getByName} and everything
 * built on it (HttpClient, Jetty, Netty's default resolver) resolve host names through the given
 * resolver — usually the stack's {@code DnsResolver} — instead of the host's. Until then, and
 * always for {@code localhost} and for reverse lookups, it answers as the JDK's built-in resolver.
 *
 * <p>The JDK finds resolver providers only through {@link java.util.ServiceLoader}: list this
 * class in a {@code META-INF/services/java.net.spi.InetAddressResolverProvider} on the class path
 * of the JVM that is to use it. jnetstack-core's jar carries no such entry on purpose (it would
 * put this class in front of every JVM's lookups); the launcher that runs a program on the stack
 * adds it.
 */
public final class StackInetAddressResolverProvider extends InetAddressResolverProvider {
    private static volatile NameResolver installed;

    /** From now on, names of this JVM resolve through {@code resolver}. */
    public static void install(NameResolver resolver) {
        installed = Objects.requireNonNull(resolver, "resolver");
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        HostResolver.useBuiltin(builtin); // the user-mode gateway's DNS forwarder must still ask the host
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                NameResolver r = installed;
                if (r == null || host.equalsIgnoreCase("localhost")) {
                    return builtin.lookupByName(host, policy);
                }
                if ((policy.characteristics() & LookupPolicy.IPV4) == 0) {
                    throw new UnknownHostException(host + ": the network stack resolves IPv4 addresses only");
                }
                // Each address carries the name asked for, as the built-in resolver's do: HttpClient and
                // JSSE check a server's certificate against getHostName(), not against the bare address.
                java.util.List<InetAddress> found = r.resolve(host);
                java.util.List<InetAddress> named = new java.util.ArrayList<>(found.size());
                for (InetAddress a : found) {
                    named.add(InetAddress.getByAddress(host, a.getAddress()));
                }
                return named.stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "jnetstack";
    }
}
