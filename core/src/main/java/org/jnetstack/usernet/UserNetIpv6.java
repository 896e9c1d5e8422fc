package org.jnetstack.usernet;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.jnetstack.config.StackConfig;
import org.jnetstack.wire.Ipv6Address;

/**
 * The user-mode gateway's IPv6 plan: it is the router of its link (RFC 4861 §6.2), announcing
 * one /64 prefix for stateless address autoconfiguration, and owns {@code PREFIX::2} (as it owns
 * .2 of the IPv4 network) besides its link-local address.
 *
 * @param enabled           IPv6 on the gateway's link. On by default; off, the gateway neither
 *                          advertises nor answers IPv6.
 * @param prefix            the /64 prefix advertised (host bits zero), or null (the default) for
 *                          a unique local prefix (RFC 4193 §3.2: fd00::/8 and a 40-bit Global ID
 *                          drawn from the gateway's random source, subnet 0) chosen when the gateway starts.
 * @param routerLifetime    how long hosts keep the gateway as a default router (RFC 4861 §4.2);
 *                          0 or 10 minutes (MaxRtrAdvInterval) to 9000 s (§6.2.1). 1800 s, the
 *                          §6.2.1 default (3 × MaxRtrAdvInterval).
 * @param validLifetime     the prefix's valid lifetime (RFC 4861 §4.6.2). 30 days, §6.2.1's AdvValidLifetime.
 * @param preferredLifetime the prefix's preferred lifetime, at most the valid one. 7 days, §6.2.1's AdvPreferredLifetime.
 */
public record UserNetIpv6(boolean enabled, Ipv6Address prefix, Duration routerLifetime, Duration validLifetime,
                          Duration preferredLifetime) {
    /** The accepted form of a prefix, for error messages. */
    public static final String PREFIX_FORM = "expected PREFIX/64, an IPv6 /64 prefix with zero host bits, like fd12:3456:789a:1::/64";
    /** RFC 4861 §6.2.1: a Router Lifetime is at most 9000 s. */
    static final long MAX_ROUTER_LIFETIME_SECONDS = 9000;
    /** RFC 4861 §6.2.1: and, unless 0, at least MaxRtrAdvInterval. */
    static final long MIN_ROUTER_LIFETIME_SECONDS = RouterAdvertiser.MAX_RTR_ADV_INTERVAL_SECONDS;

    public UserNetIpv6 {
        if (prefix != null) {
            checkPrefix(prefix, prefix + "/64");
        }
        long router = routerLifetime.toSeconds();
        if (router != 0 && (router < MIN_ROUTER_LIFETIME_SECONDS || router > MAX_ROUTER_LIFETIME_SECONDS)) {
            throw new IllegalArgumentException("routerLifetime must be 0 or " + MIN_ROUTER_LIFETIME_SECONDS + "-"
                    + MAX_ROUTER_LIFETIME_SECONDS + " s (RFC 4861 §6.2.1): " + routerLifetime);
        }
        if (validLifetime.isNegative() || validLifetime.isZero() || validLifetime.toSeconds() >= 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("validLifetime must be positive and below 2^32-1 s: " + validLifetime);
        }
        if (preferredLifetime.isNegative() || preferredLifetime.compareTo(validLifetime) > 0) {
            throw new IllegalArgumentException("preferredLifetime must be 0 to validLifetime (RFC 4862 §5.5.3(c)): "
                    + preferredLifetime + " > " + validLifetime);
        }
    }

    /** On, a random unique local prefix, RFC 4861's default lifetimes. */
    public static UserNetIpv6 defaults() {
        return new UserNetIpv6(true, null, Duration.ofSeconds(1800), Duration.ofDays(30), Duration.ofDays(7));
    }

    /** Off: the gateway's link is IPv4 only. */
    public static UserNetIpv6 off() {
        return defaults().withEnabled(false);
    }

    public UserNetIpv6 withEnabled(boolean on) {
        return new UserNetIpv6(on, prefix, routerLifetime, validLifetime, preferredLifetime);
    }

    /** The prefix to advertise (null: a random unique local one). */
    public UserNetIpv6 withPrefix(Ipv6Address p) {
        return new UserNetIpv6(enabled, p, routerLifetime, validLifetime, preferredLifetime);
    }

    public UserNetIpv6 withLifetimes(Duration router, Duration valid, Duration preferred) {
        return new UserNetIpv6(enabled, prefix, router, valid, preferred);
    }

    /**
     * Parses {@code "fd12:3456:789a:1::/64"}: only /64 prefixes (stateless autoconfiguration
     * forms 64-bit interface identifiers, RFC 4862 §5.5.3(d)), unicast, not link-local.
     *
     * @throws IllegalArgumentException naming the accepted form
     */
    public static Ipv6Address parsePrefix(String s) {
        String bad = "invalid IPv6 prefix '" + s + "': " + PREFIX_FORM;
        long[] a;
        try {
            a = StackConfig.parseIpv6Address(s); // the one ADDR/LENGTH parser of the configuration
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(bad, e);
        }
        if (a[2] != 64) {
            throw new IllegalArgumentException(bad);
        }
        Ipv6Address p = new Ipv6Address(a[0], a[1]);
        checkPrefix(p, s);
        return p;
    }

    private static void checkPrefix(Ipv6Address a, String text) {
        String bad = "invalid IPv6 prefix '" + text + "': " + PREFIX_FORM;
        if (a.lo() != 0) {
            throw new IllegalArgumentException(bad + " (host bits set)");
        }
        if (Ipv6Address.isMulticast(a.hi()) || Ipv6Address.isLinkLocal(a.hi()) || a.hi() == 0) {
            throw new IllegalArgumentException(bad + " (not a unicast prefix a host may configure: multicast, link-local or ::)");
        }
    }

    /**
     * A unique local /64 (RFC 4193 §3.1): fd (the L bit set), a 40-bit Global ID from
     * {@code random} (§3.2: pseudo-random, so that two networks are unlikely to share it), subnet 0.
     */
    public static Ipv6Address uniqueLocalPrefix(RandomGenerator random) {
        long globalId = random.nextLong() & ((1L << 40) - 1);
        return new Ipv6Address(0xfdL << 56 | globalId << 16, 0);
    }

    /** The prefix advertised: the configured one, or a unique local one from {@code random}. */
    Ipv6Address prefixOr(RandomGenerator random) {
        return prefix != null ? prefix : uniqueLocalPrefix(random);
    }

    /** The DNS address in {@code p}: {@code p::3}, like 10.0.2.3 (and libslirp's). */
    static Ipv6Address dnsAddress(Ipv6Address p) {
        return new Ipv6Address(p.hi(), 3);
    }

    /** The gateway's own address in {@code p}: {@code p::2}, like 10.0.2.2. */
    static Ipv6Address gatewayAddress(Ipv6Address p) {
        return new Ipv6Address(p.hi(), 2);
    }
}
