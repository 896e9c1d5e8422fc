package org.jnetstack.ip6;

import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Mldv2;

/**
 * MLDv2 listener side of one interface (RFC 3810), so that switches which snoop MLD deliver our
 * neighbour solicitations: the groups we listen to are the solicited-node groups of our
 * addresses (never all-nodes ff02::1, which is not reported, §6). A joined or left group is
 * reported at once and once more within a second (the Robustness Variable 2, §6.1); queries
 * are answered with the current state after a random delay within their Maximum Response
 * Delay (§6.2).
 */
final class Mld {
    /** RFC 3810 §9.1: Robustness Variable. */
    static final int ROBUSTNESS = 2;
    /** RFC 3810 §9.11: Unsolicited Report Interval. */
    static final long UNSOLICITED_REPORT_INTERVAL_NANOS = 1_000_000_000L;

    private final Ipv6Interface ifc;
    /** The groups reported last, hi/lo pairs; at most one per address. */
    private long[] joined = new long[2 * Ipv6Interface.MAX_ADDRESSES];
    private int joinedCount;
    private final long[] scratch = new long[2 * Ipv6Interface.MAX_ADDRESSES];
    private final long[] changed = new long[2 * Ipv6Interface.MAX_ADDRESSES];
    private final byte[] tx = new byte[Ipv6.TRANSPORT_OFFSET + Ipv6Extensions.FRAGMENT_HEADER_LENGTH
            + Mldv2.REPORT_HEADER_LENGTH + Mldv2.RECORD_LENGTH * Ipv6Interface.MAX_ADDRESSES];
    private final Timer retransmit;
    private final Timer response;
    private int retransmitsLeft;

    private final Counter txReports;
    private final Counter rxQueries;
    private final Counter rxInvalid;

    Mld(Ipv6Interface ifc, Counters counters) {
        this.ifc = ifc;
        this.retransmit = ifc.ip().loop().newTimer(this::retransmitState);
        this.response = ifc.ip().loop().newTimer(() -> report(Mldv2.RECORD_MODE_IS_EXCLUDE, joined, joinedCount));
        txReports = counters.counter("mld.tx.reports");
        rxQueries = counters.counter("mld.rx.queries");
        rxInvalid = counters.counter("mld.rx.drop.invalid");
    }

    void stop() {
        retransmit.cancel();
        response.cancel();
    }

    /** The solicited-node groups of the addresses now (not of duplicates), each once, into {@link #scratch}. */
    private int currentGroups() {
        int n = 0;
        for (int i = 0, k = ifc.addressCount(); i < k; i++) {
            InterfaceAddress a = ifc.address(i);
            if (a.state == AddressState.DUPLICATE) {
                continue;
            }
            long lo = Ipv6Address.solicitedNodeLo(a.lo);
            if (!contains(scratch, n, Ipv6Address.solicitedNodeHi(), lo)) {
                scratch[2 * n] = Ipv6Address.solicitedNodeHi();
                scratch[2 * n + 1] = lo;
                n++;
            }
        }
        return n;
    }

    private static boolean contains(long[] groups, int count, long hi, long lo) {
        for (int i = 0; i < count; i++) {
            if (groups[2 * i] == hi && groups[2 * i + 1] == lo) {
                return true;
            }
        }
        return false;
    }

    /** The addresses changed: joins and leaves are reported (RFC 3810 §6.1) and repeated once. */
    void addressesChanged() {
        int n = currentGroups();
        int joins = 0;
        for (int i = 0; i < n; i++) {
            if (!contains(joined, joinedCount, scratch[2 * i], scratch[2 * i + 1])) {
                changed[2 * joins] = scratch[2 * i];
                changed[2 * joins + 1] = scratch[2 * i + 1];
                joins++;
            }
        }
        if (joins > 0) {
            report(Mldv2.RECORD_CHANGE_TO_EXCLUDE, changed, joins);
        }
        int leaves = 0;
        for (int i = 0; i < joinedCount; i++) {
            if (!contains(scratch, n, joined[2 * i], joined[2 * i + 1])) {
                changed[2 * leaves] = joined[2 * i];
                changed[2 * leaves + 1] = joined[2 * i + 1];
                leaves++;
            }
        }
        if (leaves > 0) {
            report(Mldv2.RECORD_CHANGE_TO_INCLUDE, changed, leaves);
        }
        System.arraycopy(scratch, 0, joined, 0, 2 * n);
        joinedCount = n;
        if (joins + leaves > 0) {
            retransmitsLeft = ROBUSTNESS - 1;
            retransmit.schedule((long) (ifc.random().nextDouble() * UNSOLICITED_REPORT_INTERVAL_NANOS));
        }
    }

    /** The repetition of a state change: the groups as they are now (a left one is simply no longer listed). */
    private void retransmitState() {
        if (retransmitsLeft <= 0 || !ifc.running()) {
            return;
        }
        retransmitsLeft--;
        report(Mldv2.RECORD_CHANGE_TO_EXCLUDE, joined, joinedCount);
        if (retransmitsLeft > 0) {
            retransmit.schedule((long) (ifc.random().nextDouble() * UNSOLICITED_REPORT_INTERVAL_NANOS));
        }
    }

    /**
     * A query (RFC 3810 §5.1; MLDv1's shorter one too, answered the same way): from a link-local
     * address with hop limit 1 (§5.1.14), or ignored. A general query, or one about a group of
     * ours, is answered after a random delay up to its Maximum Response Delay.
     */
    void query(Ipv6Packet ip, byte[] buf, int off, int len) {
        if (ip.hopLimit() != 1 || !Ipv6Address.isLinkLocal(ip.sourceHi())) {
            rxInvalid.inc();
            return;
        }
        rxQueries.inc();
        long groupHi = Mldv2.queryGroupHi(buf, off);
        long groupLo = Mldv2.queryGroupLo(buf, off);
        if (!Ipv6Address.isUnspecified(groupHi, groupLo) && !contains(joined, joinedCount, groupHi, groupLo)) {
            return;
        }
        long maxDelay = Math.max(1, Mldv2.queryMaxResponseDelayMillis(buf, off)) * 1_000_000L;
        long delay = (long) (ifc.random().nextDouble() * maxDelay);
        long now = ifc.ip().loop().clock().nanos();
        if (!response.isScheduled() || response.deadline() - now > delay) {
            response.schedule(delay);
        }
    }

    /**
     * Sends a report (RFC 3810 §5.2) to all MLDv2 routers ff02::16 with hop limit 1 and a
     * Hop-by-Hop Router Alert (§5), from the link-local address, or from :: while there is none
     * (§5.2.13).
     */
    private void report(int recordType, long[] groups, int count) {
        if (count == 0 || !ifc.running()) {
            return;
        }
        InterfaceAddress src = ifc.linkLocal();
        long srcHi = src == null ? 0 : src.hi;
        long srcLo = src == null ? 0 : src.lo;
        long dstHi = Ipv6Address.ALL_MLDV2_ROUTERS.hi();
        long dstLo = Ipv6Address.ALL_MLDV2_ROUTERS.lo();
        int hbh = Ipv6.TRANSPORT_OFFSET;
        int t = hbh + Ipv6Extensions.writeHopByHopRouterAlert(tx, hbh, Ipv6Packet.NH_ICMPV6);
        int len = Mldv2.writeReport(tx, t, recordType, groups, count);
        Icmpv6Message.writeChecksum(tx, t, len, srcHi, srcLo, dstHi, dstLo);
        txReports.inc();
        ifc.ip().transmit(ifc, dstHi, dstLo, srcHi, srcLo, dstHi, dstLo, Ipv6Packet.NH_HOP_BY_HOP, Mldv2.HOP_LIMIT,
                tx, hbh, t + len - hbh);
    }
}
