package org.jnetstack.dhcp;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jnetstack.NetStack;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.Dhcpv6Malformed;
import org.jnetstack.wire.Dhcpv6Message;
import org.jnetstack.wire.Ipv6Address;

/**
 * The stateless DHCPv6 client (RFC 8415 §18.2.6) of a stack's first IPv6 interface: when a
 * router advertisement sets the "other configuration" flag and not the "managed" one (RFC 4861
 * §4.2), it sends an Information-Request to ff02::1:2 from port 546 — after a random delay of up
 * to INF_MAX_DELAY, retransmitted per §15 (IRT 1 s doubling to MRT 3600 s, each ±10 % at random,
 * for as long as it takes) — and takes the DNS servers and domain search list of the Reply (RFC
 * 3646) into the interface, where the resolver finds them next to the advertised (RDNSS) ones.
 * It asks again after the Information Refresh Time (§21.23; 86400 s by default, never below
 * 600 s). A reply with another transaction id, without our Client Identifier or without a Server
 * Identifier is ignored; malformed ones are dropped; each is counted.
 *
 * <pre>{@code
 * Dhcpv6Client dhcp6 = Dhcpv6Client.start(stack); // then stack.ipv6DnsServers() includes what it learns
 * }</pre>
 *
 * <p>Loop thread only (create it before the loop starts or inside {@code loop.execute}).
 */
public final class Dhcpv6Client {
    private static final System.Logger LOG = System.getLogger(Dhcpv6Client.class.getName());
    private static final long SECOND = 1_000_000_000L;
    /** RFC 8415 §7.6: INF_MAX_DELAY, the most the first Information-Request waits. */
    static final long INF_MAX_DELAY_NANOS = SECOND;
    /** RFC 8415 §7.6: INF_TIMEOUT, the initial retransmission time (IRT) of an Information-Request. */
    static final long INF_TIMEOUT_NANOS = SECOND;
    /** RFC 8415 §7.6: INF_MAX_RT, the most a retransmission waits (MRT). */
    static final long INF_MAX_RT_NANOS = 3600 * SECOND;
    /** RFC 8415 §7.6: IRT_DEFAULT, the refresh time when the server gives none. */
    static final long IRT_DEFAULT_SECONDS = 86_400;
    /** RFC 8415 §7.6: IRT_MINIMUM, the shortest refresh time a server may make us use. */
    static final long IRT_MINIMUM_SECONDS = 600;
    /** Domain search names kept from one reply. */
    static final int MAX_DOMAINS = 8;

    /** Where the client is. */
    public enum State {
        /** No advertisement asked for DHCPv6 (no O flag, or M set). */
        IDLE,
        /** Sending Information-Requests (or waiting out the first random delay). */
        REQUESTING,
        /** Configured; the next exchange is at the refresh time. */
        INFORMED,
        STOPPED
    }

    private final Ipv6Interface ifc;
    private final EventLoop loop;
    private final RandomGenerator xids;
    private final RandomGenerator random;
    private final byte[] duid;
    private final UdpEndpoint endpoint;
    private final Dhcpv6Message rx = new Dhcpv6Message();
    private final byte[] tx = new byte[64];
    private final Timer timer;

    private State state = State.IDLE;
    private int xid;
    private long exchangeStart = -1;
    private long rt;
    private long refreshSeconds = -1;
    private String server;

    private final Counter txInformationRequests;
    private final Counter rxReplies;
    private final Counter rxWrongTransaction;
    private final Counter rxNotOurs;
    private final Counter dnsIgnored;
    private final Counter[] rxMalformed = new Counter[Dhcpv6Malformed.values().length];

    private Dhcpv6Client(NetStack stack, Ipv6Interface ifc) {
        this.ifc = ifc;
        this.loop = stack.loop();
        this.xids = stack.ipv4().secrets().newStream("dhcp6.xid");
        this.random = stack.ipv4().secrets().newStream("dhcp6.timing");
        this.duid = Dhcpv6Message.duidLl(ifc.netInterface().mac().bits());
        Counters c = stack.counters();
        txInformationRequests = c.counter("dhcp6.tx.information_requests");
        rxReplies = c.counter("dhcp6.rx.replies");
        rxWrongTransaction = c.counter("dhcp6.rx.drop.wrong_transaction");
        rxNotOurs = c.counter("dhcp6.rx.drop.not_ours");
        dnsIgnored = c.counter("dhcp6.dns.drop.list_full");
        for (Dhcpv6Malformed m : Dhcpv6Malformed.values()) {
            rxMalformed[m.ordinal()] = c.counter("dhcp6.rx.drop." + m.id());
        }
        this.timer = loop.newTimer(this::onTimer);
        this.endpoint = stack.udp().open(Dhcpv6Message.CLIENT_PORT, new UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
                // DHCPv6 comes over IPv6 only
            }

            @Override
            public void onDatagram6(UdpEndpoint ep, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
                receive(srcPort, buf, off, len);
            }
        });
    }

    /**
     * Starts the client on the stack's first IPv6 interface (the one multicast to ff02::1:2 leaves
     * by): it waits for a router advertisement with the O flag, or acts at once if one came already.
     *
     * @throws IllegalStateException if the stack has no IPv6 interface
     */
    public static Dhcpv6Client start(NetStack stack) {
        if (stack.ipv6() == null || stack.ipv6().interfaces().isEmpty()) {
            throw new IllegalStateException("stateless DHCPv6 needs IPv6 on an interface: the stack has none");
        }
        Ipv6Interface ifc = stack.ipv6().interfaces().get(0);
        Dhcpv6Client c = new Dhcpv6Client(stack, ifc);
        stack.ipv6().setRouterFlagsListener(c::onRouterFlags);
        c.onRouterFlags(ifc, ifc.routers().managed(), ifc.routers().other());
        return c;
    }

    public State state() {
        return state;
    }

    /** The refresh time the last reply set (seconds; -1 for none yet, 0xFFFFFFFF for never). */
    public long refreshSeconds() {
        return refreshSeconds;
    }

    /** The DUID of the server that answered last, in hex; null before any reply. */
    public String server() {
        return server;
    }

    /** The client's DUID-LL (RFC 8415 §11.4), as sent in its Client Identifier. */
    public byte[] duid() {
        return duid.clone();
    }

    /** Stops: timers cancelled, port closed; what was learnt stays on the interface. */
    public void stop() {
        timer.cancel();
        endpoint.close();
        state = State.STOPPED;
    }

    /** RFC 4861 §4.2 and RFC 8415 §18.2.6: O without M asks for the other configuration only. */
    private void onRouterFlags(Ipv6Interface from, boolean managed, boolean other) {
        if (from != ifc || state == State.STOPPED) {
            return;
        }
        if (other && !managed) {
            if (state == State.IDLE) {
                state = State.REQUESTING;
                exchangeStart = -1;
                xid = xids.nextInt() & 0xFF_FFFF;
                timer.schedule(random.nextLong(INF_MAX_DELAY_NANOS + 1));
            }
        } else if (state != State.IDLE) {
            timer.cancel(); // the routers no longer offer it (what was learnt stays until replaced)
            state = State.IDLE;
        }
    }

    private void onTimer() {
        if (state == State.INFORMED) { // §18.2.6: the refresh time passed: a new exchange
            state = State.REQUESTING;
            exchangeStart = -1;
            xid = xids.nextInt() & 0xFF_FFFF;
        }
        if (state == State.REQUESTING) {
            send();
        }
    }

    /** One (re)transmission; the next after RT (§15). */
    private void send() {
        long now = loop.clock().nanos();
        if (exchangeStart < 0) {
            exchangeStart = now;
            rt = INF_TIMEOUT_NANOS + jitter(INF_TIMEOUT_NANOS);
        } else {
            rt = 2 * rt + jitter(rt);
            if (rt > INF_MAX_RT_NANOS) {
                rt = INF_MAX_RT_NANOS + jitter(INF_MAX_RT_NANOS);
            }
        }
        // §21.9: the Elapsed Time since the first message of this exchange, in hundredths of a second.
        int len = Dhcpv6Message.writeInformationRequest(tx, 0, xid, duid, (now - exchangeStart) / 10_000_000L);
        txInformationRequests.inc();
        endpoint.send(Dhcpv6Message.ALL_SERVERS, Dhcpv6Message.SERVER_PORT, tx, 0, len);
        timer.schedule(rt);
    }

    /** §15: RAND, uniform in -0.1..+0.1, times {@code base}. */
    private long jitter(long base) {
        return (long) ((random.nextDouble() * 0.2 - 0.1) * base);
    }

    private void receive(int srcPort, byte[] buf, int off, int len) {
        Dhcpv6Malformed m = rx.wrap(buf, off, len).check();
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        if (state != State.REQUESTING) {
            rxNotOurs.inc(); // nothing asked for
            return;
        }
        if (rx.transactionId() != xid) {
            rxWrongTransaction.inc();
            return;
        }
        // §16.10: a Reply carries the Server Identifier and the Client Identifier we sent.
        if (srcPort != Dhcpv6Message.SERVER_PORT || rx.messageType() != Dhcpv6Message.REPLY || !rx.hasServerId()
                || !rx.clientIdEquals(duid)) {
            rxNotOurs.inc();
            return;
        }
        rxReplies.inc();
        List<Ipv6Address> servers = new ArrayList<>();
        for (int i = 0, n = rx.dnsServerCount(); i < n; i++) {
            Ipv6Address a = new Ipv6Address(rx.dnsServerHi(i), rx.dnsServerLo(i));
            if (servers.size() >= org.jnetstack.ip6.RouterDiscovery.MAX_DNS_SERVERS) {
                dnsIgnored.inc();
            } else if (!servers.contains(a)) {
                servers.add(a);
            }
        }
        List<String> domains = rx.domainSearchList(MAX_DOMAINS);
        ifc.routers().setDhcpv6Options(servers, domains);
        server = rx.serverIdHex();
        long irt = rx.refreshTime();
        refreshSeconds = irt < 0 ? IRT_DEFAULT_SECONDS : irt == 0xFFFF_FFFFL ? irt : Math.max(IRT_MINIMUM_SECONDS, irt);
        state = State.INFORMED;
        timer.cancel();
        if (refreshSeconds != 0xFFFF_FFFFL) {
            timer.schedule(refreshSeconds * SECOND);
        }
        LOG.log(Level.INFO, "{0}: DHCPv6 (stateless): DNS servers {1}, search {2}, refresh in {3} s", ifc.name(), servers,
                domains, refreshSeconds);
    }

    @Override
    public String toString() {
        return "DHCPv6 client on " + ifc.name() + " " + state;
    }
}
