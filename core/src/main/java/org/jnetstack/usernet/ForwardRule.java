package org.jnetstack.usernet;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A host-to-guest port forward: connections accepted on the host at {@code hostAddress:hostPort}
 * are spliced to the guest's {@code guestPort} (TCP), or datagrams received there are relayed to
 * it and its answers sent back to their sender (UDP, see {@link UdpForward}). Written
 * {@code tcp:[HOSTADDR:]HOSTPORT:GUESTPORT} or {@code udp:...} (QEMU's hostfwd, shortened); HOSTADDR
 * defaults to 127.0.0.1, so nothing is exposed beyond this machine unless asked for. Host port 0
 * picks a free port.
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

    /** Parses {@code tcp:[HOSTADDR:]HOSTPORT:GUESTPORT} or {@code udp:[HOSTADDR:]HOSTPORT:GUESTPORT}. */
    public static ForwardRule parse(String spec) {
        String[] p = spec.split(":", -1);
        String usage = "invalid forward '" + spec + "': expected tcp:[HOSTADDR:]HOSTPORT:GUESTPORT or udp:..., e.g. tcp:8080:80";
        if (p.length < 3 || p.length > 4 || !(p[0].equalsIgnoreCase("tcp") || p[0].equalsIgnoreCase("udp"))) {
            throw new IllegalArgumentException(usage);
        }
        InetAddress host;
        try {
            host = p.length == 4 && !p[1].isEmpty() ? InetAddress.getByName(p[1]) : InetAddress.getLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(usage + " (unknown host address " + p[1] + ")");
        }
        try {
            return new ForwardRule(host, Integer.parseInt(p[p.length - 2]), Integer.parseInt(p[p.length - 1]), false,
                    p[0].equalsIgnoreCase("udp"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage);
        }
    }

    @Override
    public String toString() {
        return (udp ? "udp:" : "tcp:") + hostAddress.getHostAddress() + ":" + hostPort + ":" + guestPort;
    }
}
