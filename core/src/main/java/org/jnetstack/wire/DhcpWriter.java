package org.jnetstack.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a BOOTP/DHCP message in place: {@link #start} writes the fixed header and the magic
 * cookie, the option methods append options, {@link #finish()} writes END, pads to the BOOTP
 * minimum and returns the length. Reusable; allocates nothing.
 *
 * <pre>{@code
 * int n = writer.start(buf, 0, DhcpMessage.OP_REQUEST, xid, mac)
 *         .messageType(DhcpMessage.DISCOVER)
 *         .clientId(mac)
 *         .parameterRequestList(1, 3, 6, 15, 26, 51, 58, 59)
 *         .finish();
 * }</pre>
 */
public final class DhcpWriter {
    private byte[] buf;
    private int off;
    private int end;
    private int pos;

    /** Starts a message at {@code buf[off]} with Ethernet hardware address {@code mac}; everything else zero. */
    public DhcpWriter start(byte[] buf, int off, int op, int xid, long mac) {
        return start(buf, off, buf.length - off, op, xid, mac);
    }

    /** As {@link #start(byte[], int, int, int, long)}, writing at most {@code capacity} bytes. */
    public DhcpWriter start(byte[] buf, int off, int capacity, int op, int xid, long mac) {
        java.util.Objects.checkFromIndexSize(off, capacity, buf.length);
        if (capacity < DhcpMessage.MIN_LENGTH) {
            throw new IllegalArgumentException("a DHCP message needs at least " + DhcpMessage.MIN_LENGTH + " bytes: " + capacity);
        }
        this.buf = buf;
        this.off = off;
        this.end = off + capacity;
        Arrays.fill(buf, off, off + DhcpMessage.OPTIONS_OFFSET, (byte) 0);
        buf[off] = (byte) op;
        buf[off + 1] = DhcpMessage.HTYPE_ETHERNET;
        buf[off + 2] = 6;
        Bytes.putI32(buf, off + 4, xid);
        MacAddress.write(buf, off + 28, mac);
        Bytes.putI32(buf, off + 236, DhcpMessage.MAGIC_COOKIE);
        pos = off + DhcpMessage.OPTIONS_OFFSET;
        return this;
    }

    public DhcpWriter hops(int hops) {
        buf[off + 3] = (byte) hops;
        return this;
    }

    public DhcpWriter secs(int secs) {
        Bytes.putU16(buf, off + 8, Math.min(secs, 0xFFFF));
        return this;
    }

    public DhcpWriter flags(int flags) {
        Bytes.putU16(buf, off + 10, flags);
        return this;
    }

    public DhcpWriter ciaddr(int a) {
        Bytes.putI32(buf, off + 12, a);
        return this;
    }

    public DhcpWriter yiaddr(int a) {
        Bytes.putI32(buf, off + 16, a);
        return this;
    }

    public DhcpWriter siaddr(int a) {
        Bytes.putI32(buf, off + 20, a);
        return this;
    }

    public DhcpWriter giaddr(int a) {
        Bytes.putI32(buf, off + 24, a);
        return this;
    }

    public DhcpWriter messageType(int type) {
        return optionByte(DhcpMessage.OPT_MESSAGE_TYPE, type);
    }

    /** Option 61 as RFC 2132 §9.14 suggests for Ethernet: type 1 followed by the MAC. */
    public DhcpWriter clientId(long mac) {
        ensure(2 + 7);
        buf[pos] = (byte) DhcpMessage.OPT_CLIENT_ID;
        buf[pos + 1] = 7;
        buf[pos + 2] = DhcpMessage.HTYPE_ETHERNET;
        MacAddress.write(buf, pos + 3, mac);
        pos += 9;
        return this;
    }

    public DhcpWriter parameterRequestList(int... codes) {
        ensure(2 + codes.length);
        buf[pos] = (byte) DhcpMessage.OPT_PARAMETER_LIST;
        buf[pos + 1] = (byte) codes.length;
        for (int i = 0; i < codes.length; i++) {
            buf[pos + 2 + i] = (byte) codes[i];
        }
        pos += 2 + codes.length;
        return this;
    }

    public DhcpWriter optionByte(int code, int value) {
        ensure(3);
        buf[pos] = (byte) code;
        buf[pos + 1] = 1;
        buf[pos + 2] = (byte) value;
        pos += 3;
        return this;
    }

    public DhcpWriter optionU16(int code, int value) {
        ensure(4);
        buf[pos] = (byte) code;
        buf[pos + 1] = 2;
        Bytes.putU16(buf, pos + 2, value);
        pos += 4;
        return this;
    }

    /** A 32-bit option: an address, or seconds (lease, T1, T2). */
    public DhcpWriter optionU32(int code, int value) {
        ensure(6);
        buf[pos] = (byte) code;
        buf[pos + 1] = 4;
        Bytes.putI32(buf, pos + 2, value);
        pos += 6;
        return this;
    }

    public DhcpWriter address(int code, int address) {
        return optionU32(code, address);
    }

    /** An address list (routers, DNS servers); nothing is written for an empty list. */
    public DhcpWriter addresses(int code, int... addresses) {
        if (addresses.length == 0) {
            return this;
        }
        if (addresses.length > 63) {
            throw new IllegalArgumentException("at most 63 addresses fit one option: " + addresses.length);
        }
        ensure(2 + 4 * addresses.length);
        buf[pos] = (byte) code;
        buf[pos + 1] = (byte) (4 * addresses.length);
        for (int i = 0; i < addresses.length; i++) {
            Bytes.putI32(buf, pos + 2 + 4 * i, addresses[i]);
        }
        pos += 2 + 4 * addresses.length;
        return this;
    }

    public DhcpWriter string(int code, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        return option(code, b, 0, b.length);
    }

    /** Any option; a value longer than 255 bytes is split into several instances (RFC 3396). */
    public DhcpWriter option(int code, byte[] value, int from, int n) {
        if (code <= DhcpMessage.OPT_PAD || code >= DhcpMessage.OPT_END) {
            throw new IllegalArgumentException("option code must be 1-254: " + code);
        }
        java.util.Objects.checkFromIndexSize(from, n, value.length);
        do {
            int part = Math.min(n, 255);
            ensure(2 + part);
            buf[pos] = (byte) code;
            buf[pos + 1] = (byte) part;
            System.arraycopy(value, from, buf, pos + 2, part);
            pos += 2 + part;
            from += part;
            n -= part;
        } while (n > 0);
        return this;
    }

    /** Writes END, zero-pads to {@link DhcpMessage#MIN_LENGTH}, and returns the message length. */
    public int finish() {
        buf[pos++] = (byte) DhcpMessage.OPT_END;
        int min = off + DhcpMessage.MIN_LENGTH;
        if (pos < min) {
            Arrays.fill(buf, pos, min, (byte) 0);
            pos = min;
        }
        return pos - off;
    }

    private void ensure(int n) {
        // One byte stays free for END.
        if (pos + n + 1 > end) {
            throw new IllegalStateException("DHCP message does not fit in " + (end - off) + " bytes");
        }
    }
}
