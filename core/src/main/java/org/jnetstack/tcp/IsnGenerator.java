package org.jnetstack.tcp;

import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jnetstack.internal.SipHash;
import org.jnetstack.loop.Clock;

/**
 * Initial sequence numbers per RFC 6528 §3: {@code ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)}, where M is a timer ticking every 4 microseconds (RFC 9293 §3.4.1) and
 * F a keyed pseudo-random function of the connection's 4-tuple.
 *
 * <p>F here is SipHash-2-4 (Aumasson and Bernstein, 2012), a PRF designed for short inputs,
 * keyed with a 128-bit key of its own from the stack's {@link org.jnetstack.internal.StackSecrets} — so a
 * seeded simulation gets the same ISNs every run, while an off-path attacker cannot predict another connection's ISN
 * from its own (RFC 6528 §1). For one 4-tuple the ISN advances with the clock, so a new
 * incarnation of a connection starts above the old one's sequence space (§3), and different
 * 4-tuples get unrelated offsets. The 4-tuple is hashed as its 12 bytes in network order
 * (local address, local port, remote address, remote port). Allocation-free.
 * Single-threaded (the event loop owns it).
 */
final class IsnGenerator {
    /** RFC 9293 §3.4.1 / RFC 6528 §3: M ticks every 4 microseconds. */
    static final long TICK_NANOS = 4_000;

    private final Clock clock;
    private final SipHash prf;

    /** With F keyed by {@code prf}'s key (from {@link org.jnetstack.internal.StackSecrets}, purpose {@code tcp.isn}). */
    public IsnGenerator(SipHash prf, Clock clock) {
        this.prf = Objects.requireNonNull(prf, "prf");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Draws the secret key from {@code random} (tests). */
    IsnGenerator(RandomGenerator random, Clock clock) {
        this(random.nextLong(), random.nextLong(), clock);
    }

    /** With an explicit key (k0 and k1 are key bytes 0-7 and 8-15, little-endian, as in SipHash). */
    IsnGenerator(long k0, long k1, Clock clock) {
        this(new SipHash(k0, k1), clock);
    }

    /**
     * The ISN for a connection on 4-tuple {@code t}, now. An IPv4 tuple is hashed as above; an
     * IPv6 one as its two 16-byte addresses and a word of the two ports (local, remote).
     */
    int next(FourTuple t) {
        if (t.isV4()) {
            return next((int) t.localLo, t.localPort, (int) t.remoteLo, t.remotePort);
        }
        long m = clock.nanos() / TICK_NANOS;
        long ports = ((t.localPort & 0xFFFFL) << 16) | (t.remotePort & 0xFFFFL);
        return (int) m + (int) prf.hash(t.localHi, t.localLo, t.remoteHi, t.remoteLo, ports, 0);
    }

    /** The ISN for a connection on this 4-tuple (addresses as ints, ports 0..65535), now. */
    public int next(int localIp, int localPort, int remoteIp, int remotePort) {
        long m = clock.nanos() / TICK_NANOS;
        return (int) m + offset(localIp, localPort, remoteIp, remotePort);
    }

    /** F of RFC 6528 §3: the time-independent part, the low 32 bits of SipHash-2-4 of the 4-tuple. */
    int offset(int localIp, int localPort, int remoteIp, int remotePort) {
        return (int) prf.hashTuple(localIp, localPort, remoteIp, remotePort);
    }

    /** SipHash-2-4 of {@code msg[off, off+len)} with this generator's key (for test vectors). */
    long hash(byte[] msg, int off, int len) {
        return prf.hash(msg, off, len);
    }
}
