package org.jnetstack.wire;

/** A 48-bit IEEE 802 MAC address, held in the low 48 bits of a long. */
public record MacAddress(long bits) {
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    public static final MacAddress ZERO = new MacAddress(0L);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address has more than 48 bits: " + Long.toHexString(bits));
        }
    }

    /**
     * Parses {@code 02:00:5e:10:00:01} (colons or dashes, one or two hex digits per byte).
     *
     * @throws IllegalArgumentException naming the input and the accepted form
     */
    public static MacAddress parse(String s) {
        String[] parts = s == null ? new String[0] : s.trim().split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("invalid MAC address '" + s + "': expected six hex bytes like 02:00:00:00:00:01");
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
                throw new IllegalArgumentException("invalid MAC address '" + s + "': expected six hex bytes like 02:00:00:00:00:01");
            }
            int b;
            try {
                b = Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid MAC address '" + s + "': expected six hex bytes like 02:00:00:00:00:01");
            }
            v = (v << 8) | b;
        }
        return new MacAddress(v);
    }

    /** Reads six bytes at {@code off}. */
    public static long read(byte[] buf, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (buf[off + i] & 0xFF);
        }
        return v;
    }

    /** Writes the 48 bits of {@code mac} as six bytes at {@code off}. */
    public static void write(byte[] buf, int off, long mac) {
        for (int i = 5; i >= 0; i--) {
            buf[off + i] = (byte) mac;
            mac >>>= 8;
        }
    }

    /** A locally administered unicast address from a random source (the 02:xx prefix). */
    public static MacAddress randomLocal(java.util.random.RandomGenerator rnd) {
        long v = rnd.nextLong() & 0xFFFF_FFFF_FFFFL;
        v = (v & ~(0x03L << 40)) | (0x02L << 40);
        return new MacAddress(v);
    }

    public boolean isBroadcast() {
        return bits == 0xFFFF_FFFF_FFFFL;
    }

    /** Group bit (least significant bit of the first byte). */
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    public static boolean isMulticast(long bits) {
        return ((bits >>> 40) & 1) != 0;
    }

    public static String format(long bits) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (bits >>> (8 * i)) & 0xFF;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 15, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(bits);
    }
}
