package org.jnetstack.ip6;

/** Neighbour cache entry states (RFC 4861 §7.3.2). */
public enum NeighborState {
    INCOMPLETE, REACHABLE, STALE, DELAY, PROBE
}
