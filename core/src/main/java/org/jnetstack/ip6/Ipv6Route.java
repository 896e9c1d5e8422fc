package org.jnetstack.ip6;

/**
 * The way to one destination as {@link Ipv6#route} found it: the interface, the next hop (the
 * destination itself when on-link, else a default router) and the selected source address. A
 * reusable holder: valid until the next lookup, so a lookup allocates nothing.
 */
public final class Ipv6Route {
    private Ipv6Interface iface;
    private long nextHopHi;
    private long nextHopLo;
    private long sourceHi;
    private long sourceLo;
    private boolean hasSource;

    void set(Ipv6Interface iface, long nextHopHi, long nextHopLo) {
        this.iface = iface;
        this.nextHopHi = nextHopHi;
        this.nextHopLo = nextHopLo;
        this.hasSource = false;
    }

    void iface(Ipv6Interface iface) {
        this.iface = iface;
    }

    void nextHop(long hi, long lo) {
        this.nextHopHi = hi;
        this.nextHopLo = lo;
        this.hasSource = false;
    }

    void source(long hi, long lo) {
        this.sourceHi = hi;
        this.sourceLo = lo;
        this.hasSource = true;
    }

    /** This route without a source: the interface has no usable address for the destination yet. */
    Ipv6Route noSource() {
        hasSource = false;
        return this;
    }

    public Ipv6Interface iface() {
        return iface;
    }

    public long nextHopHi() {
        return nextHopHi;
    }

    public long nextHopLo() {
        return nextHopLo;
    }

    /** False while the interface has no usable address (all tentative): nothing can be sent from it yet. */
    public boolean hasSource() {
        return hasSource;
    }

    public long sourceHi() {
        return sourceHi;
    }

    public long sourceLo() {
        return sourceLo;
    }
}
