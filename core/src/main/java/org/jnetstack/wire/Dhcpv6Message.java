package org.jnetstack.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * View of a DHCPv6 client/server message (RFC 8415 §8): a message type, a 24-bit transaction id
 * and options, each a 2-byte code, a 2-byte length and its data (§21.1). {@link #wrap} points it
 * at bytes; {@link #check()} walks the options once — bounded by {@link #MAX_OPTIONS} — checking
 * every length and noting where the options a stateless client reads are; the accessors then
 * read from the buffer. Also writes the Information-Request of a stateless client (§18.2.6) and,
 * for tests and servers, the header and options of any message.
 *
 * <p>Options this view reads: Client and Server Identifier (§21.2, §21.3), Status Code (§21.13),
 * Information Refresh Time (§21.23), DNS Recursive Name Server and Domain Search List (RFC 3646).
 * Each may appear once; others are skipped.
 */
public final class Dhcpv6Message {
    public static final int CLIENT_PORT = 546;
    public static final int SERVER_PORT = 547;
    /** All_DHCP_Relay_Agents_and_Servers, ff02::1:2 (RFC 8415 §7.1). */
    public static final Ipv6Address ALL_SERVERS = new Ipv6Address(0xff02_0000_0000_0000L, 0x1_0002L);
    public static final int HEADER_LENGTH = 4;
    /** Options one message may have before the walk stops: a message fits a 1500-byte link with far fewer. */
    public static final int MAX_OPTIONS = 64;

    // Message types (RFC 8415 §7.3).
    public static final int ADVERTISE = 2;
    public static final int REPLY = 7;
    public static final int INFORMATION_REQUEST = 11;

    // Option codes (RFC 8415 §21, RFC 3646).
    public static final int OPT_CLIENTID = 1;
    public static final int OPT_SERVERID = 2;
    public static final int OPT_ORO = 6;
    public static final int OPT_ELAPSED_TIME = 8;
    public static final int OPT_STATUS_CODE = 13;
    public static final int OPT_DNS_SERVERS = 23;
    public static final int OPT_DOMAIN_LIST = 24;
    public static final int OPT_INFORMATION_REFRESH_TIME = 32;

    /** DUID types (RFC 8415 §11.2, §11.4). */
    public static final int DUID_LLT = 1;
    public static final int DUID_LL = 3;
    /** Hardware type of Ethernet (RFC 826, IANA). */
    public static final int HTYPE_ETHERNET = 1;

    private byte[] buf;
    private int off;
    private int len;
    private int clientId;
    private int serverId;
    private int status;
    private int dns;
    private int domains;
    private int refresh;

    public Dhcpv6Message wrap(byte[] b, int o, int l) {
        this.buf = b;
        this.off = o;
        this.len = l;
        clientId = serverId = status = dns = domains = refresh = -1;
        return this;
    }

    /** Null if the message is well formed (see {@link Dhcpv6Malformed}), else why not. */
    public Dhcpv6Malformed check() {
        if (len < HEADER_LENGTH) {
            return Dhcpv6Malformed.TRUNCATED;
        }
        int end = off + len;
        int p = off + HEADER_LENGTH;
        for (int n = 0; p < end; n++) {
            if (n == MAX_OPTIONS) {
                return Dhcpv6Malformed.TOO_MANY_OPTIONS;
            }
            if (end - p < 4) {
                return Dhcpv6Malformed.OPTION_OVERRUN;
            }
            int code = Bytes.u16(buf, p);
            int olen = Bytes.u16(buf, p + 2);
            if (olen > end - p - 4) {
                return Dhcpv6Malformed.OPTION_OVERRUN;
            }
            Dhcpv6Malformed m = note(code, p, olen);
            if (m != null) {
                return m;
            }
            p += 4 + olen;
        }
        return null;
    }

    private Dhcpv6Malformed note(int code, int p, int olen) {
        switch (code) {
            case OPT_CLIENTID -> {
                if (clientId >= 0) {
                    return Dhcpv6Malformed.DUPLICATE_OPTION;
                }
                clientId = p;
            }
            case OPT_SERVERID -> {
                if (serverId >= 0) {
                    return Dhcpv6Malformed.DUPLICATE_OPTION;
                }
                serverId = p;
            }
            case OPT_STATUS_CODE -> {
                if (status >= 0) {
                    return Dhcpv6Malformed.DUPLICATE_OPTION;
                }
                if (olen < 2) {
                    return Dhcpv6Malformed.BAD_OPTION_LENGTH;
                }
                status = p;
            }
            case OPT_DNS_SERVERS -> {
                if (dns >= 0) {
                    return Dhcpv6Malformed.DUPLICATE_OPTION;
                }
                if (olen % 16 != 0) {
                    return Dhcpv6Malformed.BAD_OPTION_LENGTH; // RFC 3646 §3: a list of 16-byte addresses
                }
                dns = p;
            }
            case OPT_DOMAIN_LIST -> {
                if (domains >= 0) {
                    return Dhcpv6Malformed.DUPLICATE_OPTION;
                }
                if (!namesWellFormed(buf, p + 4, olen)) {
                    return Dhcpv6Malformed.BAD_DOMAIN_LIST;
                }
                domains = p;
            }
            case OPT_INFORMATION_REFRESH_TIME -> {
                if (refresh >= 0) {
                    return Dhcpv6Malformed.DUPLICATE_OPTION;
                }
                if (olen != 4) {
                    return Dhcpv6Malformed.BAD_OPTION_LENGTH; // §21.23
                }
                refresh = p;
            }
            case OPT_ELAPSED_TIME -> {
                if (olen != 2) {
                    return Dhcpv6Malformed.BAD_OPTION_LENGTH; // §21.9
                }
            }
            default -> {
                // §16: options a client does not know are ignored
            }
        }
        return null;
    }

    /** RFC 1035 §3.1 names, uncompressed (RFC 8415 §10), each ending in the root label, filling the option exactly. */
    private static boolean namesWellFormed(byte[] b, int p, int l) {
        int end = p + l;
        int nameLength = 0;
        while (p < end) {
            int label = b[p] & 0xFF;
            if (label == 0) {
                nameLength = 0;
                p++;
                continue;
            }
            if (label > 63 || p + 1 + label >= end) {
                return false; // a pointer, a label too long, or no room for the root label after it
            }
            nameLength += label + 1;
            if (nameLength > 254) {
                return false; // RFC 1035 §2.3.4: 255 octets with the root label
            }
            p += 1 + label;
        }
        return (b[end - 1] & 0xFF) == 0 || l == 0;
    }

    public int messageType() {
        return buf[off] & 0xFF;
    }

    /** The 24-bit transaction id (RFC 8415 §8). */
    public int transactionId() {
        return (buf[off + 1] & 0xFF) << 16 | (buf[off + 2] & 0xFF) << 8 | (buf[off + 3] & 0xFF);
    }

    public boolean hasServerId() {
        return serverId >= 0;
    }

    public boolean hasClientId() {
        return clientId >= 0;
    }

    /** True if the Client Identifier option holds exactly {@code duid}. */
    public boolean clientIdEquals(byte[] duid) {
        if (clientId < 0 || Bytes.u16(buf, clientId + 2) != duid.length) {
            return false;
        }
        return java.util.Arrays.equals(buf, clientId + 4, clientId + 4 + duid.length, duid, 0, duid.length);
    }

    /** The server's DUID as hex, for logs and display; null without one. */
    public String serverIdHex() {
        if (serverId < 0) {
            return null;
        }
        return java.util.HexFormat.of().formatHex(buf, serverId + 4, serverId + 4 + Bytes.u16(buf, serverId + 2));
    }

    /** The Status Code option's code (§21.13; 0 is Success), or -1 without one. */
    public int statusCode() {
        return status < 0 ? -1 : Bytes.u16(buf, status + 4);
    }

    public int dnsServerCount() {
        return dns < 0 ? 0 : Bytes.u16(buf, dns + 2) / 16;
    }

    public long dnsServerHi(int i) {
        return Ipv6Address.readHi(buf, dns + 4 + 16 * i);
    }

    public long dnsServerLo(int i) {
        return Ipv6Address.readLo(buf, dns + 4 + 16 * i);
    }

    /** The Information Refresh Time in seconds (§21.23; 0xFFFFFFFF is infinity), or -1 without the option. */
    public long refreshTime() {
        return refresh < 0 ? -1 : Bytes.u32(buf, refresh + 4);
    }

    /** The Domain Search List as dotted names without the final dot, at most {@code max}; empty without the option. */
    public List<String> domainSearchList(int max) {
        List<String> out = new ArrayList<>();
        if (domains < 0) {
            return out;
        }
        int p = domains + 4;
        int end = p + Bytes.u16(buf, domains + 2);
        StringBuilder name = new StringBuilder();
        while (p < end && out.size() < max) {
            int label = buf[p] & 0xFF;
            p++;
            if (label == 0) {
                out.add(name.toString());
                name.setLength(0);
                continue;
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(new String(buf, p, label, StandardCharsets.US_ASCII));
            p += label;
        }
        return out;
    }

    // ---- writing ----

    /** The message header: type and 24-bit transaction id. @return the bytes written, 4 */
    public static int writeHeader(byte[] b, int o, int type, int transactionId) {
        b[o] = (byte) type;
        b[o + 1] = (byte) (transactionId >>> 16);
        b[o + 2] = (byte) (transactionId >>> 8);
        b[o + 3] = (byte) transactionId;
        return HEADER_LENGTH;
    }

    /** An option with {@code data[dOff, dOff+dLen)}. @return the bytes written */
    public static int writeOption(byte[] b, int o, int code, byte[] data, int dOff, int dLen) {
        Bytes.putU16(b, o, code);
        Bytes.putU16(b, o + 2, dLen);
        System.arraycopy(data, dOff, b, o + 4, dLen);
        return 4 + dLen;
    }

    /** An option of 16-bit values (Option Request, Elapsed Time). @return the bytes written */
    public static int writeShorts(byte[] b, int o, int code, int... values) {
        Bytes.putU16(b, o, code);
        Bytes.putU16(b, o + 2, 2 * values.length);
        for (int i = 0; i < values.length; i++) {
            Bytes.putU16(b, o + 4 + 2 * i, values[i]);
        }
        return 4 + 2 * values.length;
    }

    /**
     * A stateless client's Information-Request (RFC 8415 §18.2.6): its Client Identifier, an
     * Option Request for DNS servers and the domain search list (RFC 3646) and the Information
     * Refresh Time (§21.23), and the Elapsed Time in hundredths of a second (§21.9, 0xFFFF at most).
     *
     * @return the message length
     */
    public static int writeInformationRequest(byte[] b, int o, int transactionId, byte[] duid, long elapsedCentis) {
        int p = o + writeHeader(b, o, INFORMATION_REQUEST, transactionId);
        p += writeOption(b, p, OPT_CLIENTID, duid, 0, duid.length);
        p += writeShorts(b, p, OPT_ORO, OPT_DNS_SERVERS, OPT_DOMAIN_LIST, OPT_INFORMATION_REFRESH_TIME);
        p += writeShorts(b, p, OPT_ELAPSED_TIME, (int) Math.min(0xFFFF, Math.max(0, elapsedCentis)));
        return p - o;
    }

    /** A DUID-LL (RFC 8415 §11.4) of an Ethernet MAC: type 3, hardware type 1, the 6 bytes. */
    public static byte[] duidLl(long mac) {
        byte[] d = new byte[10];
        Bytes.putU16(d, 0, DUID_LL);
        Bytes.putU16(d, 2, HTYPE_ETHERNET);
        for (int i = 0; i < 6; i++) {
            d[4 + i] = (byte) (mac >>> (40 - 8 * i));
        }
        return d;
    }
}
