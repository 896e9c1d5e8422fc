package org.jnetstack.apps.cli;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * A host as the user wrote it on the command line: an IPv4 literal, an IPv6 literal (bare or in
 * brackets), or a host name to resolve. Bad input is refused with a message naming the accepted forms.
 *
 * @param host    the text (brackets removed)
 * @param literal the address for a literal, null for a name
 */
record HostTarget(String host, InetAddress literal) {
    static final String FORMS = "an IPv4 address (10.0.0.1), an IPv6 address (fd00::1 or [fd00::1])"
            + " or a host name (www.example.com)";
    static final String WITH_PORT_FORMS = "HOST PORT (10.0.0.1 5000, fd00::1 5000, www.example.com 80),"
            + " [IPv6]:PORT ([fd00::1]:5000) or IPv4:PORT / NAME:PORT (10.0.0.1:5000)";

    /** @throws IllegalArgumentException naming the input and {@link #FORMS} */
    static HostTarget parse(String s) {
        String t = s == null ? "" : s.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.indexOf(':') >= 0) {
            try {
                return new HostTarget(t, Ipv6Address.parse(t).toInetAddress());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: expected " + FORMS);
            }
        }
        if (!t.isEmpty() && t.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            try {
                return new HostTarget(t, new Ipv4Address(Ipv4Address.parseBits(t)).toInetAddress());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address: expected " + FORMS);
            }
        }
        boolean name = !t.isEmpty() && t.length() <= 253 && !t.startsWith(".") && !t.contains("..")
                && t.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '-' || c == '_');
        if (!name) {
            throw new IllegalArgumentException("'" + s + "' is not a host: expected " + FORMS);
        }
        return new HostTarget(t, null);
    }

    /**
     * {@code [IPv6]:PORT}, {@code IPv4:PORT} or {@code NAME:PORT} in one word; null when {@code s}
     * has no port (a bare IPv6 address has colons but no brackets: not a HOST:PORT).
     */
    static String[] splitHostPort(String s) {
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            return close < 0 ? null : new String[] {s.substring(0, close + 1), s.substring(close + 2)};
        }
        int colon = s.indexOf(':');
        if (colon < 0 || s.indexOf(':', colon + 1) >= 0) {
            return null;
        }
        return new String[] {s.substring(0, colon), s.substring(colon + 1)};
    }

    boolean isName() {
        return literal == null;
    }

    boolean isIpv6() {
        return literal instanceof Inet6Address;
    }

    /**
     * Checks a literal against -4 / -6 ({@code family} 4, 6, or 0 for either).
     *
     * @throws IllegalArgumentException when the literal is of the other family
     */
    void checkFamily(int family) {
        if (literal != null && family == 4 && isIpv6()) {
            throw new IllegalArgumentException("-4 asks for IPv4, but " + host + " is an IPv6 address");
        }
        if (literal != null && family == 6 && !isIpv6()) {
            throw new IllegalArgumentException("-6 asks for IPv6, but " + host + " is an IPv4 address");
        }
    }

    @Override
    public String toString() {
        return host;
    }
}
