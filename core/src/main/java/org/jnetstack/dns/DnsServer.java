package org.jnetstack.dns;

import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * A name server to ask: an address of either family (IPv4 as IPv4-mapped, as the transports hold
 * it) and a port, 53 unless said otherwise.
 */
public record DnsServer(Ipv6Address address, int port) {
    /** The forms {@link #parse} accepts, for error messages. */
    public static final String FORMS = "an IPv4 address (10.0.0.53), IPv4 address and port (10.0.0.53:5353), "
            + "an IPv6 address (fd00::53) or IPv6 address and port in brackets ([fd00::53]:5353)";

    public DnsServer {
        java.util.Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("DNS server port must be 1-65535: " + port);
        }
    }

    public static DnsServer of(Ipv4Address a) {
        return new DnsServer(Ipv6Address.v4Mapped(a.bits()), org.jnetstack.wire.DnsMessage.PORT);
    }

    public static DnsServer of(Ipv6Address a) {
        return new DnsServer(a, org.jnetstack.wire.DnsMessage.PORT);
    }

    /**
     * Parses {@code 10.0.0.53}, {@code 10.0.0.53:5353}, {@code fd00::53}, {@code [fd00::53]} or
     * {@code [fd00::53]:5353}.
     *
     * @throws IllegalArgumentException naming the input and {@link #FORMS}
     */
    public static DnsServer parse(String s) {
        String msg = "invalid DNS server '" + s + "': expected " + FORMS;
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(msg);
        }
        String t = s.trim();
        try {
            String host = t;
            int port = org.jnetstack.wire.DnsMessage.PORT;
            if (t.startsWith("[")) {
                int close = t.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException(msg);
                }
                host = t.substring(1, close);
                String rest = t.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new IllegalArgumentException(msg);
                    }
                    port = Integer.parseInt(rest.substring(1));
                }
                return new DnsServer(Ipv6Address.parse(host), port);
            }
            int colons = (int) t.chars().filter(c -> c == ':').count();
            if (colons == 1) {
                host = t.substring(0, t.indexOf(':'));
                port = Integer.parseInt(t.substring(t.indexOf(':') + 1));
            }
            if (colons <= 1) {
                return new DnsServer(Ipv6Address.v4Mapped(Ipv4Address.parseBits(host)), port);
            }
            return new DnsServer(Ipv6Address.parse(t), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(msg, e);
        }
    }

    /** Whether this server is reached over IPv4. */
    public boolean isIpv4() {
        return TransportAddresses.isV4(address.hi(), address.lo());
    }

    /** {@code 10.0.0.53}, {@code 10.0.0.53:5353}, {@code fd00::53}, {@code [fd00::53]:5353}. */
    @Override
    public String toString() {
        return port == org.jnetstack.wire.DnsMessage.PORT ? TransportAddresses.format(address.hi(), address.lo())
                : TransportAddresses.format(address.hi(), address.lo(), port);
    }
}
