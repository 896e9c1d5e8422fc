package org.jnetstack.ip6;

import java.lang.System.Logger.Level;
import java.util.List;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.SipHash;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Ipv6Address;

/**
 * Stateless address autoconfiguration of one interface (RFC 4862): the link-local address, static
 * addresses and addresses from advertised prefixes, each checked by duplicate address
 * detection before use (§5.4; no optimistic addresses: an address is used only once detection
 * has passed), then aged by its lifetimes (§5.5.4).
 *
 * <p>Interface identifiers are stable and semantically opaque (RFC 7217 §5):
 * {@code F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key)} with SipHash keyed by the
 * stack's secret for purpose {@code "ip6.stable-iid"} (so stable for a given seed, different
 * between stacks) or by {@link StackConfig#ipv6StableSecret()} when one is given (kept across
 * restarts), the MAC as {@code Net_Iface} and no {@code Network_ID}. A duplicate generated
 * address is tried again with the next {@code DAD_Counter}, up to {@link #IDGEN_RETRIES} times (§6).
 */
final class AddressConfiguration {
    private static final System.Logger LOG = System.getLogger(AddressConfiguration.class.getName());
    /** RFC 7217 §7: IDGEN_RETRIES. */
    static final int IDGEN_RETRIES = 3;
    /** RFC 4861 §10: MAX_RTR_SOLICITATION_DELAY, also the random delay before the first detection (RFC 4862 §5.4.2). */
    static final long MAX_RTR_SOLICITATION_DELAY_NANOS = 1_000_000_000L;
    /** RFC 4862 §5.5.3(e): the two hours below which an advertisement cannot shorten a valid lifetime. */
    static final long TWO_HOURS_SECONDS = 7200;
    /** A lifetime of all ones is infinite (RFC 4861 §4.6.2). */
    static final long INFINITE_LIFETIME = 0xFFFF_FFFFL;

    private final Ipv6Interface ifc;
    private final SipHash iidPrf;
    private final int dadTransmits;

    private final Counter dadStarted;
    private final Counter dadPassed;
    private final Counter dadDuplicates;
    private final Counter slaacFormed;
    private final Counter slaacIgnored;
    private final Counter expired;
    private final Counter prefixesGivenUp;
    private final Counter givenUpIgnored;

    AddressConfiguration(Ipv6Interface ifc, Counters counters) {
        this.ifc = ifc;
        String secret = ifc.ip().config().ipv6StableSecret();
        if (secret != null) {
            long[] k = StackConfig.parseStableSecret(secret); // a secret kept across restarts: the same addresses again
            this.iidPrf = new SipHash(k[0], k[1]);
        } else {
            this.iidPrf = ifc.ip().secrets().newPrf("ip6.stable-iid");
        }
        this.dadTransmits = ifc.ip().config().dadTransmits();
        dadStarted = counters.counter("nd.dad.started");
        dadPassed = counters.counter("nd.dad.passed");
        dadDuplicates = counters.counter("nd.dad.duplicates");
        slaacFormed = counters.counter("ip6.slaac.addresses_formed");
        slaacIgnored = counters.counter("ip6.slaac.prefixes_ignored");
        expired = counters.counter("ip6.addr.expired");
        prefixesGivenUp = counters.counter("ip6.slaac.prefixes_given_up");
        givenUpIgnored = counters.counter("ip6.slaac.drop.given_up");
    }

    void start(List<String> staticAddresses) {
        addGenerated(Ipv6Address.LINK_LOCAL_HI, 64, AddressOrigin.LINK_LOCAL, 0, INFINITE_LIFETIME, INFINITE_LIFETIME);
        for (String s : staticAddresses) {
            long[] a = StackConfig.parseIpv6Address(s);
            addStatic(a[0], a[1], (int) a[2]);
        }
    }

    void stop() {
        for (int i = 0; i < ifc.addressCount(); i++) {
            InterfaceAddress a = ifc.address(i);
            if (a.timer != null) {
                a.timer.cancel();
            }
        }
    }

    /**
     * RFC 7217 §5's interface identifier for {@code prefixHi} (a /64) and {@code dadCounter}:
     * never one of the reserved identifiers of RFC 5453 (the subnet-router anycast 0 and
     * fdff:ffff:ffff:ff80-ffff), which are skipped by hashing again.
     */
    long stableIid(long prefixHi, int dadCounter) {
        for (long attempt = 0;; attempt++) {
            long iid = iidPrf.hash(prefixHi, ifc.macBits(), (long) dadCounter | attempt << 32);
            if (iid != 0 && (iid >>> 7) != (0xfdff_ffff_ffff_ff80L >>> 7)) {
                return iid;
            }
        }
    }

    /** Adds a static address {@code hi:lo/prefixLength}; its prefix is on-link. */
    InterfaceAddress addStatic(long hi, long lo, int prefixLength) {
        InterfaceAddress old = ifc.find(hi, lo);
        if (old != null) {
            return old;
        }
        InterfaceAddress a = new InterfaceAddress(hi, lo, prefixLength, AddressOrigin.STATIC, 0);
        if (!ifc.add(a)) {
            return null;
        }
        ifc.routers().addOnLink(hi & Ipv6Address.maskHi(prefixLength), lo & Ipv6Address.maskLo(prefixLength), prefixLength,
                InterfaceAddress.INFINITE);
        startDetection(a);
        return a;
    }

    private InterfaceAddress addGenerated(long prefixHi, int prefixLength, AddressOrigin origin, int dadCounter,
                                          long validSeconds, long preferredSeconds) {
        InterfaceAddress a = new InterfaceAddress(prefixHi, stableIid(prefixHi, dadCounter), prefixLength, origin, dadCounter);
        if (!ifc.add(a)) {
            return null;
        }
        setLifetimes(a, validSeconds, preferredSeconds);
        startDetection(a);
        return a;
    }

    private void setLifetimes(InterfaceAddress a, long validSeconds, long preferredSeconds) {
        long now = ifc.ip().loop().clock().nanos();
        a.validUntil = validSeconds == INFINITE_LIFETIME ? InterfaceAddress.INFINITE : now + validSeconds * 1_000_000_000L;
        a.preferredUntil = preferredSeconds == INFINITE_LIFETIME ? InterfaceAddress.INFINITE : now + preferredSeconds * 1_000_000_000L;
    }

    /**
     * RFC 4862 §5.4: the address is tentative (its solicited-node group is joined: packets to it
     * are accepted) while {@code DupAddrDetectTransmits} solicitations go out RetransTimer apart,
     * the first after a random delay of up to a second (§5.4.2); if nothing objected it becomes
     * preferred.
     */
    private void startDetection(InterfaceAddress a) {
        a.timer = ifc.ip().loop().newTimer(() -> onTimer(a));
        if (dadTransmits == 0) {
            passed(a);
            return;
        }
        dadStarted.inc();
        a.state = AddressState.TENTATIVE;
        a.dadLeft = dadTransmits;
        a.timer.schedule((long) (ifc.random().nextDouble() * MAX_RTR_SOLICITATION_DELAY_NANOS));
    }

    private void onTimer(InterfaceAddress a) {
        if (!ifc.running()) {
            return;
        }
        if (a.state == AddressState.DUPLICATE) {
            ifc.remove(a); // a given-up prefix's marker, at the end of the prefix's valid lifetime
            return;
        }
        if (a.state == AddressState.TENTATIVE) {
            if (a.dadLeft > 0) {
                a.dadLeft--;
                ifc.ndp().sendDadSolicitation(a.hi, a.lo);
                a.timer.schedule(ifc.retransNanos());
            } else {
                dadPassed.inc();
                passed(a);
            }
            return;
        }
        age(a);
    }

    private void passed(InterfaceAddress a) {
        a.state = AddressState.PREFERRED;
        age(a);
        if (a.origin == AddressOrigin.LINK_LOCAL && a.state == AddressState.PREFERRED) {
            ifc.routers().start(); // RFC 4861 §6.3.7, once there is a source address for the solicitation
        }
    }

    /** RFC 4862 §5.5.4: past its preferred lifetime an address is deprecated; past its valid lifetime it goes. */
    private void age(InterfaceAddress a) {
        if (a.state == AddressState.DUPLICATE || a.state == AddressState.TENTATIVE) {
            return;
        }
        long now = ifc.ip().loop().clock().nanos();
        if (a.validUntil != InterfaceAddress.INFINITE && now - a.validUntil >= 0) {
            expired.inc();
            ifc.remove(a);
            return;
        }
        if (a.preferredUntil != InterfaceAddress.INFINITE && now - a.preferredUntil >= 0) {
            a.state = AddressState.DEPRECATED;
        } else {
            a.state = AddressState.PREFERRED;
        }
        long next = a.state == AddressState.PREFERRED ? Math.min(a.preferredUntil, a.validUntil) : a.validUntil;
        if (next != InterfaceAddress.INFINITE) {
            a.timer.scheduleAt(next);
        } else {
            a.timer.cancel();
        }
    }

    /**
     * Another node has {@code a} (RFC 4862 §5.4.5): it is marked duplicate and never used. A static
     * address stays so, for the operator to see. A generated one gives its slot to the next try,
     * generated with the next DAD counter (RFC 7217 §6); after {@link #IDGEN_RETRIES} retries the
     * prefix is given up: the last duplicate stays as its marker (advertisements of the prefix
     * are ignored while it is there) until the prefix's valid lifetime ends. So a neighbour that
     * defends every address holds at most one slot per prefix, and only for the prefix's lifetime.
     */
    void duplicate(InterfaceAddress a) {
        if (a.state != AddressState.TENTATIVE) {
            return;
        }
        dadDuplicates.inc();
        a.state = AddressState.DUPLICATE;
        a.timer.cancel();
        LOG.log(Level.WARNING, "{0}: IPv6 address {1} is used by another node on the link (duplicate address detection);"
                + " not using it", ifc.name(), Ipv6Address.format(a.hi, a.lo));
        if (a.origin == AddressOrigin.STATIC) {
            ifc.mld().addressesChanged();
            return;
        }
        if (a.dadCounter < IDGEN_RETRIES) {
            ifc.remove(a);
            long now = ifc.ip().loop().clock().nanos();
            addGenerated(a.hi, a.prefixLength, a.origin, a.dadCounter + 1, secondsUntil(a.validUntil, now),
                    secondsUntil(a.preferredUntil, now));
            return;
        }
        prefixesGivenUp.inc();
        ifc.mld().addressesChanged();
        LOG.log(Level.WARNING, "{0}: giving up on an address in {1}/{2}: {3} tries were all duplicates (RFC 7217 §6)",
                ifc.name(), Ipv6Address.format(a.hi, 0), a.prefixLength, IDGEN_RETRIES + 1);
        if (a.validUntil != InterfaceAddress.INFINITE) {
            a.timer.scheduleAt(a.validUntil); // then the marker goes and the prefix may be tried again
        }
    }

    private static long secondsUntil(long until, long now) {
        return until == InterfaceAddress.INFINITE ? INFINITE_LIFETIME : Math.max(0, (until - now) / 1_000_000_000L);
    }

    /**
     * A Prefix Information option with the autonomous flag (RFC 4862 §5.5.3): forms an address
     * from a new /64 prefix, or updates the lifetimes of the one formed before, with the
     * two-hour rule guarding the valid lifetime against a forged short one.
     */
    void prefix(long prefixHi, long prefixLo, int prefixLength, long validSeconds, long preferredSeconds) {
        if (Ipv6Address.isLinkLocal(prefixHi) || preferredSeconds > validSeconds) {
            slaacIgnored.inc(); // §5.5.3 (b), (c)
            return;
        }
        InterfaceAddress formed = null;
        for (int i = 0; i < ifc.addressCount(); i++) {
            InterfaceAddress a = ifc.address(i);
            if (a.origin == AddressOrigin.SLAAC && a.hi == prefixHi) {
                if (a.state == AddressState.DUPLICATE) {
                    givenUpIgnored.inc(); // RFC 7217 §6: every try was a duplicate; the prefix was given up
                    return;
                }
                formed = a;
            }
        }
        if (formed == null) {
            if (validSeconds == 0 || prefixLength != 64 || prefixLo != 0) {
                slaacIgnored.inc(); // §5.5.3 (d): the prefix and a 64-bit identifier must make 128 bits
                return;
            }
            if (addGenerated(prefixHi, 64, AddressOrigin.SLAAC, 0, validSeconds, preferredSeconds) != null) {
                slaacFormed.inc();
            }
            return;
        }
        long now = ifc.ip().loop().clock().nanos();
        long remaining = formed.validUntil == InterfaceAddress.INFINITE ? INFINITE_LIFETIME
                : Math.max(0, (formed.validUntil - now) / 1_000_000_000L);
        long valid;
        if (validSeconds > TWO_HOURS_SECONDS || validSeconds > remaining) {
            valid = validSeconds;
        } else if (remaining <= TWO_HOURS_SECONDS) {
            valid = remaining;
        } else {
            valid = TWO_HOURS_SECONDS;
        }
        setLifetimes(formed, valid, preferredSeconds);
        if (formed.state != AddressState.TENTATIVE) {
            age(formed);
        }
    }
}
