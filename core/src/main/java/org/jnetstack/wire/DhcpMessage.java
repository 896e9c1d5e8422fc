package org.jnetstack.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * View of a BOOTP/DHCP message (RFC 2131 §2, options RFC 2132), for clients and servers alike.
 * {@link #wrap} points it at bytes; {@link #check()} validates every length once and indexes the
 * options, after which the accessors read straight from the buffer. Options may also live in the
 * {@code file} and {@code sname} fields (overload, option 52) and may be split into several
 * instances that are concatenated (RFC 3396); both are handled. Build messages with
 * {@link DhcpWriter}.
 *
 * <p>One view is reused for every message: after the first few messages it allocates nothing
 * (a concatenated option is copied into a scratch array the view keeps).
 */
public final class DhcpMessage {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    /** RFC 2131 §2: the leftmost bit of {@code flags} asks the server to broadcast its reply. */
    public static final int FLAG_BROADCAST = 0x8000;
    /** 99.130.83.99 (RFC 2131 §3). */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** Offset of the options field: fixed BOOTP header (236) plus the magic cookie. */
    public static final int OPTIONS_OFFSET = 240;
    /** Minimum BOOTP message size, which relay agents may expect (RFC 1542 §2.1): we pad to it. */
    public static final int MIN_LENGTH = 300;

    // Message types, option 53 (RFC 2132 §9.6).
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    // Option codes (RFC 2132).
    public static final int OPT_PAD = 0;
    public static final int OPT_SUBNET_MASK = 1;
    public static final int OPT_ROUTER = 3;
    public static final int OPT_DNS_SERVERS = 6;
    public static final int OPT_HOST_NAME = 12;
    public static final int OPT_DOMAIN_NAME = 15;
    public static final int OPT_INTERFACE_MTU = 26;
    public static final int OPT_BROADCAST_ADDRESS = 28;
    public static final int OPT_REQUESTED_ADDRESS = 50;
    public static final int OPT_LEASE_TIME = 51;
    public static final int OPT_OVERLOAD = 52;
    public static final int OPT_MESSAGE_TYPE = 53;
    public static final int OPT_SERVER_ID = 54;
    public static final int OPT_PARAMETER_LIST = 55;
    public static final int OPT_MESSAGE = 56;
    public static final int OPT_MAX_MESSAGE_SIZE = 57;
    public static final int OPT_RENEWAL_TIME = 58;
    public static final int OPT_REBINDING_TIME = 59;
    public static final int OPT_CLIENT_ID = 61;
    public static final int OPT_END = 255;

    private static final int SNAME_OFFSET = 44;
    private static final int SNAME_LENGTH = 64;
    private static final int FILE_OFFSET = 108;
    private static final int FILE_LENGTH = 128;

    private byte[] buf;
    private int off;
    private int len;
    private int overload;

    // Per option code: where its (concatenated) value lies, in buf or in scratch.
    private final int[] valueOffset = new int[256];
    private final int[] valueLength = new int[256];
    private final int[] instances = new int[256];
    private final boolean[] inScratch = new boolean[256];
    private byte[] scratch = new byte[0];
    private boolean anySplit;

    public DhcpMessage wrap(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /** Validates the message and indexes its options; null when it is a well-formed DHCP message. */
    public DhcpMalformed check() {
        Arrays.fill(valueOffset, -1);
        Arrays.fill(valueLength, 0);
        Arrays.fill(instances, 0);
        Arrays.fill(inScratch, false);
        anySplit = false;
        overload = 0;
        if (len < OPTIONS_OFFSET) {
            return DhcpMalformed.TRUNCATED;
        }
        int op = op();
        if (op != OP_REQUEST && op != OP_REPLY) {
            return DhcpMalformed.BAD_OP;
        }
        if (hardwareLength() > 16) {
            return DhcpMalformed.BAD_HARDWARE_LENGTH;
        }
        if (Bytes.i32(buf, off + 236) != MAGIC_COOKIE) {
            return DhcpMalformed.NO_MAGIC_COOKIE;
        }
        DhcpMalformed m = walk(false);
        if (m != null) {
            return m;
        }
        if (anySplit) {
            concatenateSplitOptions();
        }
        return checkKnownOptions();
    }

    /**
     * Walks the options field, then (when overloaded) {@code file} and then {@code sname} — the
     * order RFC 3396 §5 gives for concatenation. The first pass indexes; the second copies split
     * options into the scratch array.
     */
    private DhcpMalformed walk(boolean copying) {
        DhcpMalformed m = walkField(off + OPTIONS_OFFSET, off + len, copying, true);
        if (m != null) {
            return m;
        }
        if ((overload & 1) != 0 && (m = walkField(off + FILE_OFFSET, off + FILE_OFFSET + FILE_LENGTH, copying, false)) != null) {
            return m;
        }
        if ((overload & 2) != 0) {
            return walkField(off + SNAME_OFFSET, off + SNAME_OFFSET + SNAME_LENGTH, copying, false);
        }
        return null;
    }

    private DhcpMalformed walkField(int p, int end, boolean copying, boolean mainField) {
        while (p < end) {
            int code = buf[p] & 0xFF;
            if (code == OPT_END) {
                return null;
            }
            if (code == OPT_PAD) {
                p++;
                continue;
            }
            if (p + 1 >= end) {
                return DhcpMalformed.OPTION_OVERRUN;
            }
            int n = buf[p + 1] & 0xFF;
            int v = p + 2;
            if (v + n > end) {
                return DhcpMalformed.OPTION_OVERRUN;
            }
            if (copying) {
                if (inScratch[code]) {
                    System.arraycopy(buf, v, scratch, valueOffset[code] + valueLength[code], n);
                    valueLength[code] += n;
                }
            } else {
                if (instances[code]++ == 0) {
                    valueOffset[code] = v;
                } else {
                    anySplit = true;
                }
                valueLength[code] += n;
                // RFC 2132 §9.3: the overload option is only meaningful in the options field itself.
                if (code == OPT_OVERLOAD && mainField && instances[code] == 1) {
                    if (n != 1 || buf[v] < 1 || buf[v] > 3) {
                        return DhcpMalformed.BAD_OVERLOAD;
                    }
                    overload = buf[v];
                }
            }
            p = v + n;
        }
        // A field without END is tolerated: some clients omit it when the field is full.
        return null;
    }

    /** RFC 3396: the instances of a split option form one value; lay each out contiguously. */
    private void concatenateSplitOptions() {
        int total = 0;
        for (int code = 1; code < 255; code++) {
            if (instances[code] > 1) {
                total += valueLength[code];
            }
        }
        if (scratch.length < total) {
            scratch = new byte[Math.max(total, 2 * scratch.length)];
        }
        int at = 0;
        for (int code = 1; code < 255; code++) {
            if (instances[code] > 1) {
                inScratch[code] = true;
                valueOffset[code] = at;
                at += valueLength[code];
                valueLength[code] = 0;
            }
        }
        walk(true);
    }

    private DhcpMalformed checkKnownOptions() {
        if (valueLength(OPT_MESSAGE_TYPE) != 1) {
            return DhcpMalformed.BAD_MESSAGE_TYPE;
        }
        int type = messageType();
        if (type < DISCOVER || type > INFORM) {
            return DhcpMalformed.BAD_MESSAGE_TYPE;
        }
        for (int code : FOUR_BYTE_OPTIONS) {
            if (instances[code] > 0 && valueLength[code] != 4) {
                return DhcpMalformed.BAD_OPTION_LENGTH;
            }
        }
        for (int code : ADDRESS_LISTS) {
            if (instances[code] > 0 && (valueLength[code] == 0 || valueLength[code] % 4 != 0)) {
                return DhcpMalformed.BAD_OPTION_LENGTH;
            }
        }
        if ((instances[OPT_INTERFACE_MTU] > 0 && valueLength[OPT_INTERFACE_MTU] != 2)
                || (instances[OPT_MAX_MESSAGE_SIZE] > 0 && valueLength[OPT_MAX_MESSAGE_SIZE] != 2)
                // RFC 2132 §9.14: a client identifier is a type byte and at least one more.
                || (instances[OPT_CLIENT_ID] > 0 && valueLength[OPT_CLIENT_ID] < 2)) {
            return DhcpMalformed.BAD_OPTION_LENGTH;
        }
        return null;
    }

    private static final int[] FOUR_BYTE_OPTIONS = {OPT_SUBNET_MASK, OPT_REQUESTED_ADDRESS, OPT_SERVER_ID, OPT_LEASE_TIME,
        OPT_RENEWAL_TIME, OPT_REBINDING_TIME, OPT_BROADCAST_ADDRESS};
    private static final int[] ADDRESS_LISTS = {OPT_ROUTER, OPT_DNS_SERVERS};

    // ---- fixed header ----

    public int op() {
        return buf[off] & 0xFF;
    }

    public int hardwareType() {
        return buf[off + 1] & 0xFF;
    }

    public int hardwareLength() {
        return buf[off + 2] & 0xFF;
    }

    public int hops() {
        return buf[off + 3] & 0xFF;
    }

    /** Transaction id chosen by the client. */
    public int xid() {
        return Bytes.i32(buf, off + 4);
    }

    public int secs() {
        return Bytes.u16(buf, off + 8);
    }

    public int flags() {
        return Bytes.u16(buf, off + 10);
    }

    public boolean broadcastFlag() {
        return (flags() & FLAG_BROADCAST) != 0;
    }

    /** Client address: filled in only by a client that is BOUND, RENEWING or REBINDING. */
    public int ciaddr() {
        return Bytes.i32(buf, off + 12);
    }

    /** "Your" address: what the server offers or assigns. */
    public int yiaddr() {
        return Bytes.i32(buf, off + 16);
    }

    /** Next server (boot server) address. */
    public int siaddr() {
        return Bytes.i32(buf, off + 20);
    }

    /** Relay agent address. */
    public int giaddr() {
        return Bytes.i32(buf, off + 24);
    }

    /** The client's MAC address as 48 bits, when the hardware is Ethernet (htype 1, hlen 6); else -1. */
    public long clientMac() {
        if (hardwareType() != HTYPE_ETHERNET || hardwareLength() != 6) {
            return -1;
        }
        return MacAddress.read(buf, off + 28);
    }

    /** The server host name field, or "" when empty or used for options (overload). */
    public String serverName() {
        return (overload & 2) != 0 ? "" : cString(off + SNAME_OFFSET, SNAME_LENGTH);
    }

    /** The boot file name field, or "" when empty or used for options (overload). */
    public String bootFile() {
        return (overload & 1) != 0 ? "" : cString(off + FILE_OFFSET, FILE_LENGTH);
    }

    private String cString(int from, int max) {
        int n = 0;
        while (n < max && buf[from + n] != 0) {
            n++;
        }
        return new String(buf, from, n, StandardCharsets.US_ASCII);
    }

    /** The overload value (option 52): 0 none, 1 file, 2 sname, 3 both. */
    public int overload() {
        return overload;
    }

    // ---- options ----

    /** Option 53; valid after a successful {@link #check()}. */
    public int messageType() {
        return optionByte(OPT_MESSAGE_TYPE, 0);
    }

    public boolean has(int code) {
        return instances[code] > 0;
    }

    /** The length of an option's (concatenated) value, or -1 if absent. */
    public int valueLength(int code) {
        return instances[code] > 0 ? valueLength[code] : -1;
    }

    /** The array holding an option's value: the message buffer, or the scratch copy of a split option. */
    public byte[] valueBuffer(int code) {
        return inScratch[code] ? scratch : buf;
    }

    /** Where an option's value starts in {@link #valueBuffer}; -1 if absent. */
    public int valueOffset(int code) {
        return instances[code] > 0 ? valueOffset[code] : -1;
    }

    /** The first byte of an option, or {@code missing}. */
    public int optionByte(int code, int missing) {
        return valueLength(code) >= 1 ? valueBuffer(code)[valueOffset[code]] & 0xFF : missing;
    }

    /** A 16-bit option (MTU, maximum message size), or {@code missing}. */
    public int optionU16(int code, int missing) {
        return valueLength(code) >= 2 ? Bytes.u16(valueBuffer(code), valueOffset[code]) : missing;
    }

    /** A 32-bit option (lease, T1, T2 seconds) as unsigned, or {@code missing}. */
    public long optionU32(int code, long missing) {
        return valueLength(code) >= 4 ? Bytes.u32(valueBuffer(code), valueOffset[code]) : missing;
    }

    /** The first address of an address option (mask, router, server id...), or 0 if absent. */
    public int address(int code) {
        return address(code, 0);
    }

    /** Address {@code i} of an address-list option (routers, DNS servers), or 0 past the end. */
    public int address(int code, int i) {
        return i >= 0 && valueLength(code) >= 4 * (i + 1) ? Bytes.i32(valueBuffer(code), valueOffset[code] + 4 * i) : 0;
    }

    public int addressCount(int code) {
        return Math.max(0, valueLength(code)) / 4;
    }

    /** A text option (host name, domain name, message) as ASCII, trailing NULs dropped; null if absent. */
    public String string(int code) {
        int n = valueLength(code);
        if (n < 0) {
            return null;
        }
        byte[] b = valueBuffer(code);
        int from = valueOffset[code];
        while (n > 0 && b[from + n - 1] == 0) {
            n--;
        }
        return new String(b, from, n, StandardCharsets.US_ASCII);
    }

    /** A copy of an option's value, or null if absent. */
    public byte[] bytes(int code) {
        int n = valueLength(code);
        return n < 0 ? null : Arrays.copyOfRange(valueBuffer(code), valueOffset[code], valueOffset[code] + n);
    }

    /** Whether option 55 (parameter request list) asks for {@code code}. */
    public boolean requests(int code) {
        int n = valueLength(OPT_PARAMETER_LIST);
        byte[] b = valueBuffer(OPT_PARAMETER_LIST);
        for (int i = 0; i < n; i++) {
            if ((b[valueOffset[OPT_PARAMETER_LIST] + i] & 0xFF) == code) {
                return true;
            }
        }
        return false;
    }

    /** Whether option 61 equals {@code id[from, from+n)} — a server's lease key. */
    public boolean clientIdEquals(byte[] id, int from, int n) {
        return valueLength(OPT_CLIENT_ID) == n
                && Arrays.equals(valueBuffer(OPT_CLIENT_ID), valueOffset[OPT_CLIENT_ID], valueOffset[OPT_CLIENT_ID] + n, id, from, from + n);
    }

    public static String typeName(int type) {
        return switch (type) {
            case DISCOVER -> "DISCOVER";
            case OFFER -> "OFFER";
            case REQUEST -> "REQUEST";
            case DECLINE -> "DECLINE";
            case ACK -> "ACK";
            case NAK -> "NAK";
            case RELEASE -> "RELEASE";
            case INFORM -> "INFORM";
            default -> "type " + type;
        };
    }
}
