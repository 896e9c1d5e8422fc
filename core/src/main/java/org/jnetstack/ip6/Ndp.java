package org.jnetstack.ip6;

import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.NdpMessage;
import org.jnetstack.wire.NdpOptions;
import org.jnetstack.wire.NdpWriter;

/**
 * Neighbor Discovery messages of one interface (RFC 4861): validates what arrives (§6.1, §7.1:
 * hop limit 255, code 0, lengths, options) and passes it on — solicitations and advertisements
 * to the neighbour cache and to duplicate address detection, router advertisements to router
 * discovery; redirects are ignored and counted. Sends the solicitations and advertisements a
 * host sends, from a buffer of its own.
 */
final class Ndp {
    /** RFC 4861 §7.1: NDP messages are sent with hop limit 255, so one that arrives with less came through a router. */
    static final int HOP_LIMIT = 255;

    private final Ipv6Interface ifc;
    private final byte[] tx = new byte[Ipv6.TRANSPORT_OFFSET + 64];
    private final NdpOptions options = new NdpOptions();

    private final Counter rxSolicitations;
    private final Counter rxAdvertisements;
    private final Counter rxRouterAdvertisements;
    private final Counter rxRouterAdvertisementsIgnored;
    private final Counter rxRouterSolicitationsIgnored;
    private final Counter rxRouterSolicitations;
    private final Counter rxRedirectsIgnored;
    private final Counter rxInvalid;
    private final Counter rxNotOurTarget;
    private final Counter rxConflicts;
    private final Counter txSolicitations;
    private final Counter txAdvertisements;
    private final Counter txRouterSolicitations;
    private final Counter txNoSource;

    Ndp(Ipv6Interface ifc, Counters counters) {
        this.ifc = ifc;
        rxSolicitations = counters.counter("nd.rx.neighbor_solicitations");
        rxAdvertisements = counters.counter("nd.rx.neighbor_advertisements");
        rxRouterAdvertisements = counters.counter("nd.rx.router_advertisements");
        rxRouterAdvertisementsIgnored = counters.counter("nd.rx.router_advertisements_ignored");
        rxRouterSolicitationsIgnored = counters.counter("nd.rx.router_solicitations_ignored");
        rxRouterSolicitations = counters.counter("nd.rx.router_solicitations");
        rxRedirectsIgnored = counters.counter("nd.rx.redirects_ignored");
        rxInvalid = counters.counter("nd.rx.drop.invalid");
        rxNotOurTarget = counters.counter("nd.rx.drop.not_our_target");
        rxConflicts = counters.counter("nd.rx.address_conflicts");
        txSolicitations = counters.counter("nd.tx.neighbor_solicitations");
        txAdvertisements = counters.counter("nd.tx.neighbor_advertisements");
        txRouterSolicitations = counters.counter("nd.tx.router_solicitations");
        txNoSource = counters.counter("nd.tx.drop.no_source_address");
    }

    /** An NDP message (ICMPv6 type 133–137, checksum verified) at {@code buf[off, off+len)} of the packet {@code ip}. */
    void input(int type, Ipv6Packet ip, byte[] buf, int off, int len) {
        // RFC 4861 §6.1, §7.1, §8.1: hop limit 255 and code 0, or the message is not from the link.
        if (ip.hopLimit() != HOP_LIMIT || (buf[off + 1] & 0xFF) != 0) {
            rxInvalid.inc();
            return;
        }
        switch (type) {
            case Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION -> solicitation(ip, buf, off, len);
            case Icmpv6Message.TYPE_NEIGHBOR_ADVERTISEMENT -> advertisement(ip, buf, off, len);
            case Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT -> routerAdvertisement(ip, buf, off, len);
            case Icmpv6Message.TYPE_ROUTER_SOLICITATION -> routerSolicitation(ip, buf, off, len);
            case Icmpv6Message.TYPE_REDIRECT -> rxRedirectsIgnored.inc(); // a host that follows redirects can be steered by anyone on the link
            default -> rxInvalid.inc();
        }
    }

    /**
     * The link-layer address option of type {@code optionType} in the options at
     * {@code buf[from, end)}: its MAC, -1 if absent, -2 if the options are malformed (§4.6:
     * an option of length 0, or one running past the message, invalidates the message).
     */
    private long linkLayerOption(byte[] buf, int from, int end, int optionType) {
        long mac = -1;
        options.reset(buf, from, end - from);
        for (int t = options.next(); t != NdpOptions.END; t = options.next()) {
            if (t == NdpOptions.MALFORMED) {
                return -2;
            }
            if (t == optionType && options.optionMalformed() == null) {
                mac = options.linkLayerAddress(); // one of the wrong length is ignored
            }
        }
        return mac;
    }

    /** RFC 4861 §7.1.1 validation and §7.2.3 (and RFC 4862 §5.4.3 while the target is tentative). */
    private void solicitation(Ipv6Packet ip, byte[] buf, int off, int len) {
        if (len < NdpMessage.NS_LENGTH) {
            rxInvalid.inc();
            return;
        }
        long targetHi = NdpMessage.targetHi(buf, off);
        long targetLo = NdpMessage.targetLo(buf, off);
        long srcHi = ip.sourceHi();
        long srcLo = ip.sourceLo();
        boolean fromUnspecified = Ipv6Address.isUnspecified(srcHi, srcLo);
        long sll = linkLayerOption(buf, NdpMessage.optionsOffset(Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION, off), off + len,
                NdpOptions.TYPE_SOURCE_LL);
        if (Ipv6Address.isMulticast(targetHi) || sll == -2
                || (fromUnspecified && (ip.destinationHi() != Ipv6Address.solicitedNodeHi() || sll >= 0))) {
            rxInvalid.inc();
            return;
        }
        rxSolicitations.inc();
        InterfaceAddress target = ifc.find(targetHi, targetLo);
        if (target == null) {
            rxNotOurTarget.inc();
            return;
        }
        if (target.state == AddressState.TENTATIVE) {
            if (fromUnspecified) {
                ifc.addressing().duplicate(target); // another node is checking the same address
            }
            return; // §5.4.3: a solicitation from a resolving node is ignored while tentative
        }
        if (fromUnspecified) {
            // §7.2.4: answering a duplicate address detection, to all nodes, unsolicited.
            sendAdvertisement(targetHi, targetLo, Ipv6Address.ALL_NODES.hi(), Ipv6Address.ALL_NODES.lo(), false);
            return;
        }
        if (sll >= 0) {
            ifc.neighbors().learned(srcHi, srcLo, sll, false);
        }
        sendAdvertisement(targetHi, targetLo, srcHi, srcLo, true);
    }

    /** RFC 4861 §7.1.2 validation and §7.2.5 (and RFC 4862 §5.4.4 for a tentative target). */
    private void advertisement(Ipv6Packet ip, byte[] buf, int off, int len) {
        if (len < NdpMessage.NA_LENGTH) {
            rxInvalid.inc();
            return;
        }
        long targetHi = NdpMessage.targetHi(buf, off);
        long targetLo = NdpMessage.targetLo(buf, off);
        boolean solicited = NdpMessage.naSolicited(buf, off);
        long tll = linkLayerOption(buf, NdpMessage.optionsOffset(Icmpv6Message.TYPE_NEIGHBOR_ADVERTISEMENT, off), off + len,
                NdpOptions.TYPE_TARGET_LL);
        if (Ipv6Address.isMulticast(targetHi) || tll == -2 || (solicited && Ipv6Address.isMulticast(ip.destinationHi()))) {
            rxInvalid.inc();
            return;
        }
        rxAdvertisements.inc();
        InterfaceAddress ours = ifc.find(targetHi, targetLo);
        if (ours != null) {
            if (ours.state == AddressState.TENTATIVE) {
                ifc.addressing().duplicate(ours); // §5.4.4: another node has it
            } else {
                rxConflicts.inc(); // §5.4.4: after detection only logged; the address stays ours
            }
            return;
        }
        ifc.neighbors().advertised(targetHi, targetLo, tll, solicited, NdpMessage.naOverride(buf, off), NdpMessage.naRouter(buf, off));
    }

    /**
     * A host ignores router solicitations (§6.2.6); a router's interface validates them (§6.1.1:
     * length, options, no source link-layer address from ::), learns the sender's link-layer
     * address (§6.2.6) and passes them to its listener.
     */
    private void routerSolicitation(Ipv6Packet ip, byte[] buf, int off, int len) {
        RouterSolicitationListener listener = ifc.routerRole();
        if (listener == null) {
            rxRouterSolicitationsIgnored.inc();
            return;
        }
        if (len < NdpMessage.RS_LENGTH) {
            rxInvalid.inc();
            return;
        }
        long srcHi = ip.sourceHi();
        long srcLo = ip.sourceLo();
        boolean fromUnspecified = Ipv6Address.isUnspecified(srcHi, srcLo);
        long sll = linkLayerOption(buf, NdpMessage.optionsOffset(Icmpv6Message.TYPE_ROUTER_SOLICITATION, off), off + len,
                NdpOptions.TYPE_SOURCE_LL);
        if (sll == -2 || (fromUnspecified && sll >= 0)) {
            rxInvalid.inc();
            return;
        }
        rxRouterSolicitations.inc();
        if (sll >= 0) {
            ifc.neighbors().learned(srcHi, srcLo, sll, false);
        }
        listener.routerSolicited(ifc, srcHi, srcLo);
    }

    /** RFC 4861 §6.1.2 validation; the contents go to router discovery. */
    private void routerAdvertisement(Ipv6Packet ip, byte[] buf, int off, int len) {
        if (len < NdpMessage.RA_LENGTH || !Ipv6Address.isLinkLocal(ip.sourceHi())) {
            rxInvalid.inc();
            return;
        }
        int from = NdpMessage.optionsOffset(Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT, off);
        long sll = linkLayerOption(buf, from, off + len, NdpOptions.TYPE_SOURCE_LL);
        if (sll == -2) {
            rxInvalid.inc();
            return;
        }
        rxRouterAdvertisements.inc();
        if (ifc.isRouter()) {
            // RFC 4861 §6.2.7: a router does not take another node's advertisement as configuration;
            // on the user-mode gateway that node is a guest, which must not steer the gateway.
            rxRouterAdvertisementsIgnored.inc();
            return;
        }
        if (sll >= 0) {
            ifc.neighbors().learned(ip.sourceHi(), ip.sourceLo(), sll, true);
        }
        ifc.routers().advertisement(ip.sourceHi(), ip.sourceLo(), buf, off, len, options.reset(buf, from, off + len - from));
    }

    /**
     * A Neighbor Solicitation for {@code target} (RFC 4861 §7.2.2): to its solicited-node group
     * when resolving, to itself when probing; from {@code src} if that is a usable address of
     * ours, else from the link-local address.
     */
    void sendSolicitation(long targetHi, long targetLo, long srcHi, long srcLo, boolean multicast) {
        InterfaceAddress src = ifc.usableAddress(srcHi, srcLo);
        if (src == null) {
            src = ifc.linkLocal();
        }
        if (src == null) {
            txNoSource.inc();
            return;
        }
        int t = Ipv6.TRANSPORT_OFFSET;
        int len = NdpWriter.writeNeighborSolicitation(tx, t, targetHi, targetLo, ifc.macBits());
        long dstHi = multicast ? Ipv6Address.solicitedNodeHi() : targetHi;
        long dstLo = multicast ? Ipv6Address.solicitedNodeLo(targetLo) : targetLo;
        Icmpv6Message.writeChecksum(tx, t, len, src.hi, src.lo, dstHi, dstLo);
        txSolicitations.inc();
        ifc.ip().transmit(ifc, dstHi, dstLo, src.hi, src.lo, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, HOP_LIMIT, tx, t, len);
    }

    /** Duplicate address detection's solicitation (RFC 4862 §5.4.2): from ::, to the target's solicited-node group, no link-layer option. */
    void sendDadSolicitation(long targetHi, long targetLo) {
        int t = Ipv6.TRANSPORT_OFFSET;
        int len = NdpWriter.writeNeighborSolicitation(tx, t, targetHi, targetLo, -1);
        long dstHi = Ipv6Address.solicitedNodeHi();
        long dstLo = Ipv6Address.solicitedNodeLo(targetLo);
        Icmpv6Message.writeChecksum(tx, t, len, 0, 0, dstHi, dstLo);
        txSolicitations.inc();
        ifc.ip().transmit(ifc, dstHi, dstLo, 0, 0, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, HOP_LIMIT, tx, t, len);
    }

    /**
     * A Neighbor Advertisement for our address {@code target} to {@code dst} (RFC 4861 §7.2.4),
     * from the target itself, with our link-layer address, the override flag set (we own it) and
     * the Router flag in the router role.
     */
    void sendAdvertisement(long targetHi, long targetLo, long dstHi, long dstLo, boolean solicited) {
        int t = Ipv6.TRANSPORT_OFFSET;
        int len = NdpWriter.writeNeighborAdvertisement(tx, t, ifc.isRouter(), solicited, true, targetHi, targetLo, ifc.macBits());
        Icmpv6Message.writeChecksum(tx, t, len, targetHi, targetLo, dstHi, dstLo);
        txAdvertisements.inc();
        ifc.ip().transmit(ifc, dstHi, dstLo, targetHi, targetLo, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, HOP_LIMIT, tx, t, len);
    }

    /** A Router Solicitation (RFC 4861 §6.3.7) to all routers, from the link-local address with our link-layer address, or from :: without. */
    void sendRouterSolicitation() {
        InterfaceAddress src = ifc.linkLocal();
        long srcHi = src == null ? 0 : src.hi;
        long srcLo = src == null ? 0 : src.lo;
        int t = Ipv6.TRANSPORT_OFFSET;
        int len = NdpWriter.writeRouterSolicitation(tx, t, src == null ? -1 : ifc.macBits());
        long dstHi = Ipv6Address.ALL_ROUTERS.hi();
        long dstLo = Ipv6Address.ALL_ROUTERS.lo();
        Icmpv6Message.writeChecksum(tx, t, len, srcHi, srcLo, dstHi, dstLo);
        txRouterSolicitations.inc();
        ifc.ip().transmit(ifc, dstHi, dstLo, srcHi, srcLo, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, HOP_LIMIT, tx, t, len);
    }
}
