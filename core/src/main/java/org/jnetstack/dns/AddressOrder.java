package org.jnetstack.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The order to try a host's addresses in (RFC 8305 §4): the families interleaved, IPv6 first
 * (the preference of RFC 6724's default policy), each family in the order its server gave.
 */
public final class AddressOrder {
    private AddressOrder() {
    }

    /** {@code v6[0], v4[0], v6[1], v4[1], ...}, the rest of the longer list at the end. */
    public static List<InetAddress> interleave(List<InetAddress> v6, List<InetAddress> v4) {
        List<InetAddress> out = new ArrayList<>(v6.size() + v4.size());
        for (int i = 0; i < Math.max(v6.size(), v4.size()); i++) {
            if (i < v6.size()) {
                out.add(v6.get(i));
            }
            if (i < v4.size()) {
                out.add(v4.get(i));
            }
        }
        return out;
    }

    /** {@code addresses} split by family and {@link #interleave interleaved}. */
    public static List<InetAddress> interleave(List<InetAddress> addresses) {
        List<InetAddress> v6 = new ArrayList<>();
        List<InetAddress> v4 = new ArrayList<>();
        for (InetAddress a : addresses) {
            (a instanceof Inet6Address ? v6 : v4).add(a);
        }
        return interleave(v6, v4);
    }
}
