package org.jnetstack.ip6;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jnetstack.ip.LinkProtocolHandler;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;

/**
 * IPv6 on one {@link NetInterface}: its addresses (each tentative, preferred, deprecated or
 * duplicate; link-local, static or SLAAC, with lifetimes), the link parameters routers may set
 * (RFC 4861 §6.3.2: link MTU, CurHopLimit, BaseReachableTime and its randomized ReachableTime,
 * RetransTimer), and the interface's neighbour cache, address configuration and router
 * discovery.
 */
public final class Ipv6Interface implements LinkProtocolHandler {
    /** Addresses one interface holds (link-local, static, SLAAC and their duplicates together); more are refused and counted. */
    public static final int MAX_ADDRESSES = 16;
    /** RFC 4861 §10: REACHABLE_TIME, the default BaseReachableTime. */
    static final long REACHABLE_TIME_MILLIS = 30_000;
    /** RFC 4861 §10: RETRANS_TIMER. */
    static final long RETRANS_TIMER_MILLIS = 1_000;
    /** RFC 4861 §10: MIN_RANDOM_FACTOR and MAX_RANDOM_FACTOR bound ReachableTime around its base. */
    private static final double MIN_RANDOM_FACTOR = 0.5;
    private static final double MAX_RANDOM_FACTOR = 1.5;

    static final int NOT_FOR_US = 0;
    static final int FOR_US = 1;
    /** Addressed to a tentative address of ours: only neighbour discovery for it may look (RFC 4862 §5.4). */
    static final int TENTATIVE = 2;
    /** Not ours, taken only because the layer accepts any destination ({@link Ipv6#setAcceptAnyDestination}). */
    static final int FOREIGN = 3;

    private final Ipv6 ip;
    private final NetInterface ni;
    private final int index;
    private final List<InterfaceAddress> addresses = new ArrayList<>();
    private final NeighborCache neighbors;
    private final Ndp ndp;
    private final AddressConfiguration addressing;
    private final RouterDiscovery routers;
    private final Mld mld;
    private final RandomGenerator random;
    private final Counter addressesRefused;

    /** Where router solicitations go while this is a router's interface; null on a host. */
    private RouterSolicitationListener routerRole;
    private int linkMtu;
    private int curHopLimit;
    private long baseReachableMillis = REACHABLE_TIME_MILLIS;
    private long reachableNanos;
    private long retransNanos = RETRANS_TIMER_MILLIS * 1_000_000L;
    private boolean running;

    Ipv6Interface(Ipv6 ip, NetInterface ni, int index, Counters counters) {
        this.ip = ip;
        this.ni = ni;
        this.index = index;
        this.linkMtu = Math.max(ni.mtu(), Ipv6Packet.MIN_MTU);
        this.curHopLimit = ip.config().hopLimit();
        this.random = ip.secrets().newStream("ip6.nd.random");
        this.reachableNanos = randomizedReachable();
        this.addressesRefused = counters.counter("ip6.addr.drop.table_full");
        this.mld = new Mld(this, counters);
        this.neighbors = new NeighborCache(this, counters);
        this.ndp = new Ndp(this, counters);
        this.addressing = new AddressConfiguration(this, counters);
        this.routers = new RouterDiscovery(this, counters);
    }

    void start(List<String> staticAddresses) {
        running = true;
        addressing.start(staticAddresses);
    }

    void stop() {
        running = false;
        addressing.stop();
        routers.stop();
        mld.stop();
        neighbors.clear();
    }

    boolean running() {
        return running;
    }

    /**
     * Makes this a router's interface (RFC 4861 §6.2), for a stack that advertises itself as the
     * link's router: it accepts packets to all-routers ff02::2, its neighbour advertisements carry
     * the Router flag (§7.2.4: a host clears a neighbour from its default router list when the
     * flag goes), it no longer solicits routers, and each valid router solicitation (§6.1.1) goes
     * to {@code listener}. Null makes it a host's again. Loop thread.
     */
    public void setRouterRole(RouterSolicitationListener listener) {
        this.routerRole = listener;
    }

    /** True while {@link #setRouterRole} has made this a router's interface. */
    public boolean isRouter() {
        return routerRole != null;
    }

    RouterSolicitationListener routerRole() {
        return routerRole;
    }

    /** The usable link-local address (the source of what a router sends, RFC 4861 §6.1.2), or null while none is. */
    public Ipv6Address linkLocalAddress() {
        InterfaceAddress a = linkLocal();
        return a == null ? null : new Ipv6Address(a.hi, a.lo);
    }

    @Override
    public void input(NetInterface iface, byte[] buf, int off, int len, long sourceMac, int frameFlags) {
        ip.input(this, buf, off, len, frameFlags);
    }

    /** The IPv6 layer this interface belongs to. */
    public Ipv6 ipv6() {
        return ip;
    }

    public NetInterface netInterface() {
        return ni;
    }

    public String name() {
        return ni.name();
    }

    /** 1 for the first interface of the stack, as a zone index ({@code fe80::1%1}). */
    public int index() {
        return index;
    }

    Ipv6 ip() {
        return ip;
    }

    public NeighborCache neighbors() {
        return neighbors;
    }

    Ndp ndp() {
        return ndp;
    }

    AddressConfiguration addressing() {
        return addressing;
    }

    Mld mld() {
        return mld;
    }

    public RouterDiscovery routers() {
        return routers;
    }

    RandomGenerator random() {
        return random;
    }

    long macBits() {
        return ni.macBits();
    }

    /** The largest packet sent unfragmented on this link: the device's MTU, or less if a router said so (RFC 4861 §4.6.4). */
    public int linkMtu() {
        return linkMtu;
    }

    void setLinkMtu(int mtu) {
        if (mtu != linkMtu) {
            // Connections over this link take the new MTU at their next send, as they take a
            // path MTU another connection learned (their MSS follows mtuFor).
            ip.pathMtu().linkMtuChanged();
        }
        this.linkMtu = mtu;
    }

    /** Hop limit of unicast packets we send (RFC 4861 §6.3.2 CurHopLimit). */
    public int curHopLimit() {
        return curHopLimit;
    }

    void setCurHopLimit(int v) {
        this.curHopLimit = v;
    }

    /** How long a neighbour stays REACHABLE after a confirmation: BaseReachableTime times a random 0.5–1.5 (RFC 4861 §6.3.2). */
    public long reachableNanos() {
        return reachableNanos;
    }

    public long baseReachableMillis() {
        return baseReachableMillis;
    }

    void setBaseReachableMillis(long ms) {
        if (ms != baseReachableMillis) {
            baseReachableMillis = ms;
            reachableNanos = randomizedReachable();
        }
    }

    private long randomizedReachable() {
        double f = MIN_RANDOM_FACTOR + random.nextDouble() * (MAX_RANDOM_FACTOR - MIN_RANDOM_FACTOR);
        return (long) (baseReachableMillis * 1_000_000L * f);
    }

    /** Time between neighbour solicitations (RFC 4861 §6.3.2 RetransTimer). */
    public long retransNanos() {
        return retransNanos;
    }

    void setRetransMillis(long ms) {
        this.retransNanos = ms * 1_000_000L;
    }

    int addressCount() {
        return addresses.size();
    }

    InterfaceAddress address(int i) {
        return addresses.get(i);
    }

    /** Adds an address record; false (counted) when the interface already holds {@link #MAX_ADDRESSES}. */
    boolean add(InterfaceAddress a) {
        if (addresses.size() >= MAX_ADDRESSES) {
            addressesRefused.inc();
            return false;
        }
        addresses.add(a);
        mld.addressesChanged(); // its solicited-node group is joined while it is still tentative (RFC 4862 §5.4.2)
        return true;
    }

    void remove(InterfaceAddress a) {
        addresses.remove(a);
        if (a.timer != null) {
            a.timer.cancel();
        }
        mld.addressesChanged();
    }

    /** The address record for {@code hi:lo} in any state, or null. */
    InterfaceAddress find(long hi, long lo) {
        for (int i = 0, n = addresses.size(); i < n; i++) {
            InterfaceAddress a = addresses.get(i);
            if (a.is(hi, lo) && a.state != AddressState.DUPLICATE) {
                return a;
            }
        }
        return null;
    }

    /** The usable (preferred or deprecated) address {@code hi:lo}, or null. */
    InterfaceAddress usableAddress(long hi, long lo) {
        for (int i = 0, n = addresses.size(); i < n; i++) {
            InterfaceAddress a = addresses.get(i);
            if (a.is(hi, lo) && a.usable()) {
                return a;
            }
        }
        return null;
    }

    /** The usable link-local address, or null while none is (RFC 4861 §6.3.7 and §7.2.2 use it). */
    InterfaceAddress linkLocal() {
        for (int i = 0, n = addresses.size(); i < n; i++) {
            InterfaceAddress a = addresses.get(i);
            if (a.usable() && Ipv6Address.isLinkLocal(a.hi)) {
                return a;
            }
        }
        return null;
    }

    /**
     * Whether a packet to {@code dst} is for us: a usable address of ours, all-nodes ff02::1 (and
     * all-routers ff02::2 in the router role), or
     * the solicited-node group of any of our addresses (joined from the moment an address is
     * tentative, RFC 4862 §5.4.2); a tentative address gives {@link #TENTATIVE}.
     */
    int accepts(long dstHi, long dstLo) {
        if (Ipv6Address.isMulticast(dstHi)) {
            if (dstHi == Ipv6Address.ALL_NODES.hi() && dstLo == Ipv6Address.ALL_NODES.lo()) {
                return FOR_US;
            }
            if (routerRole != null && dstHi == Ipv6Address.ALL_ROUTERS.hi() && dstLo == Ipv6Address.ALL_ROUTERS.lo()) {
                return FOR_US;
            }
            if (dstHi == Ipv6Address.solicitedNodeHi()) {
                for (int i = 0, n = addresses.size(); i < n; i++) {
                    InterfaceAddress a = addresses.get(i);
                    if (a.state != AddressState.DUPLICATE && Ipv6Address.solicitedNodeLo(a.lo) == dstLo) {
                        return FOR_US;
                    }
                }
            }
            return NOT_FOR_US;
        }
        for (int i = 0, n = addresses.size(); i < n; i++) {
            InterfaceAddress a = addresses.get(i);
            if (a.is(dstHi, dstLo)) {
                if (a.usable()) {
                    return FOR_US;
                }
                if (a.state == AddressState.TENTATIVE) {
                    return TENTATIVE;
                }
            }
        }
        return NOT_FOR_US;
    }

    /** The addresses now, for display. */
    public List<Ipv6AddressInfo> addressInfo() {
        long now = ip.loop().clock().nanos();
        List<Ipv6AddressInfo> out = new ArrayList<>(addresses.size());
        for (InterfaceAddress a : addresses) {
            out.add(new Ipv6AddressInfo(name(), new Ipv6Address(a.hi, a.lo), a.prefixLength, a.state, a.origin,
                    secondsLeft(a.validUntil, now), secondsLeft(a.preferredUntil, now)));
        }
        return out;
    }

    static long secondsLeft(long until, long now) {
        return until == InterfaceAddress.INFINITE ? -1 : Math.max(0, (until - now) / 1_000_000_000L);
    }

    @Override
    public String toString() {
        return name() + " " + addresses.stream().map(a -> new Ipv6Address(a.hi, a.lo) + "/" + a.prefixLength + " " + a.state).toList();
    }
}
