package org.jnetstack.dhcp;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jnetstack.NetStack;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.DhcpMalformed;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.Ipv4Address;

/**
 * A DHCP client (RFC 2131) for one interface, running on the stack's loop. It obtains a lease
 * (DISCOVER, OFFER, REQUEST, ACK), checks by ARP probe that nobody else uses the address (RFC
 * 5227) and DECLINEs it if somebody does, applies address, mask, router and MTU to the stack,
 * renews at T1 (unicast) and rebinds at T2 (broadcast), removes the address when the lease
 * expires or a server NAKs it, and RELEASEs it on {@link #release()}. With a remembered address it
 * starts in INIT-REBOOT. Retransmissions back off exponentially, randomized (RFC 2131 §4.1).
 *
 * <pre>{@code
 * DhcpClient dhcp = DhcpClient.start(stack, DhcpConfig.defaults().withHostName("probe-7"), new DhcpListener() {
 *     public void onBound(DhcpLease lease) { System.out.println("got " + lease); }
 * });
 * }</pre>
 *
 * <p>Loop thread only (create it before the loop starts or inside {@code loop.execute}).
 */
public final class DhcpClient {
    private static final System.Logger LOG = System.getLogger(DhcpClient.class.getName());
    private static final long SECOND = 1_000_000_000L;
    /** RFC 2132 §9.4: "infinity" lease. */
    private static final long INFINITE = 0xFFFF_FFFFL;

    private final NetStack stack;
    private final NetInterface ni;
    private final EventLoop loop;
    private final DhcpConfig config;
    /** Transaction ids: a stream of their own, so an xid on the wire tells nothing of any other secret. */
    private final RandomGenerator xids;
    /** Retransmission jitter and initial delays. */
    private final RandomGenerator random;
    private final long mac;
    private final UdpEndpoint endpoint;
    private final DhcpMessage rx = new DhcpMessage();
    private final ClientMessages messages;
    private final Timer retransmitTimer;
    private final Timer leaseTimer;
    private final List<DhcpListener> listeners = new ArrayList<>();

    private DhcpState state = DhcpState.INIT;
    private int xid;
    private int attempt;
    private long acquisitionStart;
    private long requestSentAt;
    private int offered;
    private int offerServer;
    private int consecutiveNaks;
    private DhcpLease candidate;
    private int probesSent;
    private DhcpLease lease;

    private final Counter txDiscover;
    private final Counter txRequest;
    private final Counter txDecline;
    private final Counter txRelease;
    private final Counter rxOffer;
    private final Counter rxAck;
    private final Counter rxNak;
    private final Counter rxIgnored;
    private final Counter[] rxMalformed = new Counter[DhcpMalformed.values().length];
    private final Counter conflicts;
    private final Counter expired;

    private DhcpClient(NetStack stack, NetInterface ni, DhcpConfig config) {
        this.stack = stack;
        this.ni = ni;
        this.loop = stack.loop();
        this.config = config;
        this.xids = stack.ipv4().secrets().newStream("dhcp.xid");
        this.random = stack.ipv4().secrets().newStream("dhcp.timing");
        this.mac = ni.mac().bits();
        Counters c = stack.counters();
        txDiscover = c.counter("dhcp.tx.discover");
        txRequest = c.counter("dhcp.tx.request");
        txDecline = c.counter("dhcp.tx.decline");
        txRelease = c.counter("dhcp.tx.release");
        rxOffer = c.counter("dhcp.rx.offer");
        rxAck = c.counter("dhcp.rx.ack");
        rxNak = c.counter("dhcp.rx.nak");
        rxIgnored = c.counter("dhcp.rx.drop.not_ours");
        for (DhcpMalformed m : DhcpMalformed.values()) {
            rxMalformed[m.ordinal()] = c.counter("dhcp.rx.drop." + m.id());
        }
        conflicts = c.counter("dhcp.address_conflicts");
        expired = c.counter("dhcp.leases_expired");
        this.retransmitTimer = loop.newTimer(this::onRetransmitTimer);
        this.leaseTimer = loop.newTimer(this::onLeaseTimer);
        this.endpoint = stack.udp().open(DhcpMessage.CLIENT_PORT, this::onDatagram);
        this.messages = new ClientMessages(ni, config, endpoint);
    }

    /** Starts a client on the stack's first interface; the listeners hear every event from the first state change on. */
    public static DhcpClient start(NetStack stack, DhcpConfig config, DhcpListener... listeners) {
        return start(stack, stack.iface(), config, listeners);
    }

    /** Starts a client on {@code ni}: from INIT-REBOOT when the config remembers an address, else from INIT. */
    public static DhcpClient start(NetStack stack, NetInterface ni, DhcpConfig config, DhcpListener... listeners) {
        DhcpClient c = new DhcpClient(stack, ni, config);
        c.listeners.addAll(java.util.Arrays.asList(listeners));
        c.begin();
        return c;
    }

    public void addListener(DhcpListener l) {
        listeners.add(l);
    }

    public void removeListener(DhcpListener l) {
        listeners.remove(l);
    }

    public DhcpState state() {
        return state;
    }

    /** The lease in use (BOUND, RENEWING, REBINDING), or null. */
    public DhcpLease lease() {
        return lease;
    }

    public NetInterface iface() {
        return ni;
    }

    /** Extends the lease now instead of at T1 (an administrator's "renew" button); ignored unless BOUND. */
    public void renew() {
        if (state == DhcpState.BOUND) {
            enterRenewing();
        }
    }

    /**
     * Gives the lease back (RFC 2131 §4.4.6): a RELEASE unicast to the server, the address
     * removed from the stack, and the client stopped.
     */
    public void release() {
        DhcpLease l = lease;
        if (l != null) {
            xid = xids.nextInt();
            txRelease.inc();
            messages.release(xid, l);
            unconfigure(l, "released");
        }
        stop();
    }

    /** Stops without releasing: timers cancelled, port closed; a bound address stays on the interface. */
    public void stop() {
        retransmitTimer.cancel();
        leaseTimer.cancel();
        ni.neighbors().observe(null);
        endpoint.close();
        setState(DhcpState.STOPPED);
    }

    // ---- acquisition ----

    private void begin() {
        acquisitionStart = now();
        attempt = 0;
        xid = xids.nextInt();
        if (config.rememberedAddress() != null && config.rememberedAddress().bits() != 0) {
            offered = config.rememberedAddress().bits();
            offerServer = 0;
            setState(DhcpState.REBOOTING);
            sendRequest();
            return;
        }
        enterInit(randomDelay(config.initialDelayMax().toNanos()));
    }

    private void enterInit(long delayNanos) {
        setState(DhcpState.INIT);
        retransmitTimer.cancel();
        leaseTimer.cancel();
        ni.neighbors().observe(null);
        if (delayNanos <= 0) {
            discover();
        } else {
            retransmitTimer.schedule(delayNanos);
        }
    }

    private void discover() {
        acquisitionStart = now();
        attempt = 0;
        xid = xids.nextInt();
        setState(DhcpState.SELECTING);
        sendDiscover();
    }

    private void sendDiscover() {
        txDiscover.inc();
        messages.discover(xid, secs());
        scheduleBackoff();
    }

    /** REQUEST in the form this state needs, then its retransmission timer. */
    private void sendRequest() {
        txRequest.inc();
        requestSentAt = now();
        messages.request(state, xid, secs(), offered, offerServer, lease);
        if (state == DhcpState.RENEWING || state == DhcpState.REBINDING) {
            scheduleRenewRetransmit();
        } else {
            scheduleBackoff();
        }
    }

    /** RFC 2131 §4.1: 4 s, doubling to 64 s, each randomized by a uniform ±1 s. */
    private void scheduleBackoff() {
        long base = Math.min(config.retransmitInitial().toNanos() << Math.min(attempt, 20), config.retransmitMax().toNanos());
        long jitter = random.nextLong(-SECOND, SECOND + 1);
        attempt++;
        retransmitTimer.schedule(Math.max(base / 2, base + jitter));
    }

    /** RFC 2131 §4.4.5: wait half the time left until T2 (or expiry), at least the configured minimum. */
    private void scheduleRenewRetransmit() {
        long deadline = state == DhcpState.RENEWING ? t2At() : expiryAt();
        long left = deadline - now();
        long wait = Math.max(config.renewRetransmitMin().toNanos(), left / 2);
        if (wait < left) {
            retransmitTimer.schedule(wait);
        }
    }

    private void onRetransmitTimer() {
        switch (state) {
            case INIT -> discover();
            case SELECTING -> sendDiscover();
            case REQUESTING, REBOOTING -> {
                if (attempt >= config.requestAttempts()) {
                    LOG.log(Level.DEBUG, "DHCP: no answer to REQUEST for {0}; starting over", Ipv4Address.format(offered));
                    discover();
                } else {
                    sendRequest();
                }
            }
            case PROBING -> probeStep();
            case RENEWING, REBINDING -> sendRequest();
            default -> {
            }
        }
    }

    // ---- receive ----

    private void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
        DhcpMalformed m = rx.wrap(buf, off, len).check();
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        if (rx.op() != DhcpMessage.OP_REPLY || rx.xid() != xid || rx.clientMac() != mac) {
            rxIgnored.inc();
            return;
        }
        switch (rx.messageType()) {
            case DhcpMessage.OFFER -> onOffer();
            case DhcpMessage.ACK -> onAck();
            case DhcpMessage.NAK -> onNak();
            default -> rxIgnored.inc();
        }
    }

    private void onOffer() {
        int server = rx.address(DhcpMessage.OPT_SERVER_ID);
        if (state != DhcpState.SELECTING || rx.yiaddr() == 0 || server == 0) {
            rxIgnored.inc();
            return;
        }
        rxOffer.inc();
        // RFC 2131 §4.4.1 lets the client wait for several offers; the first is as good as any here.
        offered = rx.yiaddr();
        offerServer = server;
        attempt = 0;
        setState(DhcpState.REQUESTING);
        sendRequest();
    }

    private void onAck() {
        boolean acquiring = state == DhcpState.REQUESTING || state == DhcpState.REBOOTING;
        boolean extending = state == DhcpState.RENEWING || state == DhcpState.REBINDING;
        if ((!acquiring && !extending) || rx.yiaddr() == 0) {
            rxIgnored.inc();
            return;
        }
        if (state == DhcpState.REQUESTING && rx.address(DhcpMessage.OPT_SERVER_ID) != offerServer
                && rx.address(DhcpMessage.OPT_SERVER_ID) != 0) {
            rxIgnored.inc(); // an ACK from a server we did not select
            return;
        }
        rxAck.inc();
        consecutiveNaks = 0;
        DhcpLease granted = leaseFromAck();
        retransmitTimer.cancel();
        if (extending && lease != null && granted.address().equals(lease.address())) {
            lease = granted;
            applyOptions(granted);
            scheduleLeaseTimer();
            setState(DhcpState.BOUND);
            for (DhcpListener l : List.copyOf(listeners)) {
                l.onRenewed(granted);
            }
            return;
        }
        if (lease != null) {
            unconfigure(lease, "server assigned a different address");
        }
        candidate = granted;
        if (config.probeCount() == 0) {
            bind();
            return;
        }
        setState(DhcpState.PROBING);
        probesSent = 0;
        ni.neighbors().observe(this::onArp);
        probeStep();
    }

    private void onNak() {
        boolean waiting = state == DhcpState.REQUESTING || state == DhcpState.REBOOTING
                || state == DhcpState.RENEWING || state == DhcpState.REBINDING;
        int from = rx.address(DhcpMessage.OPT_SERVER_ID);
        if (!waiting || (state == DhcpState.REQUESTING && from != 0 && from != offerServer)
                || (state == DhcpState.RENEWING && from != 0 && from != lease.server().bits())) {
            rxIgnored.inc(); // only the server we asked may refuse (any may, when we broadcast to all)
            return;
        }
        rxNak.inc();
        String msg = rx.string(DhcpMessage.OPT_MESSAGE);
        LOG.log(Level.DEBUG, "DHCP: NAK from {0}{1}", Ipv4Address.format(rx.address(DhcpMessage.OPT_SERVER_ID)),
                msg == null ? "" : ": " + msg);
        if (lease != null) {
            unconfigure(lease, "server refused the lease (NAK)" + (msg == null ? "" : ": " + msg));
        }
        // RFC 2131 §3.1.5: restart; back off if servers keep refusing, so we do not spin.
        consecutiveNaks++;
        enterInit(consecutiveNaks > 1 ? randomDelay(config.retransmitInitial().toNanos() << Math.min(consecutiveNaks - 2, 4)) : 0);
    }

    private DhcpLease leaseFromAck() {
        int address = rx.yiaddr();
        int mask = rx.address(DhcpMessage.OPT_SUBNET_MASK);
        int prefix = mask != 0 && isContiguous(mask) ? Integer.bitCount(mask) : classfulPrefix(address);
        long leaseSecs = rx.optionU32(DhcpMessage.OPT_LEASE_TIME, INFINITE);
        long t1 = rx.optionU32(DhcpMessage.OPT_RENEWAL_TIME, -1);
        long t2 = rx.optionU32(DhcpMessage.OPT_REBINDING_TIME, -1);
        // RFC 2131 §4.4.5 defaults, used too when the server's values are out of order.
        if (t2 < 0 || t2 >= leaseSecs) {
            t2 = leaseSecs * 7 / 8;
        }
        if (t1 < 0 || t1 >= t2) {
            t1 = Math.min(leaseSecs / 2, t2);
        }
        int server = rx.address(DhcpMessage.OPT_SERVER_ID);
        if (server == 0) {
            server = lease != null ? lease.server().bits() : offerServer;
        }
        return new DhcpLease(new Ipv4Address(address), prefix, addresses(DhcpMessage.OPT_ROUTER), addresses(DhcpMessage.OPT_DNS_SERVERS),
                rx.string(DhcpMessage.OPT_DOMAIN_NAME), rx.optionU16(DhcpMessage.OPT_INTERFACE_MTU, 0), new Ipv4Address(server),
                Duration.ofSeconds(leaseSecs), Duration.ofSeconds(t1), Duration.ofSeconds(t2), requestSentAt);
    }

    private List<Ipv4Address> addresses(int code) {
        List<Ipv4Address> l = new ArrayList<>();
        for (int i = 0; i < rx.addressCount(code); i++) {
            l.add(new Ipv4Address(rx.address(code, i)));
        }
        return l;
    }

    private static boolean isContiguous(int mask) {
        return (~mask & (~mask + 1)) == 0;
    }

    /** RFC 2132 §3.3 leaves the mask optional; fall back to the address class (RFC 791). */
    private static int classfulPrefix(int address) {
        int top = address >>> 24;
        return top < 128 ? 8 : top < 192 ? 16 : 24;
    }

    // ---- RFC 5227 probe ----

    private void probeStep() {
        if (probesSent < config.probeCount()) {
            ni.neighbors().probe(candidate.address().bits());
            probesSent++;
            retransmitTimer.schedule(probesSent < config.probeCount() ? config.probeInterval().toNanos() : config.probeWait().toNanos());
            return;
        }
        ni.neighbors().observe(null);
        bind();
    }

    /**
     * RFC 5227 §2.1.1: during probing, any ARP packet whose sender is the candidate address, or
     * another host's probe for the same address, means it is taken.
     */
    private void onArp(int op, int senderIp, long senderMac, int targetIp) {
        if (state != DhcpState.PROBING || senderMac == mac) {
            return;
        }
        int a = candidate.address().bits();
        if (senderIp == a || (senderIp == 0 && op == ArpPacket.OP_REQUEST && targetIp == a)) {
            conflicts.inc();
            LOG.log(Level.WARNING, "DHCP: {0} is already used by {1}; declining it", Ipv4Address.format(a),
                    org.jnetstack.wire.MacAddress.format(senderMac));
            ni.neighbors().observe(null);
            decline(candidate);
        }
    }

    private void decline(DhcpLease l) {
        txDecline.inc();
        messages.decline(xid, l);
        candidate = null;
        // RFC 2131 §3.1.5: wait at least ten seconds before starting again.
        enterInit(config.declineBackoff().toNanos());
    }

    // ---- bound ----

    private void bind() {
        DhcpLease l = candidate;
        candidate = null;
        lease = l;
        stack.ipv4().setAddress(ni, l.address().bits(), l.prefixLength());
        applyOptions(l);
        scheduleLeaseTimer();
        setState(DhcpState.BOUND);
        LOG.log(Level.DEBUG, "DHCP: bound {0}", l);
        for (DhcpListener x : List.copyOf(listeners)) {
            x.onBound(l);
        }
    }

    private void applyOptions(DhcpLease l) {
        for (Ipv4Address r : l.routers()) {
            try {
                stack.ipv4().setGateway(r.bits());
                break;
            } catch (IllegalArgumentException offLink) {
                LOG.log(Level.WARNING, "DHCP: router {0} is not on {1}/{2}; ignored", r, l.address(), l.prefixLength());
            }
        }
        if (l.mtu() >= 68 && l.mtu() <= ni.device().mtu() && l.mtu() != ni.mtu()) {
            stack.ipv4().setMtu(ni, l.mtu());
        }
    }

    private void unconfigure(DhcpLease l, String reason) {
        lease = null;
        if (ni.address() == l.address().bits()) {
            stack.ipv4().setGateway(0);
            stack.ipv4().setAddress(ni, 0, 0);
        }
        LOG.log(Level.DEBUG, "DHCP: lost {0}: {1}", l.address(), reason);
        for (DhcpListener x : List.copyOf(listeners)) {
            x.onLost(l, reason);
        }
    }

    private long t1At() {
        return lease.boundAtNanos() + lease.renewalTime().toNanos();
    }

    private long t2At() {
        return lease.boundAtNanos() + lease.rebindingTime().toNanos();
    }

    private long expiryAt() {
        return lease.boundAtNanos() + lease.leaseTime().toNanos();
    }

    /** On entering BOUND: the next event is T1 (none for an infinite lease). */
    private void scheduleLeaseTimer() {
        if (lease.leaseTime().getSeconds() >= INFINITE) {
            leaseTimer.cancel();
        } else {
            leaseTimer.scheduleAt(t1At());
        }
    }

    private void onLeaseTimer() {
        switch (state) {
            case BOUND -> enterRenewing();
            case RENEWING -> {
                xid = xids.nextInt();
                setState(DhcpState.REBINDING);
                leaseTimer.scheduleAt(expiryAt());
                sendRequest();
            }
            case REBINDING -> {
                expired.inc();
                DhcpLease l = lease;
                unconfigure(l, "lease expired");
                enterInit(0);
            }
            default -> {
            }
        }
    }

    private void enterRenewing() {
        xid = xids.nextInt();
        acquisitionStart = now();
        setState(DhcpState.RENEWING);
        leaseTimer.scheduleAt(t2At());
        sendRequest();
    }

    // ---- helpers ----

    private void setState(DhcpState s) {
        DhcpState from = state;
        state = s;
        if (from != s) {
            for (DhcpListener l : List.copyOf(listeners)) {
                l.onStateChanged(from, s);
            }
        }
    }

    private long now() {
        return loop.clock().nanos();
    }

    private int secs() {
        return (int) Math.min(0xFFFF, (now() - acquisitionStart) / SECOND);
    }

    private long randomDelay(long max) {
        return max <= 0 ? 0 : random.nextLong(max + 1);
    }

    @Override
    public String toString() {
        return "DHCP client on " + ni.name() + " " + state + (lease != null ? " " + lease : "");
    }
}
