package org.jnetstack.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Every tunable of the IP layers, with its default and the reason for it (lwIP's {@code opt.h}
 * in one record). Obtain the defaults with {@link #defaults()} and change fields with
 * {@link #toBuilder()}.
 *
 * @param ttl                     TTL of datagrams we send. 64: RFC 1700's recommendation, what Linux uses.
 * @param arpCacheTimeout         how long a resolved neighbour is trusted before it is resolved again.
 *                                5 minutes, as lwIP's ARP_MAXAGE; the kernel peer refreshes us by its own requests anyway.
 * @param arpRequestTimeout       wait for the first ARP reply; doubles on each retry (backoff).
 * @param arpRetries              ARP requests sent after the first before the address is declared unreachable.
 *                                0.5 s + 2 retries (1, 2 s) gives up after 3.5 s, close to Linux's 3 probes 1 s apart.
 * @param arpQueuePerAddress      packets held while an address resolves; beyond it the oldest is dropped (counted).
 *                                RFC 1122 §2.3.2.2 asks for at least one; 256 holds a fragmented 64 KB datagram several times.
 * @param arpQueueBytes           bytes held for one unresolved address (Linux's unres_qlen_bytes is 208 KiB).
 * @param arpQueueTotalBytes      bytes held for all unresolved addresses together.
 * @param arpMaxEntries           bound on the neighbour table; the oldest resolved entry is evicted.
 * @param reassemblyTimeout       how long fragments of one datagram are held. 30 s, as Linux (RFC 791 suggests 15 s lower bound).
 * @param reassemblyMaxDatagrams  datagrams being reassembled at once; beyond it new ones are dropped (counted).
 * @param reassemblyMaxBytes      memory of all reassembly buffers together (allocated bytes, not just payload held).
 * @param icmpEchoRate            echo replies per second (token bucket) — a ping flood cannot take the loop.
 * @param icmpEchoBurst           echo-reply burst.
 * @param icmpErrorRate           ICMP errors (unreachable, time exceeded) per second, RFC 1812 §4.3.2.8.
 * @param icmpErrorBurst          ICMP error burst.
 * @param udpQueueDatagrams       datagrams queued per UDP endpoint that has no handler; overflow dropped (counted).
 * @param udpQueueBytes           payload bytes queued per UDP endpoint.
 * @param ephemeralPortFirst      first ephemeral port (IANA dynamic range, RFC 6335).
 * @param ephemeralPortLast       last ephemeral port.
 * @param memoryBudget            bytes of data the whole stack may hold: TCP send and receive buffers, UDP
 *                                queues, reassembly and ARP queues (Linux's {@code tcp_mem}, stack-wide). 0 (the
 *                                default) means a quarter of the heap ({@code Runtime.maxMemory() / 4}: 64 MiB on a
 *                                256 MiB heap), leaving the rest for connection records and the application. Above
 *                                75 % of it the stack is under pressure: windows stop growing, new connections are
 *                                refused (or answered with SYN cookies) and counted, established ones keep their data.
 * @param reassemblyPerSourceDatagrams datagrams one source may have in reassembly at once; beyond it its new
 *                                datagrams are dropped (counted {@code ip.frag.drop.source_limit}). 8: a fragment
 *                                flood from one address cannot take the slots another needs.
 * @param reassemblyPerSourceBytes bytes of reassembly buffer one source may hold (a quarter of
 *                                {@code reassemblyMaxBytes} by default: 512 KiB, several 64 KiB datagrams).
 * @param seed                    empty (the default): every key and random choice of the stack (ISNs, SYN cookies,
 *                                ports, IPv4 ids, DHCP xids, DNS ids, TCP timestamp offsets, its MAC) comes from
 *                                {@link java.security.SecureRandom}. A seed makes them all derived from it instead,
 *                                each purpose through SHA-256 with its own name, so a simulation replays
 *                                exactly — and anyone who knows the seed knows every key: never on a real network.
 * @param ipv6                    IPv6 on every interface (true by default): a link-local address, NDP, ICMPv6, and
 *                                the addresses below. False leaves IPv6 frames dropped as an unknown EtherType.
 * @param ipv6Addresses           static IPv6 addresses with their on-link prefix, "ADDR/PREFIX" like
 *                                {@code fd00::2/64}, given to the first interface (after duplicate address detection).
 * @param slaac                   form addresses from the prefixes routers advertise (RFC 4862 §5.5), true by default.
 * @param hopLimit                hop limit of IPv6 packets we send unless a router advertises one (RFC 4861 §6.3.4).
 *                                64, as Linux.
 * @param dadTransmits            neighbour solicitations sent to check an address is unique before using it
 *                                (RFC 4862 §5.1 DupAddrDetectTransmits, default 1); 0 uses addresses at once.
 * @param ndMaxEntries            bound on each interface's IPv6 neighbour cache; a full cache evicts its least
 *                                recently confirmed entry that is not being resolved, or refuses the new one (counted
 *                                {@code nd.cache.full}).
 * @param ndQueuePerNeighbor      packets held for one neighbour while it resolves (RFC 4861 §7.2.2); beyond it the
 *                                oldest is dropped (counted {@code nd.queue.drop.overflow}).
 * @param ndQueueTotalBytes       bytes held for all unresolved IPv6 neighbours of an interface together (and charged
 *                                to the memory budget, which may refuse first: {@code nd.queue.drop.memory_budget}).
 * @param ipv6ReassemblyTimeout   how long fragments of one IPv6 packet are held: 60 s, as RFC 8200 §4.5 says.
 * @param ipv6StableSecret        RFC 7217 §5's secret_key for the stable interface identifiers of the link-local and
 *                                SLAAC addresses, 32 hex digits (128 bits), or null (the default) for one drawn with
 *                                the stack's other keys. Given, the addresses stay the same across restarts on the same
 *                                MAC and prefix (§4: what the RFC asks of a host); keep it as secret as a key.
 */
public record StackConfig(
        int ttl,
        Duration arpCacheTimeout,
        Duration arpRequestTimeout,
        int arpRetries,
        int arpQueuePerAddress,
        int arpQueueBytes,
        int arpQueueTotalBytes,
        int arpMaxEntries,
        Duration reassemblyTimeout,
        int reassemblyMaxDatagrams,
        int reassemblyMaxBytes,
        int icmpEchoRate,
        int icmpEchoBurst,
        int icmpErrorRate,
        int icmpErrorBurst,
        int udpQueueDatagrams,
        int udpQueueBytes,
        int ephemeralPortFirst,
        int ephemeralPortLast,
        long memoryBudget,
        int reassemblyPerSourceDatagrams,
        int reassemblyPerSourceBytes,
        OptionalLong seed,
        boolean ipv6,
        List<String> ipv6Addresses,
        boolean slaac,
        int hopLimit,
        int dadTransmits,
        int ndMaxEntries,
        int ndQueuePerNeighbor,
        int ndQueueTotalBytes,
        Duration ipv6ReassemblyTimeout,
        String ipv6StableSecret) {

    public StackConfig {
        require(ttl >= 1 && ttl <= 255, "ttl must be 1-255: " + ttl);
        require(arpRetries >= 0 && arpRetries <= 16, "arpRetries must be 0-16: " + arpRetries);
        require(arpQueuePerAddress >= 1, "arpQueuePerAddress must be at least 1");
        require(arpQueueBytes >= 1 && arpQueueTotalBytes >= arpQueueBytes, "ARP queue byte bounds must be positive, total >= per address");
        require(arpMaxEntries >= 1, "arpMaxEntries must be at least 1");
        require(reassemblyMaxDatagrams >= 0, "reassemblyMaxDatagrams must be >= 0");
        require(reassemblyMaxBytes >= 0, "reassemblyMaxBytes must be >= 0");
        require(icmpEchoRate > 0 && icmpEchoBurst > 0, "ICMP echo rate and burst must be positive");
        require(icmpErrorRate > 0 && icmpErrorBurst > 0, "ICMP error rate and burst must be positive");
        require(udpQueueDatagrams >= 1 && udpQueueBytes >= 1, "UDP queue bounds must be positive");
        require(ephemeralPortFirst >= 1024 && ephemeralPortFirst <= ephemeralPortLast && ephemeralPortLast <= 65535,
                "ephemeral port range must lie within 1024-65535: " + ephemeralPortFirst + "-" + ephemeralPortLast);
        require(memoryBudget == 0 || memoryBudget >= 4096, "memoryBudget must be 0 (a quarter of the heap) or at least 4096 bytes: " + memoryBudget);
        require(reassemblyPerSourceDatagrams >= 0, "reassemblyPerSourceDatagrams must be >= 0");
        require(reassemblyPerSourceBytes >= 0, "reassemblyPerSourceBytes must be >= 0");
        Objects.requireNonNull(seed, "seed (OptionalLong.empty() for none)");
        ipv6Addresses = List.copyOf(Objects.requireNonNull(ipv6Addresses, "ipv6Addresses (empty for none)"));
        for (String a : ipv6Addresses) {
            parseIpv6Address(a);
        }
        require(hopLimit >= 1 && hopLimit <= 255, "hopLimit must be 1-255: " + hopLimit);
        require(dadTransmits >= 0 && dadTransmits <= 10, "dadTransmits must be 0-10: " + dadTransmits);
        require(ndMaxEntries >= 1, "ndMaxEntries must be at least 1");
        require(ndQueuePerNeighbor >= 1, "ndQueuePerNeighbor must be at least 1");
        require(ndQueueTotalBytes >= 1, "ndQueueTotalBytes must be at least 1");
        if (ipv6StableSecret != null) {
            parseStableSecret(ipv6StableSecret);
        }
        for (Duration d : new Duration[] {arpCacheTimeout, arpRequestTimeout, reassemblyTimeout, ipv6ReassemblyTimeout}) {
            require(d != null && !d.isNegative() && !d.isZero(), "durations must be positive");
        }
    }

    /** The accepted forms of a static IPv6 address, for error messages. */
    public static final String IPV6_ADDRESS_FORMS = "expected ADDR/PREFIX, an IPv6 address and a prefix length 1-128,"
            + " like fd00::2/64 or 2001:db8::10/64 (a unicast address, not multicast, loopback, :: or IPv4-mapped)";

    /**
     * Parses a static IPv6 address "ADDR/PREFIX" ({@code fd00::2/64}): the address and the prefix
     * length as {@code {hi, lo, prefixLength}}.
     *
     * @throws IllegalArgumentException naming the input and the accepted forms
     */
    public static long[] parseIpv6Address(String s) {
        String bad = "invalid IPv6 address '" + s + "': " + IPV6_ADDRESS_FORMS;
        int slash = s == null ? -1 : s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(bad);
        }
        int prefix;
        org.jnetstack.wire.Ipv6Address a;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1).trim());
            a = org.jnetstack.wire.Ipv6Address.parse(s.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(bad);
        }
        long hi = a.hi();
        long lo = a.lo();
        if (prefix < 1 || prefix > 128 || org.jnetstack.wire.Ipv6Address.isMulticast(hi)
                || org.jnetstack.wire.Ipv6Address.isUnspecified(hi, lo) || org.jnetstack.wire.Ipv6Address.isLoopback(hi, lo)
                || org.jnetstack.wire.Ipv6Address.isV4Mapped(hi, lo)) {
            throw new IllegalArgumentException(bad);
        }
        return new long[] {hi, lo, prefix};
    }

    /** The accepted form of {@link #ipv6StableSecret}, for error messages. */
    public static final String STABLE_SECRET_FORM = "expected 32 hex digits (a 128-bit key), like 0123456789abcdef0123456789abcdef";

    /**
     * The two 64-bit halves of a stable-identifier secret written as 32 hex digits.
     *
     * @throws IllegalArgumentException naming the accepted form
     */
    public static long[] parseStableSecret(String hex) {
        if (hex == null || !hex.matches("[0-9a-fA-F]{32}")) {
            throw new IllegalArgumentException("invalid IPv6 stable secret: " + STABLE_SECRET_FORM);
        }
        return new long[] {Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16)};
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static StackConfig defaults() {
        return new StackConfig(64, Duration.ofMinutes(5), Duration.ofMillis(500), 2, 256, 256 * 1024, 1 << 20, 512,
                Duration.ofSeconds(30), 32, 2 << 20, 1000, 1000, 100, 50, 256, 1 << 20, 49152, 65535,
                0, 8, 512 * 1024, OptionalLong.empty(), true, List.of(), true, 64, 1, 256, 16, 256 * 1024,
                Duration.ofSeconds(60), null);
    }

    /** The memory budget in bytes: {@link #memoryBudget()} or, when 0, a quarter of the heap. */
    public long effectiveMemoryBudget() {
        return memoryBudget != 0 ? memoryBudget : org.jnetstack.internal.MemoryBudget.defaultLimit();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some fields of a config; {@link #build()} validates the result. */
    public static final class Builder {
        private int ttl;
        private Duration arpCacheTimeout;
        private Duration arpRequestTimeout;
        private int arpRetries;
        private int arpQueuePerAddress;
        private int arpQueueBytes;
        private int arpQueueTotalBytes;
        private int arpMaxEntries;
        private Duration reassemblyTimeout;
        private int reassemblyMaxDatagrams;
        private int reassemblyMaxBytes;
        private int icmpEchoRate;
        private int icmpEchoBurst;
        private int icmpErrorRate;
        private int icmpErrorBurst;
        private int udpQueueDatagrams;
        private int udpQueueBytes;
        private int ephemeralPortFirst;
        private int ephemeralPortLast;
        private long memoryBudget;
        private int reassemblyPerSourceDatagrams;
        private int reassemblyPerSourceBytes;
        private OptionalLong seed;
        private boolean ipv6;
        private List<String> ipv6Addresses;
        private boolean slaac;
        private int hopLimit;
        private int dadTransmits;
        private int ndMaxEntries;
        private int ndQueuePerNeighbor;
        private int ndQueueTotalBytes;
        private Duration ipv6ReassemblyTimeout;
        private String ipv6StableSecret;

        private Builder(StackConfig c) {
            ttl = c.ttl;
            arpCacheTimeout = c.arpCacheTimeout;
            arpRequestTimeout = c.arpRequestTimeout;
            arpRetries = c.arpRetries;
            arpQueuePerAddress = c.arpQueuePerAddress;
            arpQueueBytes = c.arpQueueBytes;
            arpQueueTotalBytes = c.arpQueueTotalBytes;
            arpMaxEntries = c.arpMaxEntries;
            reassemblyTimeout = c.reassemblyTimeout;
            reassemblyMaxDatagrams = c.reassemblyMaxDatagrams;
            reassemblyMaxBytes = c.reassemblyMaxBytes;
            icmpEchoRate = c.icmpEchoRate;
            icmpEchoBurst = c.icmpEchoBurst;
            icmpErrorRate = c.icmpErrorRate;
            icmpErrorBurst = c.icmpErrorBurst;
            udpQueueDatagrams = c.udpQueueDatagrams;
            udpQueueBytes = c.udpQueueBytes;
            ephemeralPortFirst = c.ephemeralPortFirst;
            ephemeralPortLast = c.ephemeralPortLast;
            memoryBudget = c.memoryBudget;
            reassemblyPerSourceDatagrams = c.reassemblyPerSourceDatagrams;
            reassemblyPerSourceBytes = c.reassemblyPerSourceBytes;
            seed = c.seed;
            ipv6 = c.ipv6;
            ipv6Addresses = c.ipv6Addresses;
            slaac = c.slaac;
            hopLimit = c.hopLimit;
            dadTransmits = c.dadTransmits;
            ndMaxEntries = c.ndMaxEntries;
            ndQueuePerNeighbor = c.ndQueuePerNeighbor;
            ndQueueTotalBytes = c.ndQueueTotalBytes;
            ipv6ReassemblyTimeout = c.ipv6ReassemblyTimeout;
            ipv6StableSecret = c.ipv6StableSecret;
        }

        /** IPv6 on (the default) or off. */
        public Builder ipv6(boolean v) { ipv6 = v; return this; }
        /** Static IPv6 addresses, each "ADDR/PREFIX" like {@code fd00::2/64}. */
        public Builder ipv6Addresses(List<String> v) { ipv6Addresses = v; return this; }
        /** Adds one static IPv6 address "ADDR/PREFIX". */
        public Builder ipv6Address(String v) {
            ipv6Addresses = new java.util.ArrayList<>(ipv6Addresses);
            ipv6Addresses.add(v);
            return this;
        }
        public Builder slaac(boolean v) { slaac = v; return this; }
        public Builder hopLimit(int v) { hopLimit = v; return this; }
        public Builder dadTransmits(int v) { dadTransmits = v; return this; }
        public Builder ndMaxEntries(int v) { ndMaxEntries = v; return this; }
        public Builder ipv6ReassemblyTimeout(Duration v) { ipv6ReassemblyTimeout = v; return this; }
        /** RFC 7217 secret for stable IPv6 interface identifiers, 32 hex digits; null draws one. */
        public Builder ipv6StableSecret(String v) { ipv6StableSecret = v; return this; }
        public Builder ndQueue(int perNeighbor, int totalBytes) { ndQueuePerNeighbor = perNeighbor; ndQueueTotalBytes = totalBytes; return this; }

        public Builder ttl(int v) { ttl = v; return this; }
        public Builder arpCacheTimeout(Duration v) { arpCacheTimeout = v; return this; }
        public Builder arpRequestTimeout(Duration v) { arpRequestTimeout = v; return this; }
        public Builder arpRetries(int v) { arpRetries = v; return this; }
        public Builder arpQueuePerAddress(int v) { arpQueuePerAddress = v; return this; }
        public Builder arpQueueBytes(int perAddress, int total) { arpQueueBytes = perAddress; arpQueueTotalBytes = total; return this; }
        public Builder arpMaxEntries(int v) { arpMaxEntries = v; return this; }
        public Builder reassemblyTimeout(Duration v) { reassemblyTimeout = v; return this; }
        public Builder reassemblyMaxDatagrams(int v) { reassemblyMaxDatagrams = v; return this; }
        public Builder reassemblyMaxBytes(int v) { reassemblyMaxBytes = v; return this; }
        public Builder icmpEchoRate(int perSecond, int burst) { icmpEchoRate = perSecond; icmpEchoBurst = burst; return this; }
        public Builder icmpErrorRate(int perSecond, int burst) { icmpErrorRate = perSecond; icmpErrorBurst = burst; return this; }
        public Builder udpQueue(int datagrams, int bytes) { udpQueueDatagrams = datagrams; udpQueueBytes = bytes; return this; }
        public Builder ephemeralPorts(int first, int last) { ephemeralPortFirst = first; ephemeralPortLast = last; return this; }
        /** A reproducible stack (simulations and tests only: the seed gives away every key). */
        public Builder seed(long v) { seed = OptionalLong.of(v); return this; }
        /** Keys from {@link java.security.SecureRandom} (the default). */
        public Builder unseeded() { seed = OptionalLong.empty(); return this; }

        /** Bytes of data the stack may hold (0: a quarter of the heap). */
        public Builder memoryBudget(long bytes) { memoryBudget = bytes; return this; }
        public Builder reassemblyPerSource(int datagrams, int bytes) {
            reassemblyPerSourceDatagrams = datagrams;
            reassemblyPerSourceBytes = bytes;
            return this;
        }

        public StackConfig build() {
            return new StackConfig(ttl, arpCacheTimeout, arpRequestTimeout, arpRetries, arpQueuePerAddress,
                    arpQueueBytes, arpQueueTotalBytes, arpMaxEntries, reassemblyTimeout, reassemblyMaxDatagrams, reassemblyMaxBytes, icmpEchoRate,
                    icmpEchoBurst, icmpErrorRate, icmpErrorBurst, udpQueueDatagrams, udpQueueBytes,
                    ephemeralPortFirst, ephemeralPortLast, memoryBudget, reassemblyPerSourceDatagrams,
                    reassemblyPerSourceBytes, seed, ipv6, ipv6Addresses, slaac, hopLimit, dadTransmits, ndMaxEntries,
                    ndQueuePerNeighbor, ndQueueTotalBytes, ipv6ReassemblyTimeout, ipv6StableSecret);
        }
    }
}
