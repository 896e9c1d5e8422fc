package org.jnetstack.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jnetstack.wire.Ipv4Address;

/** Dotted-quad literals, recognised without a lookup (never {@link InetAddress#getByName}). */
public final class Literals {
    private Literals() {
    }

    /** The address {@code host} spells as a dotted quad, or null when it is not one. */
    public static InetAddress parse(String host) {
        if (host == null || host.isEmpty() || !Character.isDigit(host.charAt(0))) {
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
