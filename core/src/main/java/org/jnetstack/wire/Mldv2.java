package org.jnetstack.wire;

/**
 * Multicast Listener Discovery version 2 (RFC 3810): the report a host sends (§5.2) and the
 * query it reads (§5.1), at the ICMPv6 message offset {@code off}. A report goes to ff02::16
 * ({@link Ipv6Address#ALL_MLDV2_ROUTERS}) with hop limit 1 and a Hop-by-Hop Router Alert
 * ({@link Ipv6Extensions#writeHopByHopRouterAlert}) from a link-local source or, before one is
 * ready, the unspecified address (§5.2.13, §7.9). Nothing is allocated.
 */
public final class Mldv2 {
    /** Record types (RFC 3810 §5.2.12). */
    public static final int RECORD_MODE_IS_INCLUDE = 1;
    public static final int RECORD_MODE_IS_EXCLUDE = 2;
    public static final int RECORD_CHANGE_TO_INCLUDE = 3;
    public static final int RECORD_CHANGE_TO_EXCLUDE = 4;

    /** Type, reserved, checksum, reserved, number of records (RFC 3810 §5.2). */
    public static final int REPORT_HEADER_LENGTH = 8;
    /** A record without sources or auxiliary data: type, aux length, source count, address. */
    public static final int RECORD_LENGTH = 20;
    /** The fixed part of an MLDv2 query; a 24-byte query is MLDv1 (RFC 3810 §8.1). */
    public static final int QUERY_LENGTH = 28;
    /** Hop limit of every MLD message (RFC 3810 §5). */
    public static final int HOP_LIMIT = 1;

    private static final int QUERY_MAX_RESPONSE = 4;
    private static final int QUERY_GROUP = 8;

    private Mldv2() {
    }

    /**
     * Writes a report with {@code groupCount} records of one type, each with no sources and no
     * auxiliary data, for the groups in {@code groupsHiLo} (hi, lo pairs), and a zero checksum.
     * A host joining a group sends CHANGE_TO_EXCLUDE with no sources ("all sources"), leaving it
     * CHANGE_TO_INCLUDE with no sources, and answers a query with MODE_IS_EXCLUDE (§6.1, §5.2.12).
     *
     * @return the message length, 8 + 20 * groupCount
     */
    public static int writeReport(byte[] buf, int off, int recordType, long[] groupsHiLo, int groupCount) {
        Icmpv6Message.writeHeader(buf, off, Icmpv6Message.TYPE_MLDV2_REPORT, 0, groupCount & 0xFFFF);
        int p = off + REPORT_HEADER_LENGTH;
        for (int i = 0; i < groupCount; i++) {
            buf[p] = (byte) recordType;
            buf[p + 1] = 0;
            Bytes.putU16(buf, p + 2, 0);
            Ipv6Address.write(buf, p + 4, groupsHiLo[2 * i], groupsHiLo[2 * i + 1]);
            p += RECORD_LENGTH;
        }
        return p - off;
    }

    /** Query: the raw Maximum Response Code (RFC 3810 §5.1.3). */
    private static int queryMaxResponseCode(byte[] b, int off) {
        return Bytes.u16(b, off + QUERY_MAX_RESPONSE);
    }

    /**
     * Query: the Maximum Response Delay in milliseconds (RFC 3810 §5.1.3): the code itself below
     * 32768, else a floating-point value, (mant | 0x1000) &lt;&lt; (exp + 3).
     */
    public static long queryMaxResponseDelayMillis(byte[] b, int off) {
        int code = queryMaxResponseCode(b, off);
        if (code < 0x8000) {
            return code;
        }
        int exp = (code >>> 12) & 7;
        int mant = code & 0xFFF;
        return (long) (mant | 0x1000) << (exp + 3);
    }

    /** Query: the group asked about; :: for a General Query (RFC 3810 §5.1.5). */
    public static long queryGroupHi(byte[] b, int off) {
        return Bytes.getI64(b, off + QUERY_GROUP);
    }

    public static long queryGroupLo(byte[] b, int off) {
        return Bytes.getI64(b, off + QUERY_GROUP + 8);
    }
}
