package org.jnetstack.ip6;

import org.jnetstack.loop.Timer;

/** One address of an {@link Ipv6Interface} and where it is in its life (RFC 4862 §5.4, §5.5.3). */
final class InterfaceAddress {
    static final long INFINITE = Long.MAX_VALUE;

    final long hi;
    final long lo;
    final int prefixLength;
    final AddressOrigin origin;
    /** RFC 7217's DAD_Counter this address was generated with (0 for static ones). */
    final int dadCounter;
    AddressState state = AddressState.TENTATIVE;
    /** Clock nanos when the address becomes invalid / deprecated; {@link #INFINITE} for never. */
    long validUntil = INFINITE;
    long preferredUntil = INFINITE;
    /** Solicitations left to send during detection. */
    int dadLeft;
    Timer timer;

    InterfaceAddress(long hi, long lo, int prefixLength, AddressOrigin origin, int dadCounter) {
        this.hi = hi;
        this.lo = lo;
        this.prefixLength = prefixLength;
        this.origin = origin;
        this.dadCounter = dadCounter;
    }

    boolean is(long h, long l) {
        return hi == h && lo == l;
    }

    /** Usable as a source and accepted as a destination (RFC 4862 §5.4: not while tentative, never if duplicate). */
    boolean usable() {
        return state == AddressState.PREFERRED || state == AddressState.DEPRECATED;
    }
}
