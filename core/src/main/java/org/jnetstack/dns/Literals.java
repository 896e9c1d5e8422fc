package org.jnetstack.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jnetstack.wire.Ipv4Address;

/**
 * Address literals — dotted-quad IPv4, RFC 4291 IPv6 with or without brackets ({@code fd00::1},
 * {@code [fd00::1]}) — recognised without a lookup (never {@link InetAddress#getByName}).
 */
public final class Literals {
    private Literals() {
    }

    /** The address {@code host} spells as a literal of either family, or null when it is not one. */
    public static InetAddress parse(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.indexOf(':') >= 0) {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            try {
                return org.jnetstack.wire.Ipv6Address.parse(h).toInetAddress(); // ::ffff:a.b.c.d is IPv4, as in the JDK
            } catch (IllegalArgumentException notALiteral) {
                return null;
            }
        }
        if (!Character.isDigit(host.charAt(0))) {
            return null;
        }
        try {
            byte[] b = new byte[4];
            Ipv4Address.write(b, 0, Ipv4Address.parseBits(host));
            return InetAddress.getByAddress(b);
        } catch (IllegalArgumentException | UnknownHostException notALiteral) {
            return null;
        }
    }
}
