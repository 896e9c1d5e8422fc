package org.jnetstack.ip6;

import org.jnetstack.wire.Ipv6Address;

/**
 * Source address selection (RFC 6724 §5) among the usable addresses of the outgoing interface,
 * by rules 1 (the destination itself), 2 (appropriate scope), 3 (avoid deprecated) and 8
 * (longest matching prefix); rules 4–7 do not apply to a host without home addresses,
 * temporary addresses or labels of its own.
 */
final class SourceSelection {
    private SourceSelection() {
    }

    /** Sets {@code r}'s source to the best address of {@code ifc} for {@code dst}; false if it has none usable. */
    static boolean select(Ipv6Interface ifc, long dstHi, long dstLo, Ipv6Route r) {
        InterfaceAddress best = null;
        int dstScope = Ipv6Address.scope(dstHi, dstLo);
        for (int i = 0, n = ifc.addressCount(); i < n; i++) {
            InterfaceAddress a = ifc.address(i);
            if (a.usable() && (best == null || better(a, best, dstHi, dstLo, dstScope))) {
                best = a;
            }
        }
        if (best == null) {
            return false;
        }
        r.source(best.hi, best.lo);
        return true;
    }

    /** True if {@code a} is preferred over {@code b} as the source for {@code dst}. */
    private static boolean better(InterfaceAddress a, InterfaceAddress b, long dstHi, long dstLo, int dstScope) {
        // Rule 1: prefer the same address.
        if (a.is(dstHi, dstLo) != b.is(dstHi, dstLo)) {
            return a.is(dstHi, dstLo);
        }
        // Rule 2: prefer the appropriate scope.
        int sa = Ipv6Address.scope(a.hi, a.lo);
        int sb = Ipv6Address.scope(b.hi, b.lo);
        if (sa != sb) {
            return sa < sb ? sa >= dstScope : sb < dstScope;
        }
        // Rule 3: avoid deprecated addresses.
        boolean da = a.state == AddressState.DEPRECATED;
        boolean db = b.state == AddressState.DEPRECATED;
        if (da != db) {
            return db;
        }
        // Rule 8: longest matching prefix (compared only up to the prefix length of the source, RFC 6724 §5).
        int la = Math.min(Ipv6Address.commonPrefixLength(a.hi, a.lo, dstHi, dstLo), a.prefixLength);
        int lb = Math.min(Ipv6Address.commonPrefixLength(b.hi, b.lo, dstHi, dstLo), b.prefixLength);
        return la > lb;
    }
}
