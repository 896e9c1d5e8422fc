package org.jnetstack.apps.admin;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Which names the admin page answers to, so that DNS rebinding cannot reach it: a page on
 * {@code evil.example} whose name is rebound to the appliance's address still sends
 * {@code Host: evil.example}. Accepted: any IP address literal (the appliance's own, or a host
 * address that forwards to it, like {@code 127.0.0.1:8080} — a browser sends a literal only when
 * the user typed one, so no rebinding can produce it), {@code localhost}, and the configured names
 * ({@code [admin] hosts} and {@code [addressing] hostname}). Any port is accepted: a host forward
 * may use any. RFC 9112 §3.2: exactly one Host header.
 */
final class HostCheck {
    private final Supplier<List<String>> names;

    /** @param names the configured names, read on every request (they may change from the page) */
    HostCheck(Supplier<List<String>> names) {
        this.names = names;
    }

    /** Null when the request names this appliance, else why it is refused (for the 421 answer). */
    String refusal(ClassicHttpRequest req) {
        Header[] h = req.getHeaders("Host");
        if (h.length != 1) {
            return "expected exactly one Host header";
        }
        String host = hostOf(h[0].getValue());
        // RFC 9112 §3.2.2: an absolute-form target (GET http://name/ ...) names the host in place of Host;
        // HttpCore5 keeps its authority, or takes Host's
        URIAuthority authority = req.getAuthority();
        String target = authority == null ? null : authority.getHostName().toLowerCase(Locale.ROOT);
        if (host == null || !allowed(host) || target != null && !target.contains(":") && !allowed(target)) {
            return "this appliance does not answer to the name " + h[0].getValue()
                    + ": use its address, localhost, or add the name to [admin] hosts in the config file";
        }
        return null;
    }

    boolean allowed(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.equals("localhost") || isIpv4Literal(h) || h.startsWith("[") && h.endsWith("]") && h.length() > 2) {
            return true;
        }
        for (String n : names.get()) {
            if (n.equalsIgnoreCase(h)) {
                return true;
            }
        }
        return false;
    }

    /** The host part of a Host header value, lower case ({@code [::1]} keeps its brackets); null when malformed. */
    static String hostOf(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            return null;
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || close + 1 < v.length() && !isPort(v.substring(close + 1))) {
                return null;
            }
            String inside = v.substring(1, close);
            return inside.matches("[0-9a-f:.]+") ? v.substring(0, close + 1) : null;
        }
        int colon = v.indexOf(':');
        if (colon >= 0) {
            if (!isPort(v.substring(colon))) {
                return null;
            }
            v = v.substring(0, colon);
        }
        return v.matches("[a-z0-9._-]+") ? v : null;
    }

    private static boolean isPort(String colonAndDigits) {
        return colonAndDigits.matches(":[0-9]{0,5}");
    }

    private static boolean isIpv4Literal(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
