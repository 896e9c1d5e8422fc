package org.jnetstack.tcp;

import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jnetstack.loop.Clock;

/**
 * Initial sequence numbers per RFC 6528 §3: {@code ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)}, where M is a timer ticking every 4 microseconds (RFC 9293 §3.4.1) and
 * F a keyed pseudo-random function of the connection's 4-tuple.
 *
 * <p>F here is SipHash-2-4 (Aumasson and Bernstein, 2012), a PRF designed for short inputs,
 * keyed with 128 bits drawn once from the stack's random source — so a seeded simulation gets
 * the same ISNs every run, while an off-path attacker cannot predict another connection's ISN
 * from its own (RFC 6528 §1). For one 4-tuple the ISN advances with the clock, so a new
 * incarnation of a connection starts above the old one's sequence space (§3), and different
 * 4-tuples get unrelated offsets. The 4-tuple is hashed as its 12 bytes in network order
 * (local address, local port, remote address, remote port). Allocation-free.
 * Single-threaded (the event loop owns it).
 */
public final class IsnGenerator {
    /** RFC 9293 §3.4.1 / RFC 6528 §3: M ticks every 4 microseconds. */
    static final long TICK_NANOS = 4_000;

    private final Clock clock;
    private final long k0;
    private final long k1;
    private long v0;
    private long v1;
    private long v2;
    private long v3;

    /** Draws the secret key from {@code random} (the stack's seedable source). */
    public IsnGenerator(RandomGenerator random, Clock clock) {
        this(random.nextLong(), random.nextLong(), clock);
    }

    /** With an explicit key (k0 and k1 are key bytes 0-7 and 8-15, little-endian, as in SipHash). */
    IsnGenerator(long k0, long k1, Clock clock) {
        this.k0 = k0;
        this.k1 = k1;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The ISN for a connection on this 4-tuple (addresses as ints, ports 0..65535), now. */
    public int next(int localIp, int localPort, int remoteIp, int remotePort) {
        long m = clock.nanos() / TICK_NANOS;
        return (int) m + offset(localIp, localPort, remoteIp, remotePort);
    }

    /** F of RFC 6528 §3: the time-independent part, the low 32 bits of SipHash-2-4 of the 4-tuple. */
    int offset(int localIp, int localPort, int remoteIp, int remotePort) {
        // Bytes 0-7 (local ip, local port, remote ip's high half) as one little-endian word ...
        long bigEndian = ((long) localIp << 32) | ((localPort & 0xFFFFL) << 16) | ((remoteIp >>> 16) & 0xFFFFL);
        long word = Long.reverseBytes(bigEndian);
        // ... and bytes 8-11 (remote ip's low half, remote port) with the length in the top byte.
        int lastBigEndian = (remoteIp << 16) | (remotePort & 0xFFFF);
        long last = (Integer.reverseBytes(lastBigEndian) & 0xFFFFFFFFL) | (12L << 56);
        begin();
        compress(word);
        return (int) finish(last);
    }

    /** SipHash-2-4 of {@code msg[off, off+len)} with this generator's key (for test vectors). */
    long hash(byte[] msg, int off, int len) {
        Objects.checkFromIndexSize(off, len, msg.length);
        begin();
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long w = 0;
            for (int b = 7; b >= 0; b--) {
                w = (w << 8) | (msg[off + i + b] & 0xFFL);
            }
            compress(w);
        }
        long last = (long) (len & 0xFF) << 56;
        for (int b = 0; i + b < len; b++) {
            last |= (msg[off + i + b] & 0xFFL) << (8 * b);
        }
        return finish(last);
    }

    private void begin() {
        v0 = k0 ^ 0x736f6d6570736575L; // "somepseudorandomlygeneratedbytes"
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
    }

    private void compress(long m) {
        v3 ^= m;
        round();
        round(); // c = 2 compression rounds
        v0 ^= m;
    }

    private long finish(long last) {
        compress(last);
        v2 ^= 0xFF;
        round();
        round();
        round();
        round(); // d = 4 finalization rounds
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }
}
