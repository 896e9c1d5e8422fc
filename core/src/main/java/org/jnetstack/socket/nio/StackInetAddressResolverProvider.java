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
                int c = policy.characteristics();
                boolean v4 = (c & LookupPolicy.IPV4) != 0;
                boolean v6 = (c & LookupPolicy.IPV6) != 0;
                // Each address carries the name asked for, as the built-in resolver's do: HttpClient and
                // JSSE check a server's certificate against getHostName(), not against the bare address.
                java.util.List<InetAddress> first = new java.util.ArrayList<>();
                java.util.List<InetAddress> second = new java.util.ArrayList<>();
                for (InetAddress a : r.resolve(host)) {
                    boolean isV6 = a instanceof java.net.Inet6Address;
                    if (isV6 ? v6 : v4) {
                        boolean early = (c & LookupPolicy.IPV4_FIRST) != 0 ? !isV6 : (c & LookupPolicy.IPV6_FIRST) == 0 || isV6;
                        (early ? first : second).add(InetAddress.getByAddress(host, a.getAddress()));
                    }
                }
                first.addAll(second);
                if (first.isEmpty()) {
                    throw new UnknownHostException(host + ": no address of the families asked for (" + policy + ")");
                }
                return first.stream();
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
