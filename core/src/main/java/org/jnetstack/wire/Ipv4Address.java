package org.jnetstack.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address. On the hot path addresses travel as plain {@code int}s (network order
 * value: 10.0.0.1 is 0x0A000001); this record is the public, printable form.
 */
public record Ipv4Address(int bits) {
    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xFFFF_FFFF);

    /**
     * Parses dotted-quad notation, exactly four decimal parts 0..255.
     *
     * @throws IllegalArgumentException naming the input and the accepted form
     */
    public static Ipv4Address parse(String s) {
        return new Ipv4Address(parseBits(s));
    }

    public static int parseBits(String s) {
        String msg = "invalid IPv4 address '" + s + "': expected four decimal numbers 0-255 like 192.168.1.10";
        if (s == null) {
            throw new IllegalArgumentException(msg);
        }
        String[] parts = s.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(msg);
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException(msg);
            }
            int b = Integer.parseInt(p);
            if (b > 255) {
                throw new IllegalArgumentException(msg);
            }
            v = (v << 8) | b;
        }
        return v;
    }

    public static Ipv4Address of(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + a);
        }
        byte[] b = a.getAddress();
        return new Ipv4Address(read(b, 0));
    }

    public InetAddress toInetAddress() {
        byte[] b = new byte[4];
        write(b, 0, bits);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static int read(byte[] buf, int off) {
        return ((buf[off] & 0xFF) << 24) | ((buf[off + 1] & 0xFF) << 16) | ((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF);
    }

    public static void write(byte[] buf, int off, int v) {
        buf[off] = (byte) (v >>> 24);
        buf[off + 1] = (byte) (v >>> 16);
        buf[off + 2] = (byte) (v >>> 8);
        buf[off + 3] = (byte) v;
    }

    /** Netmask for a prefix length 0..32 (e.g. 24 gives 0xFFFFFF00). */
    public static int mask(int prefix) {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length must be 0-32: " + prefix);
        }
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public static boolean isMulticast(int a) {
        return (a >>> 28) == 0xE;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    @Override
    public String toString() {
        return format(bits);
    }
}
