package org.jnetstack.usernet;

import java.util.random.RandomGenerator;
import org.jnetstack.NetStack;
import org.jnetstack.ip6.Ipv6;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.ip6.RouterSolicitationListener;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.NdpWriter;

/**
 * The gateway as the IPv6 router of its link (RFC 4861 §6.2): puts its stack's interface in the
 * router role and multicasts Router Advertisements to all nodes — the prefix with the on-link and
 * autonomous flags (so hosts form addresses by SLAAC), the link MTU, the gateway's link-layer
 * address, and its router lifetime (so hosts route through it).
 *
 * <ul>
 *   <li>Unsolicited (§6.2.4): the first as soon as the link-local address is usable, then at
 *       intervals drawn uniformly from [MinRtrAdvInterval, MaxRtrAdvInterval] = [200 s, 600 s],
 *       the first {@link #MAX_INITIAL_RTR_ADVERTISEMENTS} of them at most
 *       {@link #MAX_INITIAL_RTR_ADVERT_INTERVAL_NANOS} apart.</li>
 *   <li>Solicited (§6.2.6): a router solicitation is answered by a multicast advertisement after
 *       a random delay of up to {@link #MAX_RA_DELAY_TIME_NANOS}, and never sooner than
 *       {@link #MIN_DELAY_BETWEEN_RAS_NANOS} after the previous one; solicitations that arrive
 *       while an advertisement is already due are answered by that one (counted in
 *       {@code usernet.ip6.rs.rate_limited}), so a flood of them makes at most one advertisement every 3 s.</li>
 *   <li>Stopping (§6.2.5): a last advertisement with router lifetime 0, so hosts stop using the gateway at once.</li>
 * </ul>
 *
 * <p>The DNS address {@code PREFIX::3} goes in a Recursive DNS Server option (RFC 8106 §5.1), its
 * lifetime 3 × MaxRtrAdvInterval (§5.1's SHOULD-default lower bound). Loop thread.
 */
final class RouterAdvertiser implements RouterSolicitationListener {
    /** RFC 4861 §6.2.1 MaxRtrAdvInterval default. */
    static final long MAX_RTR_ADV_INTERVAL_SECONDS = 600;
    /** RFC 4861 §6.2.1 MinRtrAdvInterval (0.33 × MaxRtrAdvInterval, rounded). */
    static final long MIN_RTR_ADV_INTERVAL_SECONDS = 200;
    /** RFC 4861 §10. */
    static final int MAX_INITIAL_RTR_ADVERTISEMENTS = 3;
    static final long MAX_INITIAL_RTR_ADVERT_INTERVAL_NANOS = 16_000_000_000L;
    static final long MIN_DELAY_BETWEEN_RAS_NANOS = 3_000_000_000L;
    static final long MAX_RA_DELAY_TIME_NANOS = 500_000_000L;
    /** How soon to look again while the link-local address is still being checked (RFC 4862 §5.4). */
    private static final long WAIT_FOR_LINK_LOCAL_NANOS = 100_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private final NetStack stack;
    private final Ipv6Interface ifc;
    private final RandomGenerator random;
    private final NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement();
    private final byte[] tx;
    private final Timer timer;
    private final int routerLifetimeSeconds;

    private final Counter sent;
    private final Counter sentSolicited;
    private final Counter rateLimited;
    private final Counter dropped;

    private int initialLeft = MAX_INITIAL_RTR_ADVERTISEMENTS;
    /** When the last multicast advertisement went out; valid once {@link #sentAny}. */
    private long lastSentAt;
    private boolean sentAny;
    /** A solicitation is waiting for the advertisement the timer will send. */
    private boolean responseDue;
    private boolean stopped;

    /**
     * @param stack  the gateway's stack, IPv6 on, its first interface holding {@code prefix::2/64}
     * @param mtu    the link MTU to advertise
     * @param random where the intervals and delays are drawn from
     */
    RouterAdvertiser(NetStack stack, Ipv6Address prefix, UserNetIpv6 config, int mtu, RandomGenerator random) {
        this.stack = stack;
        this.ifc = stack.ipv6().interfaces().getFirst();
        this.random = random;
        this.routerLifetimeSeconds = (int) config.routerLifetime().toSeconds();
        ra.curHopLimit(ifc.curHopLimit()).managed(false).other(false).routerLifetime(routerLifetimeSeconds)
                .reachableTime(0).retransTimer(0).sourceMac(ifc.netInterface().macBits()).mtu(mtu)
                .addPrefix(prefix.hi(), prefix.lo(), 64, true, true, config.validLifetime().toSeconds(),
                        config.preferredLifetime().toSeconds())
                .addDnsServer(prefix.hi(), UserNetIpv6.dnsAddress(prefix).lo()).dnsLifetime(3 * MAX_RTR_ADV_INTERVAL_SECONDS);
        this.tx = new byte[Ipv6.TRANSPORT_OFFSET + ra.length()];
        this.timer = stack.loop().newTimer(this::advertise);
        var c = stack.counters();
        sent = c.counter("usernet.ip6.ra.tx");
        sentSolicited = c.counter("usernet.ip6.ra.tx_solicited");
        rateLimited = c.counter("usernet.ip6.rs.rate_limited");
        dropped = c.counter("usernet.ip6.ra.drop");
    }

    /** Takes the router role and sends the first advertisement once the link-local address is usable. */
    void start() {
        ifc.setRouterRole(this);
        timer.schedule(0);
    }

    /** Sends the last advertisement (router lifetime 0, §6.2.5) and leaves the router role. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        timer.cancel();
        ra.routerLifetime(0);
        send();
        ifc.setRouterRole(null);
    }

    private long now() {
        return stack.loop().clock().nanos();
    }

    @Override
    public void routerSolicited(Ipv6Interface on, long srcHi, long srcLo) {
        if (stopped) {
            return;
        }
        if (responseDue) {
            rateLimited.inc(); // answered by the advertisement already due
            return;
        }
        long now = now();
        long delay = (long) (random.nextDouble() * MAX_RA_DELAY_TIME_NANOS);
        long due = now + delay;
        if (sentAny && now - lastSentAt < MIN_DELAY_BETWEEN_RAS_NANOS) {
            due = lastSentAt + MIN_DELAY_BETWEEN_RAS_NANOS + delay;
        }
        responseDue = true;
        if (!timer.isScheduled() || timer.deadline() - due > 0) {
            timer.scheduleAt(due);
        }
    }

    private void advertise() {
        if (stopped) {
            return;
        }
        if (ifc.linkLocalAddress() == null) {
            timer.schedule(WAIT_FOR_LINK_LOCAL_NANOS);
            return;
        }
        if (send()) {
            sent.inc();
            if (responseDue) {
                sentSolicited.inc();
            }
        }
        responseDue = false;
        lastSentAt = now();
        sentAny = true;
        long interval = MIN_RTR_ADV_INTERVAL_SECONDS * SECOND
                + (long) (random.nextDouble() * (MAX_RTR_ADV_INTERVAL_SECONDS - MIN_RTR_ADV_INTERVAL_SECONDS) * SECOND);
        if (initialLeft > 0) {
            initialLeft--;
            if (initialLeft > 0) {
                interval = Math.min(interval, MAX_INITIAL_RTR_ADVERT_INTERVAL_NANOS);
            }
        }
        timer.scheduleAt(lastSentAt + interval);
    }

    /** One advertisement to all nodes from the link-local address with hop limit 255 (§6.1.2); false if it could not go out. */
    private boolean send() {
        Ipv6Address src = ifc.linkLocalAddress();
        if (src == null) {
            dropped.inc();
            return false;
        }
        int off = Ipv6.TRANSPORT_OFFSET;
        int len = NdpWriter.writeRouterAdvertisement(tx, off, ra);
        long dstHi = Ipv6Address.ALL_NODES.hi();
        long dstLo = Ipv6Address.ALL_NODES.lo();
        Icmpv6Message.writeChecksum(tx, off, len, src.hi(), src.lo(), dstHi, dstLo);
        if (!stack.ipv6().send(ifc, src.hi(), src.lo(), dstHi, dstLo, Ipv6Packet.NH_ICMPV6, 255, tx, off, len)) {
            dropped.inc();
            return false;
        }
        return true;
    }
}
