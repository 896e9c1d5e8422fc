package org.jnetstack.tcp;

import org.jnetstack.internal.SipHash;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.loop.Clock;

/**
 * SYN cookies (RFC 4987 §3.6): the ISN of a SYN-ACK sent without keeping state carries what the
 * connection must remember. A cookie is 5 bits of the period it was made in, 3 bits naming one of
 * {@link #MSS} and 24 bits of SipHash-2-4 over the 4-tuple, the peer's ISN, the period and the MSS
 * index.
 *
 * <p>Each period has a new key (fresh from {@link StackSecrets}, not derived from the last), and a
 * cookie is accepted in the period it was made and the next: so a key serves at most two periods
 * and then is forgotten, and nobody who learns a key (or collects cookies) can forge one for long.
 * Keys rotate when a cookie is next made or checked; single-threaded, allocation-free between
 * rotations.
 */
final class SynCookies {
    /** MSS values a cookie can name (3 bits); the largest not above the peer's is chosen. */
    static final int[] MSS = {536, 1220, 1380, 1440, 1460, 4312, 8960, 65495};
    static final String PURPOSE = "tcp.syncookie";

    private final Clock clock;
    private final StackSecrets secrets;
    private final long periodNanos;
    private SipHash current;
    private SipHash previous;
    private long currentPeriod = Long.MIN_VALUE;
    private long previousPeriod = Long.MIN_VALUE;

    SynCookies(Clock clock, StackSecrets secrets, long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("SYN-cookie period must be positive");
        }
        this.clock = clock;
        this.secrets = secrets;
        this.periodNanos = periodNanos;
        this.current = new SipHash(0, 0); // keyed by the first rotate(), before any use
        this.previous = new SipHash(0, 0);
    }

    /** The index into {@link #MSS} of the largest MSS not above {@code limit}. */
    static int mssIndex(int limit) {
        for (int i = MSS.length - 1; i > 0; i--) {
            if (MSS[i] <= limit) {
                return i;
            }
        }
        return 0;
    }

    /** A cookie to send as our ISN now (IPv4 addresses). */
    int make(int mssIndex, int localIp, int localPort, int remoteIp, int remotePort, int peerIsn) {
        return make(mssIndex, 0, TransportAddresses.mappedLo(localIp), localPort, 0, TransportAddresses.mappedLo(remoteIp),
                remotePort, peerIsn);
    }

    /** A cookie to send as our ISN now (addresses in the two-long form, IPv4 as IPv4-mapped). */
    int make(int mssIndex, long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort,
             int peerIsn) {
        long t = rotate();
        return cookie(current, t, mssIndex, localHi, localLo, localPort, remoteHi, remoteLo, remotePort, peerIsn);
    }

    /** {@link #check(int, long, long, int, long, long, int, int)} for IPv4 addresses. */
    int check(int isn, int localIp, int localPort, int remoteIp, int remotePort, int peerIsn) {
        return check(isn, 0, TransportAddresses.mappedLo(localIp), localPort, 0, TransportAddresses.mappedLo(remoteIp),
                remotePort, peerIsn);
    }

    /**
     * Checks {@code isn} (the acknowledgment number less one) against the key of the current and
     * the previous period: the MSS index it encodes, or -1 if it is no cookie of ours.
     */
    int check(int isn, long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort,
              int peerIsn) {
        long now = rotate();
        int idx = (isn >>> 24) & 7;
        int bits = (isn >>> 27) & 0x1F;
        if (bits == (int) (now & 0x1F)
                && cookie(current, now, idx, localHi, localLo, localPort, remoteHi, remoteLo, remotePort, peerIsn) == isn) {
            return idx;
        }
        if (previousPeriod == now - 1 && bits == (int) (previousPeriod & 0x1F)
                && cookie(previous, previousPeriod, idx, localHi, localLo, localPort, remoteHi, remoteLo, remotePort,
                        peerIsn) == isn) {
            return idx;
        }
        return -1;
    }

    /** The current period, after giving it a new key if it just began. */
    private long rotate() {
        long now = Math.floorDiv(clock.nanos(), periodNanos);
        if (now != currentPeriod) {
            if (now == currentPeriod + 1) {
                SipHash spare = previous; // its key is two periods old: forgotten now
                previous = current;
                previousPeriod = currentPeriod;
                current = spare;
            } else {
                previousPeriod = Long.MIN_VALUE; // nothing made in the last period: no key to keep
            }
            secrets.rekey(current, PURPOSE);
            currentPeriod = now;
        }
        return now;
    }

    /** IPv4 hashes 3 words (both addresses in the first), IPv6 6 (each address in two). */
    private static int cookie(SipHash key, long t, int mssIndex, long localHi, long localLo, int localPort, long remoteHi,
                              long remoteLo, int remotePort, int peerIsn) {
        long w1 = ((localPort & 0xFFFFL) << 48) | ((remotePort & 0xFFFFL) << 32) | (peerIsn & 0xFFFFFFFFL);
        long w2 = (t << 3) | mssIndex;
        int h;
        if (TransportAddresses.isV4(remoteHi, remoteLo)) {
            long w0 = (localLo << 32) | (remoteLo & 0xFFFFFFFFL);
            h = (int) key.hash(w0, w1, w2);
        } else {
            h = (int) key.hash(localHi, localLo, remoteHi, remoteLo, w1, w2);
        }
        return ((int) (t & 0x1F) << 27) | (mssIndex << 24) | (h & 0xFFFFFF);
    }
}
