package org.jnetstack.tcp;

import java.net.InetAddress;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.wire.Ipv6Address;

/**
 * The 4-tuple of a connection, a TIME-WAIT record or a SYN request, with its table key:
 * addresses in the two-long form (IPv4 as IPv4-mapped, see {@link TransportAddresses}). Made once
 * per connection and shared by what stands for it later (its TIME-WAIT record); immutable.
 */
final class FourTuple {
    final long key;
    final long localHi;
    final long localLo;
    final int localPort;
    final long remoteHi;
    final long remoteLo;
    final int remotePort;

    FourTuple(TupleKeys keys, long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
        this.localHi = localHi;
        this.localLo = localLo;
        this.localPort = localPort;
        this.remoteHi = remoteHi;
        this.remoteLo = remoteLo;
        this.remotePort = remotePort;
        this.key = keys.key(remoteHi, remoteLo, remotePort, localPort);
    }

    /** Whether this is the 4-tuple given (its key already matched). */
    boolean is(long lHi, long lLo, long rHi, long rLo, int rPort, int lPort) {
        return localLo == lLo && remoteLo == rLo && remotePort == rPort && localPort == lPort
                && localHi == lHi && remoteHi == rHi;
    }

    /** IPv4 (both addresses IPv4-mapped) rather than IPv6. */
    boolean isV4() {
        return TransportAddresses.isV4(remoteHi, remoteLo);
    }

    static InetAddress inet(long hi, long lo) {
        return new Ipv6Address(hi, lo).toInetAddress(); // an IPv4-mapped one becomes an Inet4Address
    }

    @Override
    public String toString() {
        return TransportAddresses.format(remoteHi, remoteLo, remotePort) + " -> " + TransportAddresses.format(localHi, localLo, localPort);
    }
}
