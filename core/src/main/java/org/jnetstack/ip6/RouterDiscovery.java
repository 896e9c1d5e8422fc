package org.jnetstack.ip6;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.NdpMessage;
import org.jnetstack.wire.NdpOptions;

/**
 * Router and prefix discovery of one interface (RFC 4861 §6.3): solicits routers when the
 * interface comes up (§6.3.7), and from their advertisements keeps the default router list
 * with lifetimes, the on-link prefix list (L flag; a static address's prefix is on-link too),
 * the link parameters (hop limit, reachable time, retransmission timer, MTU — never below
 * 1280), the recursive DNS servers (RFC 8106) for the resolver, and the managed/other flags;
 * autonomous prefixes go to address configuration. Every list is bounded ({@link #MAX_ROUTERS},
 * {@link #MAX_PREFIXES}, {@link #MAX_DNS_SERVERS}); what does not fit is ignored and counted.
 */
public final class RouterDiscovery {
    /** Default routers kept per interface. */
    public static final int MAX_ROUTERS = 8;
    /** On-link prefixes kept per interface (advertised and static). */
    public static final int MAX_PREFIXES = 16;
    /** Recursive DNS servers kept per interface (RFC 8106 §5.3.1 asks for at least 3). */
    public static final int MAX_DNS_SERVERS = 8;
    /** RFC 4861 §10: MAX_RTR_SOLICITATIONS. */
    static final int MAX_RTR_SOLICITATIONS = 3;
    /** RFC 4861 §10: RTR_SOLICITATION_INTERVAL. */
    static final long RTR_SOLICITATION_INTERVAL_NANOS = 4_000_000_000L;

    private static final class Entry {
        final long hi;
        final long lo;
        int prefixLength;
        long until;

        Entry(long hi, long lo, int prefixLength, long until) {
            this.hi = hi;
            this.lo = lo;
            this.prefixLength = prefixLength;
            this.until = until;
        }

        boolean live(long now) {
            return until == InterfaceAddress.INFINITE || until - now > 0;
        }
    }

    private final Ipv6Interface ifc;
    private final List<Entry> routers = new ArrayList<>();
    private final List<Entry> prefixes = new ArrayList<>();
    private final List<Entry> dnsServers = new ArrayList<>();
    /** What a stateless DHCPv6 exchange gave (RFC 8415 §18.2.6): replaced as a whole by each reply. */
    private List<Ipv6Address> dhcpDnsServers = List.of();
    private List<String> dhcpDomains = List.of();
    private final Timer solicitTimer;
    private int solicitationsLeft;
    private boolean started;
    private boolean managed;
    private boolean other;

    private final Counter routersFull;
    private final Counter prefixesFull;
    private final Counter dnsFull;
    private final Counter mtuIgnored;

    RouterDiscovery(Ipv6Interface ifc, Counters counters) {
        this.ifc = ifc;
        this.solicitTimer = ifc.ip().loop().newTimer(this::solicit);
        routersFull = counters.counter("nd.routers.drop.list_full");
        prefixesFull = counters.counter("nd.prefixes.drop.list_full");
        dnsFull = counters.counter("nd.rdnss.drop.list_full");
        mtuIgnored = counters.counter("nd.rx.mtu_option_ignored");
    }

    /** Starts soliciting routers: up to 3 solicitations 4 s apart, the first after a random delay of up to 1 s (§6.3.7). */
    void start() {
        if (started) {
            return;
        }
        started = true;
        solicitationsLeft = MAX_RTR_SOLICITATIONS;
        solicitTimer.schedule((long) (ifc.random().nextDouble() * AddressConfiguration.MAX_RTR_SOLICITATION_DELAY_NANOS));
    }

    void stop() {
        solicitTimer.cancel();
    }

    private void solicit() {
        if (solicitationsLeft <= 0 || !ifc.running() || ifc.isRouter()) {
            return;
        }
        solicitationsLeft--;
        ifc.ndp().sendRouterSolicitation();
        if (solicitationsLeft > 0) {
            solicitTimer.schedule(RTR_SOLICITATION_INTERVAL_NANOS);
        }
    }

    private long now() {
        return ifc.ip().loop().clock().nanos();
    }

    private long until(long seconds) {
        return seconds == AddressConfiguration.INFINITE_LIFETIME ? InterfaceAddress.INFINITE : now() + seconds * 1_000_000_000L;
    }

    /** A valid Router Advertisement from {@code src} (RFC 4861 §6.3.4), its options under {@code opts}. */
    void advertisement(long srcHi, long srcLo, byte[] buf, int off, int len, NdpOptions opts) {
        solicitationsLeft = 0; // §6.3.7: an advertisement ends the solicitations
        solicitTimer.cancel();
        int hop = NdpMessage.raCurHopLimit(buf, off);
        if (hop != 0) {
            ifc.setCurHopLimit(hop);
        }
        long reachable = NdpMessage.raReachableTime(buf, off);
        if (reachable != 0 && reachable <= 3_600_000) { // §6.2.1: MAX_REACHABLE_TIME is one hour
            ifc.setBaseReachableMillis(reachable);
        }
        long retrans = NdpMessage.raRetransTimer(buf, off);
        if (retrans != 0) {
            ifc.setRetransMillis(Math.min(retrans, 60_000));
        }
        managed = NdpMessage.raManaged(buf, off);
        other = NdpMessage.raOther(buf, off);
        update(routers, srcHi, srcLo, 128, NdpMessage.raRouterLifetime(buf, off), MAX_ROUTERS, routersFull);
        for (int t = opts.next(); t >= 0; t = opts.next()) {
            if (opts.optionMalformed() != null) {
                continue; // an option of the wrong length for its type is ignored
            }
            switch (t) {
                case NdpOptions.TYPE_PREFIX_INFO -> prefixOption(opts);
                case NdpOptions.TYPE_MTU -> mtuOption(opts.mtu());
                case NdpOptions.TYPE_RDNSS -> {
                    long life = opts.rdnssLifetime();
                    for (int i = 0, n = opts.rdnssCount(); i < n; i++) {
                        update(dnsServers, opts.rdnssHi(i), opts.rdnssLo(i), 128, life, MAX_DNS_SERVERS, dnsFull);
                    }
                }
                default -> {
                    // §4.6: unknown options are skipped
                }
            }
        }
        RouterFlagsListener l = ifc.ip().routerFlagsListener();
        if (l != null) {
            l.onRouterFlags(ifc, managed, other);
        }
    }

    private void prefixOption(NdpOptions o) {
        if (o.prefixLength() > 128) {
            return;
        }
        int len = o.prefixLength();
        long hi = o.prefixHi() & Ipv6Address.maskHi(len);
        long lo = o.prefixLo() & Ipv6Address.maskLo(len);
        // §6.3.4: the link-local prefix is never taken from an advertisement.
        if (Ipv6Address.isLinkLocal(hi)) {
            return;
        }
        if (o.onLink()) {
            update(prefixes, hi, lo, len, o.validLifetime(), MAX_PREFIXES, prefixesFull);
        }
        if (o.autonomous() && ifc.ip().config().slaac()) {
            ifc.addressing().prefix(hi, lo, len, o.validLifetime(), o.preferredLifetime());
        }
    }

    /** §4.6.4: the MTU option sets the link MTU if it is at least 1280 and no larger than the device allows. */
    private void mtuOption(long mtu) {
        if (mtu < Ipv6Packet.MIN_MTU || mtu > ifc.netInterface().mtu()) {
            mtuIgnored.inc();
            return;
        }
        ifc.setLinkMtu((int) mtu);
    }

    /** Adds, refreshes or (lifetime 0) removes an entry of a bounded list. */
    private void update(List<Entry> list, long hi, long lo, int prefixLength, long lifetimeSeconds, int max, Counter full) {
        long now = now();
        list.removeIf(e -> !e.live(now));
        for (int i = 0; i < list.size(); i++) {
            Entry e = list.get(i);
            if (e.hi == hi && e.lo == lo && e.prefixLength == prefixLength) {
                if (lifetimeSeconds == 0) {
                    list.remove(i);
                } else {
                    e.until = until(lifetimeSeconds);
                }
                return;
            }
        }
        if (lifetimeSeconds == 0) {
            return;
        }
        if (list.size() >= max) {
            full.inc();
            return;
        }
        list.add(new Entry(hi, lo, prefixLength, until(lifetimeSeconds)));
    }

    /** The prefix of a static address: on-link for as long as the address is there. */
    void addOnLink(long hi, long lo, int prefixLength, long until) {
        for (Entry e : prefixes) {
            if (e.hi == hi && e.lo == lo && e.prefixLength == prefixLength) {
                e.until = until;
                return;
            }
        }
        if (prefixes.size() >= MAX_PREFIXES) {
            prefixesFull.inc();
            return;
        }
        prefixes.add(new Entry(hi, lo, prefixLength, until));
    }

    /** True if {@code hi:lo} is covered by a live on-link prefix (§5.2 next-hop determination). */
    boolean isOnLink(long hi, long lo) {
        long now = now();
        for (int i = 0, n = prefixes.size(); i < n; i++) {
            Entry e = prefixes.get(i);
            if (e.live(now) && Ipv6Address.samePrefix(hi, lo, e.hi, e.lo, e.prefixLength)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sets {@code r}'s next hop to a default router (§6.3.6): one whose neighbour entry is not
     * being resolved if there is one, else the first live one; false if there is none.
     */
    boolean defaultRouter(Ipv6Route r) {
        long now = now();
        Entry pick = null;
        for (int i = 0, n = routers.size(); i < n; i++) {
            Entry e = routers.get(i);
            if (!e.live(now)) {
                continue;
            }
            NeighborState s = ifc.neighbors().state(e.hi, e.lo);
            if (s != null && s != NeighborState.INCOMPLETE) {
                pick = e;
                break;
            }
            if (pick == null) {
                pick = e;
            }
        }
        if (pick == null) {
            return false;
        }
        r.nextHop(pick.hi, pick.lo);
        return true;
    }

    /** The advertised "managed address configuration" flag (RFC 4861 §4.2 M): addresses are available by DHCPv6. */
    public boolean managed() {
        return managed;
    }

    /** The advertised "other configuration" flag (RFC 4861 §4.2 O): DNS and the like are available by DHCPv6. */
    public boolean other() {
        return other;
    }

    public List<Ipv6RouterInfo> routerInfo() {
        long now = now();
        List<Ipv6RouterInfo> out = new ArrayList<>();
        for (Entry e : routers) {
            if (e.live(now)) {
                out.add(new Ipv6RouterInfo(ifc.name(), new Ipv6Address(e.hi, e.lo), Ipv6Interface.secondsLeft(e.until, now)));
            }
        }
        return out;
    }

    public List<Ipv6PrefixInfo> prefixInfo() {
        long now = now();
        List<Ipv6PrefixInfo> out = new ArrayList<>();
        for (Entry e : prefixes) {
            if (e.live(now)) {
                out.add(new Ipv6PrefixInfo(ifc.name(), new Ipv6Address(e.hi, e.lo), e.prefixLength, Ipv6Interface.secondsLeft(e.until, now)));
            }
        }
        return out;
    }

    /**
     * Sets what a stateless DHCPv6 exchange learnt on this interface (RFC 8415 §18.2.6, RFC 3646):
     * DNS servers (at most {@link #MAX_DNS_SERVERS} kept) and the domain search list, replacing
     * what an earlier reply gave. Loop thread.
     */
    public void setDhcpv6Options(List<Ipv6Address> servers, List<String> domains) {
        dhcpDnsServers = List.copyOf(servers.subList(0, Math.min(servers.size(), MAX_DNS_SERVERS)));
        dhcpDomains = List.copyOf(domains);
    }

    /** The DNS servers DHCPv6 gave (RFC 3646), for the resolver next to the advertised ones. */
    public List<Ipv6Address> dhcpv6DnsServers() {
        return dhcpDnsServers;
    }

    /** The domain search list DHCPv6 gave (RFC 3646 §4). */
    public List<String> dhcpv6Domains() {
        return dhcpDomains;
    }

    /** The recursive DNS servers routers advertised (RFC 8106), still within their lifetime, for the resolver. */
    public List<Ipv6Address> dnsServers() {
        long now = now();
        List<Ipv6Address> out = new ArrayList<>();
        for (Entry e : dnsServers) {
            if (e.live(now)) {
                out.add(new Ipv6Address(e.hi, e.lo));
            }
        }
        return out;
    }
}
