package org.jnetstack.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * View of a DNS message (RFC 1035 §4), queries and responses alike. {@link #wrap} points it at
 * bytes; {@link #check()} validates the whole message once — every name (labels, compression
 * pointers, the 255-byte limit), every record's lengths and the RDATA of the types we read —
 * and indexes the questions and records, after which the accessors read from the buffer.
 * Build messages with {@link DnsWriter}.
 *
 * <p>Compression pointers must point strictly before the name part they appear in, so following
 * them always ends (a loop or a forward pointer is {@link DnsMalformed#BAD_POINTER}). Records are
 * numbered across sections: answers first, then authority, then additional.
 *
 * <p>One view is reused for every message; its index arrays grow to the largest message seen.
 */
public final class DnsMessage {
    public static final int HEADER_LENGTH = 12;
    public static final int PORT = 53;
    /** RFC 1035 §4.2.1: UDP messages are limited to 512 bytes (without EDNS). */
    public static final int UDP_MAX = 512;
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_LABEL_LENGTH = 63;

    public static final int TYPE_A = 1;
    public static final int TYPE_NS = 2;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_MX = 15;
    public static final int TYPE_TXT = 16;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_OPT = 41;
    public static final int CLASS_IN = 1;

    public static final int FLAG_QR = 0x8000;
    public static final int FLAG_AA = 0x0400;
    public static final int FLAG_TC = 0x0200;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_RA = 0x0080;

    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;
    public static final int RCODE_REFUSED = 5;

    public static final int SECTION_ANSWER = 1;
    public static final int SECTION_AUTHORITY = 2;
    public static final int SECTION_ADDITIONAL = 3;

    private static final int QUESTION_FIXED = 4;
    private static final int RECORD_FIXED = 10;
    private static final DnsMalformed[] REASONS = DnsMalformed.values();

    private byte[] buf;
    private int off;
    private int len;

    private int questions;
    private int records;
    private int[] questionName = new int[1];
    private int[] recordName = new int[8];
    private int[] recordData = new int[8];

    public DnsMessage wrap(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        this.buf = buf;
        this.off = off;
        this.len = len;
        this.questions = 0;
        this.records = 0;
        return this;
    }

    /** Validates the message and indexes its sections; null when it is well formed. Bytes after the last record are ignored. */
    public DnsMalformed check() {
        questions = 0;
        records = 0;
        if (len < HEADER_LENGTH) {
            return DnsMalformed.TRUNCATED;
        }
        int qd = questionCount();
        int rr = answerCount() + authorityCount() + additionalCount();
        // Every question takes at least 5 bytes and every record 11: reject impossible counts before indexing.
        if ((long) qd * 5 + (long) rr * 11 > len - HEADER_LENGTH) {
            return DnsMalformed.TRUNCATED;
        }
        if (questionName.length < qd) {
            questionName = new int[qd];
        }
        if (recordName.length < rr) {
            recordName = new int[rr];
            recordData = new int[rr];
        }
        int end = off + len;
        int p = off + HEADER_LENGTH;
        for (int i = 0; i < qd; i++) {
            int e = scanName(p);
            if (e < 0) {
                return REASONS[~e];
            }
            if (e + QUESTION_FIXED > end) {
                return DnsMalformed.TRUNCATED;
            }
            questionName[i] = p;
            p = e + QUESTION_FIXED;
        }
        for (int i = 0; i < rr; i++) {
            int e = scanName(p);
            if (e < 0) {
                return REASONS[~e];
            }
            if (e + RECORD_FIXED > end) {
                return DnsMalformed.TRUNCATED;
            }
            int data = e + RECORD_FIXED;
            int dataEnd = data + Bytes.u16(buf, e + 8);
            if (dataEnd > end) {
                return DnsMalformed.OVERRUN;
            }
            DnsMalformed bad = checkRdata(Bytes.u16(buf, e), data, dataEnd);
            if (bad != null) {
                return bad;
            }
            recordName[i] = p;
            recordData[i] = data;
            p = dataEnd;
        }
        questions = qd;
        records = rr;
        return null;
    }

    private DnsMalformed checkRdata(int type, int data, int dataEnd) {
        int n = dataEnd - data;
        switch (type) {
            case TYPE_A:
                return n == 4 ? null : DnsMalformed.BAD_RDATA;
            case TYPE_AAAA:
                return n == 16 ? null : DnsMalformed.BAD_RDATA;
            case TYPE_CNAME, TYPE_NS, TYPE_PTR:
                return nameFills(data, dataEnd);
            case TYPE_MX:
                return n < 3 ? DnsMalformed.BAD_RDATA : nameFills(data + 2, dataEnd);
            case TYPE_SOA: {
                int e = scanName(data);
                if (e >= 0) {
                    e = scanName(e);
                }
                if (e < 0) {
                    return REASONS[~e];
                }
                return e + 20 == dataEnd ? null : DnsMalformed.BAD_RDATA;
            }
            case TYPE_TXT: {
                // RFC 1035 §3.3.14: one or more <character-string>s, exactly filling the RDATA.
                if (n == 0) {
                    return DnsMalformed.BAD_RDATA;
                }
                int p = data;
                while (p < dataEnd) {
                    p += 1 + (buf[p] & 0xFF);
                }
                return p == dataEnd ? null : DnsMalformed.BAD_RDATA;
            }
            default:
                return null;
        }
    }

    private DnsMalformed nameFills(int from, int to) {
        int e = scanName(from);
        if (e < 0) {
            return REASONS[~e];
        }
        return e == to ? null : DnsMalformed.BAD_RDATA;
    }

    /**
     * Validates the name at {@code p} (absolute offset) and returns the offset just after it in
     * the byte stream (after its zero byte or its first pointer), or {@code ~reason.ordinal()}.
     */
    private int scanName(int p) {
        int end = off + len;
        int segmentStart = p;
        int after = -1;
        int wireLength = 1;
        while (true) {
            if (p >= end) {
                return ~DnsMalformed.OVERRUN.ordinal();
            }
            int b = buf[p] & 0xFF;
            if (b == 0) {
                return after >= 0 ? after : p + 1;
            }
            int kind = b & 0xC0;
            if (kind == 0xC0) {
                if (p + 1 >= end) {
                    return ~DnsMalformed.OVERRUN.ordinal();
                }
                int target = off + (((b & 0x3F) << 8) | (buf[p + 1] & 0xFF));
                // RFC 1035 §4.1.4 pointers refer to a prior occurrence; demanding "strictly before
                // this part" makes every jump go backwards, so no chain can loop.
                if (target >= segmentStart || target < off + HEADER_LENGTH) {
                    return ~DnsMalformed.BAD_POINTER.ordinal();
                }
                if (after < 0) {
                    after = p + 2;
                }
                p = target;
                segmentStart = target;
                continue;
            }
            if (kind != 0) {
                return ~DnsMalformed.BAD_LABEL.ordinal();
            }
            wireLength += b + 1;
            if (wireLength > MAX_NAME_LENGTH) {
                return ~DnsMalformed.NAME_TOO_LONG.ordinal();
            }
            p += 1 + b;
        }
    }

    // ---- header ----

    public int id() {
        return Bytes.u16(buf, off);
    }

    public int flags() {
        return Bytes.u16(buf, off + 2);
    }

    public boolean isResponse() {
        return (flags() & FLAG_QR) != 0;
    }

    public int opcode() {
        return (flags() >>> 11) & 0xF;
    }

    public boolean authoritative() {
        return (flags() & FLAG_AA) != 0;
    }

    public boolean truncated() {
        return (flags() & FLAG_TC) != 0;
    }

    public boolean recursionDesired() {
        return (flags() & FLAG_RD) != 0;
    }

    public boolean recursionAvailable() {
        return (flags() & FLAG_RA) != 0;
    }

    public int rcode() {
        return flags() & 0xF;
    }

    public int questionCount() {
        return Bytes.u16(buf, off + 4);
    }

    public int answerCount() {
        return Bytes.u16(buf, off + 6);
    }

    public int authorityCount() {
        return Bytes.u16(buf, off + 8);
    }

    public int additionalCount() {
        return Bytes.u16(buf, off + 10);
    }

    // ---- questions (after check) ----

    /** Absolute offset of question {@code i}'s name, for {@link #name(int)} and {@link #nameEquals}. */
    public int questionName(int i) {
        return questionName[java.util.Objects.checkIndex(i, questions)];
    }

    public int questionType(int i) {
        return Bytes.u16(buf, fixedAfterName(questionName(i)));
    }

    public int questionClass(int i) {
        return Bytes.u16(buf, fixedAfterName(questionName(i)) + 2);
    }

    // ---- records (after check): answers, then authority, then additional ----

    /** Number of indexed records (answers + authority + additional). */
    public int recordCount() {
        return records;
    }

    /** Which section record {@code r} is in: {@link #SECTION_ANSWER}, ..._AUTHORITY or ..._ADDITIONAL. */
    public int section(int r) {
        java.util.Objects.checkIndex(r, records);
        if (r < answerCount()) {
            return SECTION_ANSWER;
        }
        return r < answerCount() + authorityCount() ? SECTION_AUTHORITY : SECTION_ADDITIONAL;
    }

    public int recordName(int r) {
        return recordName[java.util.Objects.checkIndex(r, records)];
    }

    public int recordType(int r) {
        return Bytes.u16(buf, rdataOffset(r) - RECORD_FIXED);
    }

    public int recordClass(int r) {
        return Bytes.u16(buf, rdataOffset(r) - 8);
    }

    /** The TTL in seconds; a value with the top bit set counts as 0 (RFC 2181 §8). */
    public long recordTtl(int r) {
        int ttl = Bytes.i32(buf, rdataOffset(r) - 6);
        return ttl < 0 ? 0 : ttl;
    }

    /** Absolute offset of record {@code r}'s RDATA. */
    public int rdataOffset(int r) {
        return recordData[java.util.Objects.checkIndex(r, records)];
    }

    public int rdataLength(int r) {
        return Bytes.u16(buf, rdataOffset(r) - 2);
    }

    /** The address of an A record. */
    public int a(int r) {
        requireType(r, TYPE_A);
        return Bytes.i32(buf, rdataOffset(r));
    }

    /** The 16 address bytes of an AAAA record, copied into {@code dst[at]}. */
    public void aaaa(int r, byte[] dst, int at) {
        requireType(r, TYPE_AAAA);
        System.arraycopy(buf, rdataOffset(r), dst, at, 16);
    }

    /** Offset of the target name of a CNAME, NS or PTR record (or an MX's exchange). */
    public int targetName(int r) {
        int t = recordType(r);
        if (t == TYPE_MX) {
            return rdataOffset(r) + 2;
        }
        if (t != TYPE_CNAME && t != TYPE_NS && t != TYPE_PTR) {
            throw new IllegalArgumentException("record " + r + " has no target name: type " + t);
        }
        return rdataOffset(r);
    }

    /** The MINIMUM field of an SOA record: the negative-caching TTL bound (RFC 2308 §5). */
    public long soaMinimum(int r) {
        requireType(r, TYPE_SOA);
        return Bytes.u32(buf, rdataOffset(r) + rdataLength(r) - 4);
    }

    /** The SERIAL field of an SOA record. */
    public long soaSerial(int r) {
        requireType(r, TYPE_SOA);
        return Bytes.u32(buf, rdataOffset(r) + rdataLength(r) - 20);
    }

    /** The character-strings of a TXT record. */
    public List<String> txt(int r) {
        requireType(r, TYPE_TXT);
        List<String> out = new ArrayList<>();
        int p = rdataOffset(r);
        int end = p + rdataLength(r);
        while (p < end) {
            int n = buf[p] & 0xFF;
            out.add(new String(buf, p + 1, n, java.nio.charset.StandardCharsets.UTF_8));
            p += 1 + n;
        }
        return out;
    }

    private void requireType(int r, int type) {
        if (recordType(r) != type) {
            throw new IllegalArgumentException("record " + r + " is type " + recordType(r) + ", not " + type);
        }
    }

    // ---- names ----

    /**
     * The name at absolute offset {@code p} in presentation form ({@code "www.example.com"}, root
     * is {@code "."}); bytes other than letters, digits, '-' and '_' appear as {@code \DDD}
     * (RFC 4343 §2.1).
     *
     * @throws IllegalArgumentException if no valid name starts there
     */
    public String name(int p) {
        requireName(p);
        StringBuilder sb = new StringBuilder();
        while (true) {
            p = follow(p);
            int n = buf[p] & 0xFF;
            if (n == 0) {
                return sb.isEmpty() ? "." : sb.toString();
            }
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            for (int i = 1; i <= n; i++) {
                int c = buf[p + i] & 0xFF;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                    sb.append((char) c);
                } else {
                    sb.append('\\').append(String.format("%03d", c));
                }
            }
            p += n + 1;
        }
    }

    /** Whether the names at absolute offsets {@code a} and {@code b} are equal, ignoring ASCII case (RFC 4343). */
    public boolean nameEquals(int a, int b) {
        requireName(a);
        requireName(b);
        while (true) {
            a = follow(a);
            b = follow(b);
            int n = buf[a] & 0xFF;
            if (n != (buf[b] & 0xFF)) {
                return false;
            }
            if (n == 0) {
                return true;
            }
            for (int i = 1; i <= n; i++) {
                if (lower(buf[a + i]) != lower(buf[b + i])) {
                    return false;
                }
            }
            a += n + 1;
            b += n + 1;
        }
    }

    /** Whether the name at absolute offset {@code p} equals the dotted {@code name} (trailing dot optional), ignoring ASCII case. */
    public boolean nameEquals(int p, String name) {
        requireName(p);
        int s = 0;
        int sl = name.length();
        if (sl > 0 && name.charAt(sl - 1) == '.') {
            sl--;
        }
        while (true) {
            p = follow(p);
            int n = buf[p] & 0xFF;
            if (n == 0) {
                return s >= sl;
            }
            if (s > 0) {
                if (s >= sl || name.charAt(s) != '.') {
                    return false;
                }
                s++;
            }
            if (s + n > sl) {
                return false;
            }
            for (int i = 1; i <= n; i++) {
                char c = name.charAt(s + i - 1);
                if (c > 0x7F || lower((byte) c) != lower(buf[p + i])) {
                    return false;
                }
            }
            s += n;
            if (s < sl && name.charAt(s) != '.') {
                return false;
            }
            p += n + 1;
        }
    }

    private void requireName(int p) {
        if (p < off + HEADER_LENGTH || p >= off + len || scanName(p) < 0) {
            throw new IllegalArgumentException("no valid name at offset " + p);
        }
    }

    private int follow(int p) {
        while ((buf[p] & 0xC0) == 0xC0) {
            p = off + (((buf[p] & 0x3F) << 8) | (buf[p + 1] & 0xFF));
        }
        return p;
    }

    private int fixedAfterName(int p) {
        return scanName(p);
    }

    private static int lower(byte b) {
        int c = b & 0xFF;
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** The message bytes' array and bounds, for forwarding a message unchanged. */
    public byte[] buffer() {
        return buf;
    }

    public int offset() {
        return off;
    }

    public int length() {
        return len;
    }

    public static String typeName(int type) {
        return switch (type) {
            case TYPE_A -> "A";
            case TYPE_NS -> "NS";
            case TYPE_CNAME -> "CNAME";
            case TYPE_SOA -> "SOA";
            case TYPE_PTR -> "PTR";
            case TYPE_MX -> "MX";
            case TYPE_TXT -> "TXT";
            case TYPE_AAAA -> "AAAA";
            case TYPE_OPT -> "OPT";
            default -> "TYPE" + type;
        };
    }

    public static String rcodeName(int rcode) {
        return switch (rcode) {
            case RCODE_NOERROR -> "NOERROR";
            case RCODE_FORMERR -> "FORMERR";
            case RCODE_SERVFAIL -> "SERVFAIL";
            case RCODE_NXDOMAIN -> "NXDOMAIN";
            case RCODE_NOTIMP -> "NOTIMP";
            case RCODE_REFUSED -> "REFUSED";
            default -> "RCODE" + rcode;
        };
    }
}
