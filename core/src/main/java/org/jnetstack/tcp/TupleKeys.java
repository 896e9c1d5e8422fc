package org.jnetstack.tcp;

import org.jnetstack.internal.SipHash;
import org.jnetstack.internal.TransportAddresses;

/**
 * The keys of the 4-tuple tables: SipHash-1-3 ({@link SipHash#forTables}) of (remote address,
 * remote port, local port) under a per-stack secret key ({@code tcp.tuple} from
 * {@link org.jnetstack.internal.StackSecrets}), so that a remote peer, who chooses its address and
 * port, cannot choose which keys collide in the tables' hash map. An IPv4 tuple is hashed as one 8-byte word, an IPv6 one as three: the IPv4
 * path costs one compression. Equal keys do not mean equal tuples: the tables compare the tuple.
 * Allocation-free; loop thread only (the hash state is shared).
 */
final class TupleKeys {
    private final SipHash prf;

    TupleKeys(SipHash prf) {
        this.prf = prf;
    }

    long key(long remoteHi, long remoteLo, int remotePort, int localPort) {
        long ports = ((remotePort & 0xFFFFL) << 16) | (localPort & 0xFFFFL);
        if (TransportAddresses.isV4(remoteHi, remoteLo)) {
            return prf.hash((remoteLo << 32) | ports);
        }
        return prf.hash(remoteHi, remoteLo, ports);
    }

    /**
     * A key for one remote source (the per-source admission counts): an IPv4 address, or an IPv6
     * address's /64. A host on an IPv6 link picks its own 64-bit interface identifiers (RFC 4291
     * §2.5.1, RFC 8981) and may hold a whole /64 (RFC 8273), so per full address it could open a
     * connection from a new source every time and never meet a per-source limit.
     */
    long addressKey(long hi, long lo) {
        return TransportAddresses.isV4(hi, lo) ? prf.hash(hi, lo) : prf.hash(hi, 0);
    }
}
