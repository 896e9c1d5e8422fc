package org.jnetstack.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopClosedException;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.DnsMalformed;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;
import org.jnetstack.wire.Ipv4Address;

/**
 * A stub resolver (RFC 1035 §7, RFC 1123 §6.1.3) on the stack's UDP and TCP: asks the configured
 * servers in turn (failover on timeout, SERVFAIL or REFUSED, a configurable number of rounds),
 * each query from a random source port with a random id (RFC 5452), accepts an answer only if it
 * comes from the server asked and repeats the question, follows CNAME chains, retries a truncated
 * answer over TCP (RFC 7766), and caches answers for their TTL and negative answers for their SOA
 * minimum (RFC 2308). Static host entries and dotted-quad literals answer without a query.
 *
 * <p>Two ways to use it: {@link #lookup} on the loop thread with a callback, or the blocking
 * {@link #resolve} / {@link #query} from any other thread.
 *
 * <pre>{@code
 * DnsResolver dns = DnsResolver.create(stack, ResolverConfig.defaults().withServers(List.of(Ipv4Address.parse("10.0.0.1"))));
 * List<InetAddress> addrs = dns.resolve("example.com"); // from any thread but the loop's
 * }</pre>
 */
public final class DnsResolver implements NameResolver {
    final NetStack stack;
    final EventLoop loop;
    final ResolverConfig config;
    private volatile List<DnsServer> servers;
    private volatile List<String> searchDomains;
    private final Map<String, List<Ipv4Address>> hosts = new ConcurrentHashMap<>();
    private final DnsCache cache;
    private final Map<String, DnsLookup> inflight = new HashMap<>();
    final DnsMessage view = new DnsMessage();
    final DnsWriter writer = new DnsWriter();
    final byte[] out = new byte[DnsMessage.UDP_MAX];
    /** Query ids (RFC 5452 §9): a random stream of this resolver's own, from the stack's secrets. */
    final java.util.random.RandomGenerator ids;

    final Counter txQueries;
    final Counter txTcpQueries;
    final Counter rxResponses;
    final Counter rxMismatch;
    final Counter[] rxMalformed = new Counter[DnsMalformed.values().length];
    final Counter timeouts;
    private final Counter cacheHits;
    private final Counter lookups;

    private DnsResolver(NetStack stack, ResolverConfig config) {
        this.stack = stack;
        this.loop = stack.loop();
        this.config = config;
        this.ids = stack.ipv4().secrets().newStream("dns.id");
        this.servers = config.servers();
        this.searchDomains = normalizeDomains(config.searchDomains());
        this.cache = new DnsCache(config.cacheEntries());
        Counters c = stack.counters();
        txQueries = c.counter("dns.tx.queries");
        txTcpQueries = c.counter("dns.tx.tcp_queries");
        rxResponses = c.counter("dns.rx.responses");
        rxMismatch = c.counter("dns.rx.drop.mismatch");
        for (DnsMalformed m : DnsMalformed.values()) {
            rxMalformed[m.ordinal()] = c.counter("dns.rx.drop." + m.id());
        }
        timeouts = c.counter("dns.timeouts");
        cacheHits = c.counter("dns.cache.hits");
        lookups = c.counter("dns.lookups");
    }

    public static DnsResolver create(NetStack stack, ResolverConfig config) {
        return new DnsResolver(stack, config);
    }

    /** Replaces the server list with IPv4 servers on port 53 (any thread), e.g. with what a DHCP lease names. */
    public void setServers(List<Ipv4Address> servers) {
        setDnsServers(servers.stream().map(DnsServer::of).toList());
    }

    /** Replaces the server list (any thread) with servers of either family. */
    public void setDnsServers(List<DnsServer> servers) {
        this.servers = List.copyOf(servers);
    }

    /**
     * The configured servers. When there are none, lookups ask the IPv6 servers routers advertise
     * (RDNSS, RFC 8106), see {@link NetStack#ipv6DnsServers()}.
     */
    public List<DnsServer> servers() {
        return servers;
    }

    /** Replaces the search domains (any thread), e.g. with a DHCP lease's domain; invalid ones are dropped. */
    public void setSearchDomains(List<String> domains) {
        this.searchDomains = normalizeDomains(domains);
    }

    public List<String> searchDomains() {
        return searchDomains;
    }

    private static List<String> normalizeDomains(List<String> domains) {
        return domains.stream().map(DnsResolver::normalize).filter(java.util.Objects::nonNull).distinct().toList();
    }

    /** Adds a static host entry (any thread): {@code name} resolves to {@code addresses} without a query. */
    public void addHost(String name, Ipv4Address... addresses) {
        String n = normalize(name);
        if (n == null || addresses.length == 0) {
            throw new IllegalArgumentException("host entry needs a valid name and at least one address: " + name);
        }
        hosts.put(n, List.of(addresses));
    }

    public void removeHost(String name) {
        String n = normalize(name);
        if (n != null) {
            hosts.remove(n);
        }
    }

    /** Forgets every cached answer (loop thread). */
    public void clearCache() {
        cache.clear();
    }

    // ---- asynchronous, loop thread ----

    /** Looks up the A records of {@code name}; {@code callback} runs on the loop thread, possibly before this returns. */
    public void lookup(String name, Consumer<DnsResult> callback) {
        lookup(name, DnsMessage.TYPE_A, callback);
    }

    /** Looks up A or AAAA records of {@code name} (loop thread). */
    public void lookup(String name, int type, Consumer<DnsResult> callback) {
        if (type != DnsMessage.TYPE_A && type != DnsMessage.TYPE_AAAA) {
            throw new IllegalArgumentException("only A and AAAA lookups are supported: type " + type);
        }
        lookups.inc();
        InetAddress literal = Literals.parse(name);
        if (literal != null) {
            boolean matches = (literal instanceof java.net.Inet6Address) == (type == DnsMessage.TYPE_AAAA);
            callback.accept(result(name, type, matches ? DnsResult.Status.OK : DnsResult.Status.NO_DATA,
                    matches ? List.of(literal) : List.of(), DnsResult.Source.LITERAL));
            return;
        }
        String n = normalize(name);
        if (n == null) {
            callback.accept(result(name, type, DnsResult.Status.INVALID_NAME, List.of(), DnsResult.Source.NONE));
            return;
        }
        List<String> search = searchDomains;
        if (n.indexOf('.') < 0 && !search.isEmpty() && !hosts.containsKey(n)) {
            // A single label: the search domains first, then the name as it is (resolv.conf, ndots:1).
            List<String> candidates = new ArrayList<>();
            for (String d : search) {
                if (n.length() + 1 + d.length() <= 253) {
                    candidates.add(n + "." + d);
                }
            }
            candidates.add(n);
            trySearch(candidates, 0, type, callback);
            return;
        }
        lookupName(n, type, callback);
    }

    private void trySearch(List<String> candidates, int i, int type, Consumer<DnsResult> callback) {
        boolean last = i == candidates.size() - 1;
        lookupName(candidates.get(i), type, r -> {
            boolean absent = r.status() == DnsResult.Status.NXDOMAIN || r.status() == DnsResult.Status.NO_DATA;
            if (absent && !last) {
                trySearch(candidates, i + 1, type, callback);
            } else {
                callback.accept(r);
            }
        });
    }

    /** {@code n}: normalized. Hosts, cache, then the servers. */
    private void lookupName(String n, int type, Consumer<DnsResult> callback) {
        List<Ipv4Address> fixed = hosts.get(n);
        if (fixed != null && type == DnsMessage.TYPE_A) {
            callback.accept(result(n, type, DnsResult.Status.OK, fixed.stream().map(Ipv4Address::toInetAddress).toList(),
                    DnsResult.Source.HOSTS));
            return;
        }
        DnsResult cached = cache.get(n, type, loop.clock().nanos());
        if (cached != null) {
            cacheHits.inc();
            callback.accept(cached);
            return;
        }
        List<DnsServer> s = servers;
        if (s.isEmpty()) {
            s = stack.ipv6DnsServers().stream().map(DnsServer::of).toList(); // RDNSS (RFC 8106 §5.3.1)
        }
        if (s.isEmpty()) {
            callback.accept(result(n, type, DnsResult.Status.NO_SERVERS, List.of(), DnsResult.Source.NONE));
            return;
        }
        String key = type + " " + n;
        DnsLookup running = inflight.get(key);
        if (running != null) {
            running.join(callback); // one query answers every caller asking the same
            return;
        }
        DnsLookup l = new DnsLookup(this, n, type, s, callback);
        inflight.put(key, l);
        l.start();
    }

    private static DnsResult result(String name, int type, DnsResult.Status status, List<InetAddress> addresses, DnsResult.Source source) {
        return new DnsResult(name, type, status, addresses, List.of(), 0, null, source);
    }

    /** Called by a lookup when it ends. */
    void finished(DnsLookup l, DnsResult r, long ttlNanos) {
        inflight.remove(l.type + " " + l.name);
        cache.put(r, loop.clock().nanos(), ttlNanos);
    }

    int cacheSize() {
        return cache.size();
    }

    // ---- blocking, any thread but the loop's ----

    /**
     * Whether lookups for connecting ask for AAAA too (loop thread): only when the stack has an
     * IPv6 address beyond link-local, as getaddrinfo's AI_ADDRCONFIG (RFC 3493 §6.1) — without
     * one, an IPv6 address of a remote host could not be reached anyway.
     */
    public boolean wantsAaaa() {
        return stack.ipv6() != null && stack.ipv6Addresses().stream()
                .anyMatch(a -> !org.jnetstack.wire.Ipv6Address.isLinkLocal(a.address().hi()));
    }

    /**
     * The addresses of {@code host}: both families (A and AAAA asked together) when the stack has
     * an IPv6 address to reach them from ({@link #wantsAaaa}), interleaved IPv6 first
     * ({@link AddressOrder}); else its IPv4 addresses. Blocks until answered or every server timed out.
     *
     * @throws UnknownHostException when neither family has an address; the message says why
     */
    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        boolean aaaa;
        try {
            aaaa = loop.inLoop() ? wantsAaaa() : loop.call(this::wantsAaaa, config.timeout());
        } catch (TimeoutException e) {
            aaaa = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host + ": interrupted");
        }
        if (!aaaa) {
            DnsResult r = query(host, DnsMessage.TYPE_A);
            if (!r.ok()) {
                throw new UnknownHostException(r.message());
            }
            return r.addresses();
        }
        List<DnsResult> both = queryAll(host, DnsMessage.TYPE_AAAA, DnsMessage.TYPE_A);
        DnsResult v6 = both.get(0);
        DnsResult v4 = both.get(1);
        if (!v6.ok() && !v4.ok()) {
            throw new UnknownHostException((v4.status() == DnsResult.Status.NO_DATA ? v6 : v4).message());
        }
        return AddressOrder.interleave(v6.addresses(), v4.addresses());
    }

    /**
     * The full result of an A or AAAA lookup (status, CNAME chain, TTL, server), blocking.
     *
     * @throws IllegalStateException on the loop thread, which must never block: use {@link #lookup} there
     */
    public DnsResult query(String host, int type) throws UnknownHostException {
        return queryAll(host, type).get(0);
    }

    /** Like {@link #query}, for several types asked at once; the results in the order of {@code types}. */
    public List<DnsResult> queryAll(String host, int... types) throws UnknownHostException {
        if (loop.inLoop()) {
            throw new IllegalStateException("blocking DNS lookup on the event-loop thread; use lookup(name, callback) there");
        }
        // Bound: every server, every round, every CNAME hop, plus slack for a TCP retry.
        long perQuery = config.timeout().toNanos() * config.attempts() * Math.max(1, servers.size());
        long bound = perQuery * (config.maxCnameChain() + 1) + 5_000_000_000L;
        long start = System.nanoTime();
        List<CompletableFuture<DnsResult>> answers = new ArrayList<>();
        for (int ignored : types) {
            answers.add(new CompletableFuture<>());
        }
        try {
            loop.call(() -> {
                for (int i = 0; i < types.length; i++) {
                    lookup(host, types[i], answers.get(i)::complete);
                }
                return null;
            }, Duration.ofNanos(bound));
            List<DnsResult> out = new ArrayList<>();
            for (int i = 0; i < types.length; i++) {
                long left = bound - (System.nanoTime() - start);
                try {
                    out.add(answers.get(i).get(Math.max(0, left), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    out.add(result(host, types[i], DnsResult.Status.TIMEOUT, List.of(), DnsResult.Source.NONE));
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host + ": interrupted");
        } catch (LoopClosedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new IllegalArgumentException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            List<DnsResult> out = new ArrayList<>();
            for (int t : types) {
                out.add(result(host, t, DnsResult.Status.TIMEOUT, List.of(), DnsResult.Source.NONE));
            }
            return out;
        }
    }

    /**
     * Lower case, without the trailing dot; null unless every label is 1-63 letters, digits,
     * hyphens or underscores and the whole at most 253 characters (RFC 1123 §2.1; '_' for service names).
     */
    static String normalize(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim();
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.length() > 253) {
            return null;
        }
        int labelStart = 0;
        for (int i = 0; i <= n.length(); i++) {
            if (i == n.length() || n.charAt(i) == '.') {
                int l = i - labelStart;
                if (l < 1 || l > DnsMessage.MAX_LABEL_LENGTH) {
                    return null;
                }
                labelStart = i + 1;
                continue;
            }
            char c = n.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return null;
            }
        }
        return n.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "DNS resolver " + servers;
    }

    List<DnsLookup> inflight() {
        return new ArrayList<>(inflight.values());
    }
}
