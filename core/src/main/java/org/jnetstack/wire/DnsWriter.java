package org.jnetstack.wire;

import java.nio.charset.StandardCharsets;

/**
 * Builds a DNS message in place — a query or a response — with name compression (RFC 1035
 * §4.1.4): a name, or its tail, already written in the message becomes a pointer. Sections are
 * written in order (question, answer, authority, additional) and their counts kept in the header.
 * A record that does not fit the capacity is not written and the method returns false, leaving
 * the message as it was; a server then sets {@link #truncated()} (RFC 2181 §9). Reusable;
 * allocates nothing.
 *
 * <pre>{@code
 * int n = writer.start(buf, 0, DnsMessage.UDP_MAX, id, DnsMessage.FLAG_RD)
 *         .question("example.com", DnsMessage.TYPE_A)
 *         .finish();
 * }</pre>
 */
public final class DnsWriter {
    private static final int MAX_REMEMBERED_LABELS = 128;

    private byte[] buf;
    private int off;
    private int end;
    private int pos;
    private int section;
    // Offsets (from the message start) of labels written uncompressed: compression targets.
    private final int[] labels = new int[MAX_REMEMBERED_LABELS];
    private int labelCount;
    // The name being written, in wire form without compression, and where each of its labels starts.
    private final byte[] encoded = new byte[DnsMessage.MAX_NAME_LENGTH];
    private final int[] encodedLabels = new int[128];
    private int encodedLabelCount;

    /** Starts a message with header {@code id} and {@code flags} (QR, opcode, AA, TC, RD, RA, rcode) and zero counts. */
    public DnsWriter start(byte[] buf, int off, int capacity, int id, int flags) {
        java.util.Objects.checkFromIndexSize(off, capacity, buf.length);
        if (capacity < DnsMessage.HEADER_LENGTH) {
            throw new IllegalArgumentException("a DNS message needs at least 12 bytes: " + capacity);
        }
        this.buf = buf;
        this.off = off;
        this.end = off + capacity;
        Bytes.putU16(buf, off, id);
        Bytes.putU16(buf, off + 2, flags);
        for (int i = 4; i < DnsMessage.HEADER_LENGTH; i++) {
            buf[off + i] = 0;
        }
        pos = off + DnsMessage.HEADER_LENGTH;
        section = 0;
        labelCount = 0;
        return this;
    }

    /** Replaces the header flags (e.g. to set RCODE once the answer is known). */
    public DnsWriter flags(int flags) {
        Bytes.putU16(buf, off + 2, flags);
        return this;
    }

    /** Sets TC: the answer did not fit. */
    public DnsWriter truncated() {
        return flags(Bytes.u16(buf, off + 2) | DnsMessage.FLAG_TC);
    }

    /**
     * Adds a question of class IN.
     *
     * @throws IllegalStateException if a record section was started already or it does not fit
     * @throws IllegalArgumentException if {@code name} is not a valid host name
     */
    public DnsWriter question(String name, int type) {
        if (section != 0) {
            throw new IllegalStateException("questions come before every record");
        }
        int mark = pos;
        int marks = labelCount;
        if (!writeName(name) || !room(4)) {
            pos = mark;
            labelCount = marks;
            throw new IllegalStateException("question does not fit in " + (end - off) + " bytes");
        }
        Bytes.putU16(buf, pos, type);
        Bytes.putU16(buf, pos + 2, DnsMessage.CLASS_IN);
        pos += 4;
        bumpCount(4);
        return this;
    }

    /** An A record. */
    public boolean a(int section, String name, long ttl, int address) {
        int data = begin(section, name, DnsMessage.TYPE_A, ttl, 4);
        if (data < 0) {
            return false;
        }
        Bytes.putI32(buf, data, address);
        return commit(section, data, 4);
    }

    /** An AAAA record from 16 bytes at {@code address[from]}. */
    public boolean aaaa(int section, String name, long ttl, byte[] address, int from) {
        int data = begin(section, name, DnsMessage.TYPE_AAAA, ttl, 16);
        if (data < 0) {
            return false;
        }
        System.arraycopy(address, from, buf, data, 16);
        return commit(section, data, 16);
    }

    /** A CNAME record: {@code name} is an alias of {@code target}. */
    public boolean cname(int section, String name, long ttl, String target) {
        return nameRecord(section, name, DnsMessage.TYPE_CNAME, ttl, target);
    }

    public boolean ns(int section, String name, long ttl, String server) {
        return nameRecord(section, name, DnsMessage.TYPE_NS, ttl, server);
    }

    public boolean ptr(int section, String name, long ttl, String target) {
        return nameRecord(section, name, DnsMessage.TYPE_PTR, ttl, target);
    }

    private boolean nameRecord(int section, String name, int type, long ttl, String target) {
        int data = begin(section, name, type, ttl, 0);
        if (data < 0) {
            return false;
        }
        return writeName(target) ? commit(section, data, pos - data) : abandon();
    }

    /** An SOA record, as negative answers carry in the authority section (RFC 2308 §3). */
    public boolean soa(int section, String name, long ttl, String primary, String mailbox, long serial, long refresh, long retry,
                       long expire, long minimum) {
        int data = begin(section, name, DnsMessage.TYPE_SOA, ttl, 0);
        if (data < 0) {
            return false;
        }
        if (!writeName(primary) || !writeName(mailbox) || !room(20)) {
            return abandon();
        }
        Bytes.putI32(buf, pos, (int) serial);
        Bytes.putI32(buf, pos + 4, (int) refresh);
        Bytes.putI32(buf, pos + 8, (int) retry);
        Bytes.putI32(buf, pos + 12, (int) expire);
        Bytes.putI32(buf, pos + 16, (int) minimum);
        pos += 20;
        return commit(section, data, pos - data);
    }

    /** A TXT record of one or more strings, each at most 255 bytes of UTF-8. */
    public boolean txt(int section, String name, long ttl, String... strings) {
        if (strings.length == 0) {
            throw new IllegalArgumentException("a TXT record holds at least one string");
        }
        int data = begin(section, name, DnsMessage.TYPE_TXT, ttl, 0);
        if (data < 0) {
            return false;
        }
        for (String s : strings) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 255) {
                abandon();
                throw new IllegalArgumentException("a TXT string holds at most 255 bytes: " + b.length);
            }
            if (!room(1 + b.length)) {
                return abandon();
            }
            buf[pos] = (byte) b.length;
            System.arraycopy(b, 0, buf, pos + 1, b.length);
            pos += 1 + b.length;
        }
        return commit(section, data, pos - data);
    }

    /** Any record with RDATA given as bytes (names in it are not compressed). */
    public boolean raw(int section, String name, int type, int cls, long ttl, byte[] rdata, int from, int n) {
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("RDATA holds at most 65535 bytes: " + n);
        }
        int data = begin(section, name, type, ttl, n);
        if (data < 0) {
            return false;
        }
        Bytes.putU16(buf, data - 8, cls);
        System.arraycopy(rdata, from, buf, data, n);
        return commit(section, data, n);
    }

    /** The message length so far. */
    public int finish() {
        return pos - off;
    }

    // ---- records ----

    private int recordStart;
    private int recordLabels;

    /** Writes owner name and fixed fields; returns the RDATA offset, or -1 (nothing written) if even that does not fit. */
    private int begin(int section, String name, int type, long ttl, int fixedRdata) {
        if (section < DnsMessage.SECTION_ANSWER || section > DnsMessage.SECTION_ADDITIONAL) {
            throw new IllegalArgumentException("section must be SECTION_ANSWER, _AUTHORITY or _ADDITIONAL: " + section);
        }
        if (section < this.section) {
            throw new IllegalStateException("sections are written in order: answer, authority, additional");
        }
        if (ttl < 0 || ttl > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TTL must be 0-2147483647 seconds (RFC 2181 §8): " + ttl);
        }
        this.section = section;
        recordStart = pos;
        recordLabels = labelCount;
        if (!writeName(name) || !room(10 + fixedRdata)) {
            abandon();
            return -1;
        }
        Bytes.putU16(buf, pos, type);
        Bytes.putU16(buf, pos + 2, DnsMessage.CLASS_IN);
        Bytes.putI32(buf, pos + 4, (int) ttl);
        pos += 10;
        int data = pos;
        pos += fixedRdata;
        return data;
    }

    private boolean commit(int section, int data, int rdlength) {
        Bytes.putU16(buf, data - 2, rdlength);
        bumpCount(4 + 2 * section);
        return true;
    }

    private boolean abandon() {
        pos = recordStart;
        labelCount = recordLabels;
        return false;
    }

    private void bumpCount(int at) {
        int n = Bytes.u16(buf, off + at);
        if (n == 0xFFFF) {
            throw new IllegalStateException("a DNS section holds at most 65535 entries");
        }
        Bytes.putU16(buf, off + at, n + 1);
    }

    private boolean room(int n) {
        return pos + n <= end;
    }

    // ---- names ----

    /** Writes {@code name}, compressed against names already in the message; false if it does not fit. */
    private boolean writeName(String name) {
        encode(name);
        for (int k = 0; k < encodedLabelCount; k++) {
            int target = find(encodedLabels[k]);
            if (target >= 0) {
                int n = encodedLabels[k];
                if (!room(n + 2)) {
                    return false;
                }
                copyLabels(0, k);
                Bytes.putU16(buf, pos, 0xC000 | target);
                pos += 2;
                return true;
            }
        }
        int n = encodedLength();
        if (!room(n)) {
            return false;
        }
        copyLabels(0, encodedLabelCount);
        buf[pos++] = 0;
        return true;
    }

    private int encodedLength() {
        return encodedLabelCount == 0 ? 1 : encodedEnd + 1;
    }

    private int encodedEnd;

    /** Writes encoded labels [from, to) uncompressed, remembering where each starts. */
    private void copyLabels(int from, int to) {
        for (int i = from; i < to; i++) {
            int start = encodedLabels[i];
            int n = (encoded[start] & 0xFF) + 1;
            int at = pos - off;
            // Pointers hold 14 bits: labels beyond 16383 cannot be targets.
            if (labelCount < labels.length && at < 0x4000) {
                labels[labelCount++] = at;
            }
            System.arraycopy(encoded, start, buf, pos, n);
            pos += n;
        }
    }

    /** An earlier label offset whose name equals the encoded name from {@code start}, or -1. */
    private int find(int start) {
        for (int i = 0; i < labelCount; i++) {
            if (sameName(off + labels[i], start)) {
                return labels[i];
            }
        }
        return -1;
    }

    private boolean sameName(int p, int e) {
        while (true) {
            while ((buf[p] & 0xC0) == 0xC0) {
                p = off + (((buf[p] & 0x3F) << 8) | (buf[p + 1] & 0xFF));
            }
            int n = buf[p] & 0xFF;
            int m = e < encodedEnd ? encoded[e] & 0xFF : 0;
            if (n != m) {
                return false;
            }
            if (n == 0) {
                return true;
            }
            for (int i = 1; i <= n; i++) {
                if (lower(buf[p + i]) != lower(encoded[e + i])) {
                    return false;
                }
            }
            p += n + 1;
            e += n + 1;
        }
    }

    private static int lower(byte b) {
        int c = b & 0xFF;
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** Host name to labels (RFC 1035 §2.3.1, RFC 1123 §2.1 relaxed to any printable ASCII but '.'). */
    private void encode(String name) {
        encodedLabelCount = 0;
        encodedEnd = 0;
        int n = name.length();
        if (n > 0 && name.charAt(n - 1) == '.') {
            n--;
        }
        if (n == 0) {
            return;
        }
        int labelStart = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || name.charAt(i) == '.') {
                int l = i - labelStart;
                if (l == 0 || l > DnsMessage.MAX_LABEL_LENGTH) {
                    throw new IllegalArgumentException("invalid DNS name '" + name + "': labels must be 1-63 characters");
                }
                if (encodedEnd + 1 + l + 1 > DnsMessage.MAX_NAME_LENGTH) {
                    throw new IllegalArgumentException("invalid DNS name '" + name + "': longer than 255 bytes");
                }
                encodedLabels[encodedLabelCount++] = encodedEnd;
                encoded[encodedEnd] = (byte) l;
                for (int j = 0; j < l; j++) {
                    char c = name.charAt(labelStart + j);
                    if (c <= ' ' || c > '~') {
                        throw new IllegalArgumentException("invalid DNS name '" + name + "': character '" + c + "' (ASCII only)");
                    }
                    encoded[encodedEnd + 1 + j] = (byte) c;
                }
                encodedEnd += 1 + l;
                labelStart = i + 1;
            }
        }
    }
}
