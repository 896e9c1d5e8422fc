package org.jnetstack.ip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The route table: longest-prefix match (RFC 1812 §5.2.4.3) over a short list kept sorted by
 * prefix length, longest first. Tables here hold a handful of routes, so a linear scan is
 * faster than a trie.
 */
public final class Routes {
    private Route[] routes = new Route[0];

    public void add(Route r) {
        List<Route> l = new ArrayList<>(List.of(routes));
        l.removeIf(x -> x.network() == r.network() && x.prefixLength() == r.prefixLength() && x.iface() == r.iface());
        l.add(r);
        l.sort(Comparator.comparingInt(Route::prefixLength).reversed());
        routes = l.toArray(new Route[0]);
    }

    public void removeIf(java.util.function.Predicate<Route> p) {
        List<Route> l = new ArrayList<>(List.of(routes));
        l.removeIf(p);
        routes = l.toArray(new Route[0]);
    }

    /** The most specific route to {@code dst}, or null. */
    public Route lookup(int dst) {
        for (Route r : routes) {
            if (r.matches(dst)) {
                return r;
            }
        }
        return null;
    }

    public List<Route> list() {
        return List.of(routes);
    }
}
