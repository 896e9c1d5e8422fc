package org.jnetstack.tcp;

/**
 * The sender's record of which bytes above SND.UNA the peer has SACKed (RFC 6675 §3,
 * "scoreboard"), and the RFC 6675 §4 routines built on it: IsLost, SetPipe and NextSeg.
 *
 * <p>Sequence numbers are absolute and compared modulo 2^32 ({@link Seq}); every range lies in
 * (SND.UNA, SND.NXT], less than 2^31 wide, so the comparisons are exact across the wrap. The
 * record is a sorted list of disjoint, non-adjacent {@code [start, end)} ranges, bounded at
 * {@link #DEFAULT_MAX_RANGES}: when a block needs a range that does not fit, the highest range is
 * forgotten (or the new block, if it is the highest). Forgetting a SACK is always safe: those
 * bytes merely look un-SACKed and may be retransmitted needlessly.
 *
 * <p><b>HighRxt convention.</b> RFC 6675 names the highest <em>octet</em> retransmitted. Here
 * {@code highRxt} is the sequence number <em>just past</em> it — {@code seq + len} of the last
 * retransmission in this recovery — and equals SND.UNA when nothing has been retransmitted yet
 * (a value below SND.UNA is read as SND.UNA). Likewise {@link #highestSacked()} is exclusive.
 *
 * <p>Allocation-free after the first SACK block (the arrays are created lazily so that a
 * connection that never sees loss carries none). Single-threaded.
 */
final class SackScoreboard {
    /** Ranges held at most unless the constructor says otherwise ({@link TcpConfig#maxSackRanges()}). */
    public static final int DEFAULT_MAX_RANGES = TcpConfig.DEFAULT_MAX_SACK_RANGES;
    /** DupThresh of RFC 6675 §2 (and RFC 5681 §3.2). */
    public static final int DUP_THRESH = 3;

    private final int maxRanges;
    private int[] start;   // sorted, disjoint, non-adjacent; null until the first range
    private int[] end;     // exclusive
    private int count;

    public SackScoreboard() {
        this(DEFAULT_MAX_RANGES);
    }

    public SackScoreboard(int maxRanges) {
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be positive, got " + maxRanges);
        }
        this.maxRanges = maxRanges;
    }

    /** Forgets every SACK (after an RTO — RFC 6675 §5.1 — or when the connection ends). */
    public void clear() {
        count = 0;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Number of disjoint SACKed ranges held. */
    public int rangeCount() {
        return count;
    }

    /** One past the highest SACKed byte (exclusive end of the highest range); valid when not empty. */
    public int highestSacked() {
        if (count == 0) {
            throw new IllegalStateException("no SACKed data; check isEmpty() first");
        }
        return end[count - 1];
    }

    /**
     * Records the SACK blocks of one ACK (RFC 6675 §5 step "update the scoreboard"). Blocks at or
     * below {@code cumAck} — a D-SACK (RFC 2883 §4) or a stale block — and blocks reaching beyond
     * {@code sndNxt} (SACKing data never sent) are ignored; a block straddling {@code cumAck} is
     * kept from {@code cumAck} on. Ranges below {@code cumAck} are dropped as by {@link #advance}.
     */
    public void update(int cumAck, int sndNxt, int[] starts, int[] ends, int count) {
        advance(cumAck);
        for (int i = 0; i < count; i++) {
            int s = starts[i];
            int e = ends[i];
            if (!Seq.lt(s, e) || Seq.le(e, cumAck) || Seq.gt(e, sndNxt)) {
                continue;
            }
            insert(Seq.max(s, cumAck), e);
        }
    }

    private void insert(int s, int e) {
        if (start == null) {
            start = new int[maxRanges];
            end = new int[maxRanges];
        }
        int first = 0; // first range ending at or after s (touching ranges merge)
        while (first < count && Seq.lt(end[first], s)) {
            first++;
        }
        int last = first - 1; // last range starting at or before e
        while (last + 1 < count && Seq.le(start[last + 1], e)) {
            last++;
        }
        if (last >= first) {
            start[first] = Seq.min(s, start[first]);
            end[first] = Seq.max(e, end[last]);
            int removed = last - first;
            if (removed > 0) {
                int tail = count - last - 1;
                System.arraycopy(start, last + 1, start, first + 1, tail);
                System.arraycopy(end, last + 1, end, first + 1, tail);
                count -= removed;
            }
            return;
        }
        if (count == maxRanges) {
            if (first == count) {
                return; // the new block is the highest: it is the one to forget
            }
            count--; // forget the highest range to make room
        }
        int tail = count - first;
        System.arraycopy(start, first, start, first + 1, tail);
        System.arraycopy(end, first, end, first + 1, tail);
        start[first] = s;
        end[first] = e;
        count++;
    }

    /** SND.UNA moved to {@code sndUna}: drop what lies below it (RFC 6675 §5: scoreboard above HighACK). */
    public void advance(int sndUna) {
        int drop = 0;
        while (drop < count && Seq.le(end[drop], sndUna)) {
            drop++;
        }
        if (drop > 0) {
            count -= drop;
            System.arraycopy(start, drop, start, 0, count);
            System.arraycopy(end, drop, end, 0, count);
        }
        if (count > 0 && Seq.lt(start[0], sndUna)) {
            start[0] = sndUna;
        }
    }

    /** The byte {@code seq} has been SACKed. */
    public boolean isSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.lt(seq, start[i])) {
                return false;
            }
            if (Seq.lt(seq, end[i])) {
                return true;
            }
        }
        return false;
    }

    /** Bytes SACKed at or above {@code seq}. */
    public int sackedBytesAbove(int seq) {
        int sum = 0;
        for (int i = count - 1; i >= 0 && Seq.gt(end[i], seq); i--) {
            sum += end[i] - Seq.max(start[i], seq);
        }
        return sum;
    }

    /** Bytes SACKed in [from, to). */
    private int sackedBetween(int from, int to) {
        return sackedBytesAbove(from) - sackedBytesAbove(to);
    }

    /**
     * RFC 6675 §4 IsLost(SeqNum): true when DupThresh discontiguous SACKed ranges lie above
     * {@code seq}, or more than (DupThresh - 1) * SMSS bytes above it are SACKed.
     */
    public boolean isLost(int seq, int mss) {
        int rangesAbove = 0;
        for (int i = count - 1; i >= 0 && Seq.gt(start[i], seq); i--) {
            rangesAbove++;
        }
        return rangesAbove >= DUP_THRESH || sackedBytesAbove(seq + 1) > (long) (DUP_THRESH - 1) * mss;
    }

    /**
     * The sequence number below which every un-SACKed byte is lost by IsLost, and at or above
     * which none is; {@code sndUna} when nothing is lost. IsLost can only grow as the sequence
     * number falls, so one boundary describes it: the start of the third range from the top, or
     * of the highest range such that it and the ranges above hold more than (DupThresh-1)*SMSS
     * bytes — whichever is higher.
     */
    private int lostBoundary(int sndUna, int mss) {
        int boundary = sndUna;
        if (count >= DUP_THRESH) {
            boundary = Seq.max(boundary, start[count - DUP_THRESH]);
        }
        long bytes = 0;
        long limit = (long) (DUP_THRESH - 1) * mss;
        for (int i = count - 1; i >= 0; i--) {
            bytes += end[i] - start[i];
            if (bytes > limit) {
                boundary = Seq.max(boundary, start[i]);
                break;
            }
        }
        return boundary;
    }

    /**
     * RFC 6675 §4 SetPipe: the bytes estimated in flight. Each un-SACKed byte in
     * [sndUna, sndNxt) counts once if IsLost says it is not lost, and once more if it was
     * retransmitted in this recovery (below {@code highRxt}, exclusive — see the class comment).
     * Computed per range, not per octet.
     */
    public int pipe(int sndUna, int sndNxt, int highRxt, int mss) {
        if (!Seq.lt(sndUna, sndNxt)) {
            return 0;
        }
        int lost = Seq.min(lostBoundary(sndUna, mss), sndNxt);
        int notLost = unsackedBetween(lost, sndNxt);
        int retransmitted = 0;
        if (Seq.gt(highRxt, sndUna)) {
            retransmitted = unsackedBetween(sndUna, Seq.min(highRxt, sndNxt));
        }
        return notLost + retransmitted;
    }

    private int unsackedBetween(int from, int to) {
        return (to - from) - sackedBetween(from, to);
    }

    /**
     * RFC 6675 §4 NextSeg(): where the next segment sent in loss recovery starts.
     * <ol>
     *   <li>the lowest un-SACKed byte at or above {@code highRxt} (exclusive convention, so
     *       "greater than HighRxt") that is below the highest SACKed byte and lost by IsLost;</li>
     *   <li>otherwise {@code sndNxt}, if the caller has new data it may send
     *       ({@code haveNewData}: unsent data and a receive window that allows it);</li>
     *   <li>otherwise the lowest un-SACKed byte at or above {@code highRxt} below the highest
     *       SACKed byte, lost or not;</li>
     *   <li>otherwise nothing. (Rule 4's "rescue" retransmission is left to the caller.)</li>
     * </ol>
     * Returns {@code (1L << 32) | (seq & 0xFFFFFFFFL)} when a segment was found, -1 when not;
     * {@code (int) result} is the sequence number. Use {@link #unsackedLength} to size it.
     */
    public long nextSeg(int sndUna, int sndNxt, int highRxt, int mss, boolean haveNewData) {
        if (count > 0) {
            int from = lowestUnsackedAtOrAbove(Seq.max(highRxt, sndUna));
            int highest = start[count - 1]; // un-SACKed bytes "below the highest SACKed octet" are below this
            if (Seq.lt(from, highest) && Seq.lt(from, sndNxt)) {
                if (Seq.lt(from, lostBoundary(sndUna, mss))) {
                    return found(from); // rule 1
                }
                return haveNewData ? found(sndNxt) : found(from); // rule 2, else rule 3
            }
        }
        return haveNewData ? found(sndNxt) : -1; // rule 2, else rule 4's failure
    }

    private static long found(int seq) {
        return (1L << 32) | (seq & 0xFFFFFFFFL);
    }

    /** True when {@link #nextSeg}'s result names a segment. */
    public static boolean isFound(long nextSeg) {
        return nextSeg >= 0;
    }

    /** The first sequence number at or above {@code seq} that is not SACKed. */
    public int firstUnsackedAtOrAbove(int seq) {
        return lowestUnsackedAtOrAbove(seq);
    }

    private int lowestUnsackedAtOrAbove(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.lt(seq, start[i])) {
                return seq;
            }
            if (Seq.lt(seq, end[i])) {
                return end[i]; // ranges are non-adjacent: end[i] is not SACKed
            }
        }
        return seq;
    }

    /**
     * Bytes from {@code seq} up to the next SACKed byte, at most {@code max}: the length of a
     * retransmission starting at {@code seq} that resends nothing the peer already holds.
     */
    public int unsackedLength(int seq, int max) {
        for (int i = 0; i < count; i++) {
            if (Seq.lt(seq, start[i])) {
                return (int) Math.min(max, (long) (start[i] - seq));
            }
            if (Seq.lt(seq, end[i])) {
                return 0;
            }
        }
        return max;
    }

    /** Fills {@code starts}/{@code ends} with the ranges held, lowest first (for tests and info). */
    public int ranges(int[] starts, int[] ends) {
        int n = Math.min(count, Math.min(starts.length, ends.length));
        for (int i = 0; i < n; i++) {
            starts[i] = start[i];
            ends[i] = end[i];
        }
        return n;
    }
}
