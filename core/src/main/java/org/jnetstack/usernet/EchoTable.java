package org.jnetstack.usernet;

import org.jnetstack.stats.Counter;

/**
 * The guests' echo requests in flight through a host echo socket ({@link IcmpNat}): whose
 * request each of the gateway's own request numbers stands for, so that a reply goes back to the
 * guest with the guest's identifier and sequence. Numbers are handed out in order (16 bits, as
 * the sequence field carries them), so the requests in flight are a window of at most
 * {@link #SLOTS} consecutive numbers, oldest first; an entry ends when its reply comes or after
 * {@link #EXPIRY_NANOS}. What a guest can make the gateway hold is bounded: a request finding the
 * window full, or its guest already holding {@link #PER_GUEST} entries, is refused. Addresses in
 * the two-long form (IPv4 as IPv4-mapped). Loop thread; the caller passes the time.
 */
final class EchoTable {
    /** Requests in flight: far more than guests' pings have outstanding (one a second each, 10 s timeout). */
    static final int SLOTS = 256;
    /** Requests in flight of one guest address: one guest's flood leaves room for the others. */
    static final int PER_GUEST = 64;
    /** How long a request waits for its reply (ping(8) gives up after 10 s by default). */
    static final long EXPIRY_NANOS = 10_000_000_000L;
    /** {@link #add}: every slot holds a request not yet answered nor expired. */
    static final int FULL = -1;
    /** {@link #add}: the guest holds {@link #PER_GUEST} requests already. */
    static final int GUEST_LIMIT = -2;

    private final long[] guestHi = new long[SLOTS];
    private final long[] guestLo = new long[SLOTS];
    private final long[] destinationHi = new long[SLOTS];
    private final long[] destinationLo = new long[SLOTS];
    private final int[] identifier = new int[SLOTS];
    private final int[] sequence = new int[SLOTS];
    private final long[] sentAt = new long[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    /** The number the next request gets, and the oldest that may still be in flight (both before the 16-bit cut). */
    private int next;
    private int oldest;
    private int live;
    private final Counter expired;

    /** {@code expired} counts the requests that ended unanswered. */
    EchoTable(Counter expired) {
        this.expired = expired;
    }

    /**
     * Takes a guest's request from {@code guest} to {@code destination}: the number (0-65535) to
     * send it under, or {@link #FULL} or {@link #GUEST_LIMIT}.
     */
    int add(long now, long gHi, long gLo, long dHi, long dLo, int id, int seq) {
        expire(now);
        if (next - oldest == SLOTS) {
            return FULL;
        }
        int held = 0;
        for (int n = oldest; n != next; n++) {
            int s = n & (SLOTS - 1);
            if (used[s] && guestHi[s] == gHi && guestLo[s] == gLo && ++held == PER_GUEST) {
                return GUEST_LIMIT;
            }
        }
        int number = next++;
        int s = number & (SLOTS - 1);
        used[s] = true;
        live++;
        guestHi[s] = gHi;
        guestLo[s] = gLo;
        destinationHi[s] = dHi;
        destinationLo[s] = dLo;
        identifier[s] = id;
        sequence[s] = seq;
        sentAt[s] = now;
        return number & 0xFFFF;
    }

    /**
     * The reply numbered {@code number} (16 bits) from {@code from}: the slot of the request it
     * answers, which ends, or -1 if it answers none in flight (late, repeated, forged, or from
     * another address than the request went to).
     */
    int take(long now, int number, long fromHi, long fromLo) {
        expire(now);
        int s = number & (SLOTS - 1);
        int n = oldest + ((number - oldest) & 0xFFFF); // the full number in the window, if it is there
        if (n - oldest >= next - oldest || !used[s] || destinationHi[s] != fromHi || destinationLo[s] != fromLo) {
            return -1;
        }
        used[s] = false;
        live--;
        return s;
    }

    /** A request just added that could not be sent: forgotten, so it holds no slot. */
    void forget(int number) {
        int s = number & (SLOTS - 1);
        if (used[s]) {
            used[s] = false;
            live--;
        }
    }

    /** Ends the requests older than {@link #EXPIRY_NANOS}, and moves the window past every ended one. */
    private void expire(long now) {
        while (oldest != next) {
            int s = oldest & (SLOTS - 1);
            if (used[s]) {
                if (now - sentAt[s] < EXPIRY_NANOS) {
                    return;
                }
                used[s] = false;
                live--;
                expired.inc();
            }
            oldest++;
        }
    }

    long guestHi(int slot) {
        return guestHi[slot];
    }

    long guestLo(int slot) {
        return guestLo[slot];
    }

    long destinationHi(int slot) {
        return destinationHi[slot];
    }

    long destinationLo(int slot) {
        return destinationLo[slot];
    }

    int identifier(int slot) {
        return identifier[slot];
    }

    int sequence(int slot) {
        return sequence[slot];
    }

    /** Requests in flight (as of the last call). */
    int live() {
        return live;
    }
}
