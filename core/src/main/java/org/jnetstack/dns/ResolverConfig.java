package org.jnetstack.dns;

import java.time.Duration;
import java.util.List;
import org.jnetstack.wire.Ipv4Address;

/**
 * Settings of a {@link DnsResolver}, each with its default and its reason.
 *
 * @param servers           name servers of either family, tried in order (failover to the next on timeout or
 *                          failure); when empty, the IPv6 servers routers advertise (RDNSS, RFC 8106) are asked
 * @param timeout           wait for one server's answer. 2 s: a LAN or ISP resolver answers in milliseconds,
 *                          and glibc's 5 s makes a dead first server painful.
 * @param attempts          rounds over all servers before giving up (glibc's default is 2)
 * @param cacheEntries      bound on cached names (positive and negative); the least recently used go first
 * @param maxTtl            cap on how long an answer is cached, whatever the server says (1 day, as RFC 8767 suggests)
 * @param maxNegativeTtl    cap on caching "no such name" (3 hours, RFC 2308 §5)
 * @param maxCnameChain     CNAMEs followed before the answer is declared a failure (loops end here)
 * @param searchDomains     suffixes tried, in order, for a name without a dot before the name itself
 *                          (resolv.conf's {@code search} with {@code ndots:1}); a DHCP lease's domain (option 15) goes here
 */
public record ResolverConfig(List<DnsServer> servers, Duration timeout, int attempts, int cacheEntries, Duration maxTtl,
                             Duration maxNegativeTtl, int maxCnameChain, List<String> searchDomains) {

    public ResolverConfig {
        servers = List.copyOf(servers);
        searchDomains = List.copyOf(searchDomains);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("DNS timeout must be positive");
        }
        if (attempts < 1 || cacheEntries < 0 || maxCnameChain < 1) {
            throw new IllegalArgumentException("attempts and maxCnameChain must be >= 1, cacheEntries >= 0");
        }
    }

    public static ResolverConfig defaults() {
        return new ResolverConfig(List.of(), Duration.ofSeconds(2), 2, 512, Duration.ofDays(1), Duration.ofHours(3), 8, List.of());
    }

    /** IPv4 servers on port 53. */
    public ResolverConfig withServers(List<Ipv4Address> servers) {
        return withDnsServers(servers.stream().map(DnsServer::of).toList());
    }

    public ResolverConfig withDnsServers(List<DnsServer> servers) {
        return new ResolverConfig(servers, timeout, attempts, cacheEntries, maxTtl, maxNegativeTtl, maxCnameChain, searchDomains);
    }

    public ResolverConfig withTimeout(Duration timeout, int attempts) {
        return new ResolverConfig(servers, timeout, attempts, cacheEntries, maxTtl, maxNegativeTtl, maxCnameChain, searchDomains);
    }

    public ResolverConfig withCacheEntries(int entries) {
        return new ResolverConfig(servers, timeout, attempts, entries, maxTtl, maxNegativeTtl, maxCnameChain, searchDomains);
    }

    public ResolverConfig withSearchDomains(List<String> domains) {
        return new ResolverConfig(servers, timeout, attempts, cacheEntries, maxTtl, maxNegativeTtl, maxCnameChain, domains);
    }
}
