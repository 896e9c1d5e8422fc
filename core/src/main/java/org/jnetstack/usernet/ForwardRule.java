package org.jnetstack.usernet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jnetstack.wire.Ipv6Address;

/**
 * A host-to-guest port forward: connections accepted on the host at {@code hostAddress:hostPort}
 * are spliced to the guest's {@code guestPort} (TCP), or datagrams received there are relayed to
 * it and its answers sent back to their sender (UDP, see {@link UdpForward}). Written
 * {@code tcp:[HOSTADDR:]HOSTPORT:GUESTPORT} or {@code udp:...} (QEMU's hostfwd, shortened); HOSTADDR
 * defaults to 127.0.0.1, so nothing is exposed beyond this machine unless asked for; an IPv6 one
 * goes in brackets ({@code tcp:[::1]:8080:80}: the host listens on IPv6). The guest side is the
 * guest's IPv4 address. Host port 0 picks a free port.
 *
 * @param nextFreePort if the host port is taken, try the following ones (the CLI's default forwards)
 * @param udp          a UDP forward; TCP when false
 */
public record ForwardRule(InetAddress hostAddress, int hostPort, int guestPort, boolean nextFreePort, boolean udp) {

    /** A TCP forward. */
    public ForwardRule(InetAddress hostAddress, int hostPort, int guestPort, boolean nextFreePort) {
        this(hostAddress, hostPort, guestPort, nextFreePort, false);
    }

    public ForwardRule {
        if (hostPort < 0 || hostPort > 65535) {
            throw new IllegalArgumentException("host port must be 0-65535: " + hostPort);
        }
        if (guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("guest port must be 1-65535: " + guestPort);
        }
    }

    public static ForwardRule tcp(int hostPort, int guestPort) {
        return new ForwardRule(InetAddress.getLoopbackAddress(), hostPort, guestPort, false);
    }

    public static ForwardRule udp(int hostPort, int guestPort) {
        return new ForwardRule(InetAddress.getLoopbackAddress(), hostPort, guestPort, false, true);
    }

    /** {@code a} as text: an IPv4 address dotted, an IPv6 one in RFC 5952's short form ({@code ::1}). */
    public static String formatHost(InetAddress a) {
        return a instanceof java.net.Inet6Address ? Ipv6Address.of(a).toString() : a.getHostAddress();
    }

    /** {@code a} as the host part of a URL or forward: an IPv6 address in brackets (RFC 3986 §3.2.2). */
    public static String uriHost(InetAddress a) {
        return a instanceof java.net.Inet6Address ? "[" + formatHost(a) + "]" : formatHost(a);
    }

    /** The accepted forms, for error messages. */
    public static final String FORMS = "expected tcp:[HOSTADDR:]HOSTPORT:GUESTPORT or udp:..., HOSTADDR an IPv4 address, a host"
            + " name or an IPv6 address in brackets, e.g. tcp:8080:80, tcp:0.0.0.0:2222:22, tcp:[::1]:8080:80, udp:[::]:5353:53";

    /**
     * Parses {@code tcp:[HOSTADDR:]HOSTPORT:GUESTPORT} or {@code udp:[HOSTADDR:]HOSTPORT:GUESTPORT};
     * an IPv6 HOSTADDR is written in brackets ({@code tcp:[::1]:8080:80}, RFC 3986 §3.2.2's form).
     *
     * @throws IllegalArgumentException naming the problem and {@link #FORMS}
     */
    public static ForwardRule parse(String spec) {
        String usage = "invalid forward '" + spec + "': " + FORMS;
        int colon = spec.indexOf(':');
        String proto = colon < 0 ? spec : spec.substring(0, colon);
        if (!(proto.equalsIgnoreCase("tcp") || proto.equalsIgnoreCase("udp"))) {
            throw new IllegalArgumentException(usage);
        }
        String rest = spec.substring(colon + 1);
        InetAddress host = InetAddress.getLoopbackAddress();
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(usage + " (an IPv6 address in brackets is followed by :HOSTPORT)");
            }
            try {
                host = Ipv6Address.parse(rest.substring(1, close)).toInetAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(usage + " (" + e.getMessage() + ")");
            }
            rest = rest.substring(close + 2);
            if (rest.split(":", -1).length != 2) {
                throw new IllegalArgumentException(usage);
            }
        }
        String[] p = rest.split(":", -1);
        if (p.length < 2 || p.length > 3) {
            throw new IllegalArgumentException(usage + (p.length > 3 ? " (an IPv6 HOSTADDR goes in brackets)" : ""));
        }
        if (p.length == 3 && !p[0].isEmpty()) {
            try {
                host = InetAddress.getByName(p[0]);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(usage + " (unknown host address " + p[0] + ")");
            }
        }
        try {
            return new ForwardRule(host, Integer.parseInt(p[p.length - 2]), Integer.parseInt(p[p.length - 1]), false,
                    proto.equalsIgnoreCase("udp"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage);
        }
    }

    @Override
    public String toString() {
        return (udp ? "udp:" : "tcp:") + uriHost(hostAddress) + ":" + hostPort + ":" + guestPort;
    }
}
