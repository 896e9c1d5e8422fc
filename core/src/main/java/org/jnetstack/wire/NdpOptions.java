package org.jnetstack.wire;

/**
 * A cursor over Neighbor Discovery options (RFC 4861 §4.6; RDNSS and DNSSL from RFC 8106 §5):
 * reusable, allocation-free. {@link #next} steps from option to option; each option's length
 * is in units of 8 bytes, and a length of 0, or an option running past the message, makes the
 * whole message invalid (RFC 4861 §4.6, §6.1, §7.1): {@code next()} then returns
 * {@link #MALFORMED} and the walk ends. The walk is bounded by the message: every option is at
 * least 8 bytes long.
 *
 * <p>An option that is framed correctly but whose length does not suit its type (a prefix
 * information option not 32 bytes long, an RDNSS option of even length) is returned, and
 * {@link #optionMalformed()} says so: the receiver ignores that option alone (RFC 8106 §5.3.1
 * for RDNSS); its field readers then return 0 instead of reading past it. A reader of another
 * type's field (the MTU of a prefix option) returns 0 too: no reader ever leaves the option.
 */
public final class NdpOptions {
    public static final int TYPE_SOURCE_LL = 1;
    public static final int TYPE_TARGET_LL = 2;
    public static final int TYPE_PREFIX_INFO = 3;
    public static final int TYPE_REDIRECTED_HEADER = 4;
    public static final int TYPE_MTU = 5;
    public static final int TYPE_RDNSS = 25;
    public static final int TYPE_DNSSL = 31;

    /** Returned by {@link #next} at the end of the options. */
    public static final int END = -1;
    /** Returned by {@link #next} when the options are malformed; {@link #malformed()} says why. */
    public static final int MALFORMED = -2;

    /** Option lengths are counted in units of 8 bytes (RFC 4861 §4.6). */
    public static final int UNIT = 8;
    /** Link-layer address option on Ethernet: 1 unit (RFC 4861 §4.6.1, RFC 2464 §6). */
    public static final int LINK_LAYER_LENGTH = 8;
    public static final int PREFIX_INFO_LENGTH = 32;
    public static final int MTU_LENGTH = 8;

    private static final int PREFIX_FLAG_ON_LINK = 0x80;
    private static final int PREFIX_FLAG_AUTONOMOUS = 0x40;

    private byte[] buf;
    private int pos;
    private int end;
    private int cur;
    private int curLen;
    private boolean curValid;
    private Malformed malformed;

    /** Points the cursor at the {@code len} bytes of options at {@code off}; the next {@link #next} reads the first. */
    public NdpOptions reset(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.cur = -1;
        this.curLen = 0;
        this.curValid = false;
        this.malformed = null;
        return this;
    }

    /** The next option's type, {@link #END} after the last, or {@link #MALFORMED} (and from then on). */
    public int next() {
        if (malformed != null) {
            return MALFORMED;
        }
        if (pos == end) {
            cur = -1;
            return END;
        }
        if (end - pos < 2) {
            return fail();
        }
        int length = Bytes.u8(buf, pos + 1) * UNIT;
        if (length == 0 || length > end - pos) {
            return fail();
        }
        cur = pos;
        curLen = length;
        pos += length;
        int type = Bytes.u8(buf, cur);
        curValid = fits(type, length);
        return type;
    }

    private int fail() {
        malformed = Malformed.BAD_OPTION;
        cur = -1;
        curValid = false;
        return MALFORMED;
    }

    /** Whether an option of this type may have this length (bytes). */
    private static boolean fits(int type, int length) {
        return switch (type) {
            case TYPE_SOURCE_LL, TYPE_TARGET_LL -> length == LINK_LAYER_LENGTH;
            case TYPE_PREFIX_INFO -> length == PREFIX_INFO_LENGTH;
            case TYPE_MTU -> length == MTU_LENGTH;
            // RFC 8106 §5.1: length 3 + 2n units, n >= 1 addresses.
            case TYPE_RDNSS -> length >= 3 * UNIT && (length / UNIT & 1) == 1;
            // RFC 8106 §5.2: at least 2 units.
            case TYPE_DNSSL -> length >= 2 * UNIT;
            default -> true;
        };
    }

    /** Why {@link #next} returned {@link #MALFORMED} ({@link Malformed#BAD_OPTION}), else null. */
    public Malformed malformed() {
        return malformed;
    }

    /**
     * Null if the current option's length suits its type; {@link Malformed#BAD_OPTION_LENGTH} if
     * not: ignore that option (its readers return 0) and go on to the next.
     */
    public Malformed optionMalformed() {
        return cur >= 0 && !curValid ? Malformed.BAD_OPTION_LENGTH : null;
    }

    /** The current option's first byte (its type). */
    public int offset() {
        return cur;
    }

    /** The current option's length in bytes, type and length bytes included. */
    public int length() {
        return cur >= 0 ? curLen : 0;
    }

    /** Whether the current option is of {@code type} and of a length that suits it: only then are its fields read. */
    private boolean readable(int type) {
        return cur >= 0 && curValid && Bytes.u8(buf, cur) == type;
    }

    private boolean linkLayer() {
        return readable(TYPE_SOURCE_LL) || readable(TYPE_TARGET_LL);
    }

    /** Source/target link-layer address option: the 48-bit MAC (as {@link MacAddress} bits). */
    public long linkLayerAddress() {
        return linkLayer() ? MacAddress.read(buf, cur + 2) : 0;
    }

    /** Prefix information (RFC 4861 §4.6.2): prefix length in bits (0..255 as sent; check it is at most 128). */
    public int prefixLength() {
        return readable(TYPE_PREFIX_INFO) ? Bytes.u8(buf, cur + 2) : 0;
    }

    /** L: the prefix is on-link. */
    public boolean onLink() {
        return readable(TYPE_PREFIX_INFO) && (buf[cur + 3] & PREFIX_FLAG_ON_LINK) != 0;
    }

    /** A: the prefix may be used for stateless address autoconfiguration (RFC 4862 §5.5.3). */
    public boolean autonomous() {
        return readable(TYPE_PREFIX_INFO) && (buf[cur + 3] & PREFIX_FLAG_AUTONOMOUS) != 0;
    }

    /** Seconds; 0xFFFFFFFF is infinity. */
    public long validLifetime() {
        return readable(TYPE_PREFIX_INFO) ? Bytes.u32(buf, cur + 4) : 0;
    }

    /** Seconds; 0xFFFFFFFF is infinity. */
    public long preferredLifetime() {
        return readable(TYPE_PREFIX_INFO) ? Bytes.u32(buf, cur + 8) : 0;
    }

    public long prefixHi() {
        return readable(TYPE_PREFIX_INFO) ? Bytes.getI64(buf, cur + 16) : 0;
    }

    public long prefixLo() {
        return readable(TYPE_PREFIX_INFO) ? Bytes.getI64(buf, cur + 24) : 0;
    }

    /** MTU option (RFC 4861 §4.6.4). */
    public long mtu() {
        return readable(TYPE_MTU) ? Bytes.u32(buf, cur + 4) : 0;
    }

    /** RDNSS (RFC 8106 §5.1): seconds the servers may be used; 0xFFFFFFFF is infinity, 0: stop using them. */
    public long rdnssLifetime() {
        return readable(TYPE_RDNSS) ? Bytes.u32(buf, cur + 4) : 0;
    }

    /** RDNSS: how many server addresses the option holds ((length - 1) / 2 units). */
    public int rdnssCount() {
        return readable(TYPE_RDNSS) ? (curLen - UNIT) / 16 : 0;
    }

    /** RDNSS: server {@code i} (0 .. {@link #rdnssCount()} - 1). */
    public long rdnssHi(int i) {
        return i >= 0 && i < rdnssCount() ? Bytes.getI64(buf, cur + UNIT + 16 * i) : 0;
    }

    public long rdnssLo(int i) {
        return i >= 0 && i < rdnssCount() ? Bytes.getI64(buf, cur + UNIT + 16 * i + 8) : 0;
    }
}
