package org.jnetstack.apps.tftp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * TFTP packet formats (RFC 1350 §5, RFC 2347 §2): reading the fields of a received packet in
 * place, and writing packets into a caller's buffer. Every length is checked; a malformed
 * request comes back as a {@link Request} whose {@code problem} says why.
 *
 * <pre>
 *  RRQ/WRQ | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
 *  DATA    | 03 | block # | 0-blksize bytes
 *  ACK     | 04 | block # |
 *  ERROR   | 05 | code | message | 0
 *  OACK    | 06 | opt1 | 0 | value1 | 0 | ...        (RFC 2347)
 * </pre>
 */
final class TftpPacket {
    static final int RRQ = 1;
    static final int WRQ = 2;
    static final int DATA = 3;
    static final int ACK = 4;
    static final int ERROR = 5;
    static final int OACK = 6;

    /** RFC 1350 §5 error codes (and RFC 2347's 8). */
    static final int ERR_NOT_DEFINED = 0;
    static final int ERR_FILE_NOT_FOUND = 1;
    static final int ERR_ACCESS_VIOLATION = 2;
    static final int ERR_DISK_FULL = 3;
    static final int ERR_ILLEGAL_OPERATION = 4;
    static final int ERR_UNKNOWN_TID = 5;
    static final int ERR_FILE_EXISTS = 6;
    static final int ERR_NO_SUCH_USER = 7;
    static final int ERR_OPTION_REFUSED = 8;

    /** RFC 1350 §2: the original block size; also what is used without a blksize option. */
    static final int DEFAULT_BLOCK_SIZE = 512;
    /** RFC 2348: "valid values range between 8 and 65464 octets, inclusive". */
    static final int MIN_BLOCK_SIZE = 8;
    static final int MAX_BLOCK_SIZE = 65464;
    static final int HEADER = 4;

    private TftpPacket() {
    }

    /** The opcode, or -1 if the packet is too short to have one. */
    static int opcode(byte[] buf, int off, int len) {
        return len < 2 ? -1 : ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
    }

    /** The block number of a DATA or ACK packet (caller checked {@code len >= 4}). */
    static int block(byte[] buf, int off) {
        return ((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF);
    }

    /**
     * A parsed RRQ/WRQ. Option names are lower-cased (RFC 2347: "case-insensitive"); a
     * repeated option keeps its first value. {@code problem} is non-null when malformed.
     */
    record Request(int opcode, String filename, String mode, Map<String, String> options, String problem) {
        static Request malformed(String problem) {
            return new Request(0, null, null, Map.of(), problem);
        }

        boolean isWrite() {
            return opcode == WRQ;
        }
    }

    /** Parses an RRQ or WRQ (the caller checked the opcode). */
    static Request parseRequest(byte[] buf, int off, int len) {
        int op = opcode(buf, off, len);
        int end = off + len;
        int p = off + 2;
        String[] fields = new String[2];
        for (int i = 0; i < 2; i++) {
            int z = indexOfZero(buf, p, end);
            if (z < 0) {
                return Request.malformed(i == 0 ? "filename not terminated by a zero byte" : "mode not terminated by a zero byte");
            }
            // RFC 1350: netascii strings; ISO-8859-1 keeps every byte and never fails.
            fields[i] = new String(buf, p, z - p, StandardCharsets.ISO_8859_1);
            p = z + 1;
        }
        if (fields[0].isEmpty()) {
            return Request.malformed("empty filename");
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (p < end) {
            int z1 = indexOfZero(buf, p, end);
            if (z1 < 0) {
                return Request.malformed("option name not terminated by a zero byte");
            }
            int z2 = indexOfZero(buf, z1 + 1, end);
            if (z2 < 0) {
                return Request.malformed("option without a value");
            }
            String name = new String(buf, p, z1 - p, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            String value = new String(buf, z1 + 1, z2 - z1 - 1, StandardCharsets.ISO_8859_1);
            options.putIfAbsent(name, value);
            p = z2 + 1;
        }
        return new Request(op, fields[0], fields[1].toLowerCase(Locale.ROOT), options, null);
    }

    /** The text of an ERROR packet (empty if absent or unterminated). */
    static String errorMessage(byte[] buf, int off, int len) {
        if (len < 5) {
            return "";
        }
        int z = indexOfZero(buf, off + 4, off + len);
        int end = z < 0 ? off + len : z;
        return new String(buf, off + 4, end - off - 4, StandardCharsets.ISO_8859_1);
    }

    private static int indexOfZero(byte[] buf, int from, int end) {
        for (int i = from; i < end; i++) {
            if (buf[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Writes the DATA header for {@code block} at {@code out[0..4)}; the payload follows at 4. */
    static void writeDataHeader(byte[] out, int block) {
        putShort(out, 0, DATA);
        putShort(out, 2, block);
    }

    /** Writes an ACK into {@code out}; returns its length (4). */
    static int writeAck(byte[] out, int block) {
        putShort(out, 0, ACK);
        putShort(out, 2, block);
        return 4;
    }

    /** An ERROR packet with {@code code} and {@code message}. */
    static byte[] error(int code, String message) {
        byte[] text = message.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[4 + text.length + 1];
        putShort(out, 0, ERROR);
        putShort(out, 2, code);
        System.arraycopy(text, 0, out, 4, text.length);
        return out;
    }

    /** An OACK carrying {@code options} in order (RFC 2347 §2). */
    static byte[] oack(Map<String, String> options) {
        return packet(OACK, options);
    }

    /** A request packet (for tests and clients). */
    static byte[] request(int opcode, String filename, String mode, Map<String, String> options) {
        return packet(opcode, options, filename, mode);
    }

    /** The opcode, then each of {@code strings} and each option name and value, every one zero-terminated. */
    private static byte[] packet(int opcode, Map<String, String> options, String... strings) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(0);
        b.write(opcode);
        for (String s : strings) {
            zeroTerminated(b, s);
        }
        for (Map.Entry<String, String> e : options.entrySet()) {
            zeroTerminated(b, e.getKey());
            zeroTerminated(b, e.getValue());
        }
        return b.toByteArray();
    }

    private static void zeroTerminated(java.io.ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        b.write(0);
    }

    static void putShort(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 8);
        out[at + 1] = (byte) v;
    }

    /** A short name for an error code, for messages and logs. */
    static String errorName(int code) {
        return switch (code) {
            case ERR_FILE_NOT_FOUND -> "file not found";
            case ERR_ACCESS_VIOLATION -> "access violation";
            case ERR_DISK_FULL -> "disk full or allocation exceeded";
            case ERR_ILLEGAL_OPERATION -> "illegal TFTP operation";
            case ERR_UNKNOWN_TID -> "unknown transfer ID";
            case ERR_FILE_EXISTS -> "file already exists";
            case ERR_NO_SUCH_USER -> "no such user";
            case ERR_OPTION_REFUSED -> "option negotiation refused";
            default -> "not defined";
        };
    }
}
