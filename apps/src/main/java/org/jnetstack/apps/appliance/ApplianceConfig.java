package org.jnetstack.apps.appliance;

import java.nio.file.Path;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;

/**
 * What the appliance runs, as read and validated by {@link ConfigReader} from the config file
 * with the command line's overrides applied. Immutable; a change makes a new one.
 */
public record ApplianceConfig(
        Interface iface,
        Addressing addressing,
        Capture capture,
        Admin admin,
        Service echo,
        Service discard,
        Www www,
        Tftp tftp,
        Serial serial,
        Dns dns) {

    /**
     * {@code type} is {@code tap} (a Linux TAP named {@code name}), {@code usernet} (a user-mode
     * gateway in this process) or {@code gateway} (a port of a running {@code jns gateway}'s
     * network, joined through the Unix stream socket {@code socket}, null for the other types).
     */
    public record Interface(String type, String name, MacAddress mac, Integer mtu, Path socket) {
        /** Without a gateway socket. */
        public Interface(String type, String name, MacAddress mac, Integer mtu) {
            this(type, name, mac, mtu, null);
        }
    }

    /**
     * {@code mode} is {@code static} (address and optional gateway given) or {@code dhcp};
     * {@code hostname} (may be null) is told to the DHCP server (option 12).
     */
    /**
     * How the stack gets its addresses. IPv6: {@code ipv6} on (link-local and SLAAC addresses),
     * {@code ipv6Address} a static "ADDR/PREFIX" or null, {@code ipv6Secret} RFC 7217's secret for
     * stable interface identifiers (32 hex digits; written by the appliance when missing, so its
     * IPv6 addresses stay the same across restarts), or null.
     */
    public record Addressing(String mode, InterfaceAddress address, Ipv4Address gateway, String hostname,
                             boolean ipv6, String ipv6Address, String ipv6Secret) {
        public boolean isStatic() {
            return mode.equals("static");
        }
    }

    /** A pcap file and trace lines, as --pcap/--trace; {@code ringFrames} are kept in memory for the admin page. */
    public record Capture(Path pcap, boolean trace, int ringFrames) {
    }

    /**
     * The web admin page. {@code passwordHash} is a {@code PasswordHash} string; a plain
     * {@code password} in the file is hashed at start and replaced in the file. {@code hosts} are
     * extra names the page answers to (its addresses and {@code localhost} always).
     */
    public record Admin(boolean enabled, int port, String password, String passwordHash, boolean publicStatus,
            java.util.List<String> hosts, HttpLimits http) {
        public Admin {
            hosts = java.util.List.copyOf(hosts);
        }

        /** With no extra host names and the default HTTP limits. */
        public Admin(boolean enabled, int port, String password, String passwordHash, boolean publicStatus) {
            this(enabled, port, password, passwordHash, publicStatus, java.util.List.of(), HttpLimits.DEFAULTS);
        }
    }

    /** Static files: {@code root} served over HTTP on {@code port} ({@code --www DIR}). */
    public record Www(boolean enabled, Path root, int port, HttpLimits http) {
        /** With the default HTTP limits. */
        public Www(boolean enabled, Path root, int port) {
            this(enabled, root, port, HttpLimits.DEFAULTS);
        }
    }

    /**
     * What one client may make the admin page's or {@code --www}'s HTTP server hold (the keys
     * {@code max_connections}, {@code max_connections_per_source}, {@code max_line},
     * {@code max_headers}, {@code max_head}, {@code head_timeout_ms}, {@code idle_timeout_ms} of {@code [admin]} and
     * {@code [www]}); the defaults and their reasons are those of {@code httpd.HttpLimits}.
     */
    public record HttpLimits(int maxConnections, int maxConnectionsPerSource, int maxLineBytes, int maxHeaders,
            int maxHeadBytes, int headTimeoutMillis, int idleTimeoutMillis) {
        public static final HttpLimits DEFAULTS = new HttpLimits(64, 16, 8192, 100, 64 * 1024, 10_000, 30_000);
    }

    /**
     * The TFTP server ({@code --tftp-root DIR}): the directory served, whether writes are accepted,
     * the largest file a write may create, and the request port.
     */
    public record Tftp(boolean enabled, Path root, boolean write, long maxWriteBytes, int port) {
    }

    /**
     * The serial console bridge: exactly one line — {@code device} (a tty or pty path, or
     * {@code "-"} for standard input/output), {@code exec} (a command run with sh -c) or
     * {@code unix} (a socket path) — and the bridge's options ({@code input}: all, first or none;
     * {@code overflow}: drop or disconnect, applied to a client stalled for {@code stallTimeoutMillis}).
     */
    public record Serial(boolean enabled, String device, String exec, Path unix, int port, String input,
            long scrollbackBytes, long queueBytes, String overflow, boolean telnet, SerialLogin login,
            long stallTimeoutMillis) {
    }

    /**
     * The serial console's password ({@code [serial] password} or {@code password_hash}, a
     * {@code PasswordHash} string; at most one is set), and whether a client must give it before
     * it sees output ({@code read = "authenticated"}) or only before it types ({@code "anyone"}).
     * Null in {@link Serial} when no password is set: then anyone who reaches the port may type.
     */
    public record SerialLogin(String password, String passwordHash, boolean outputNeedsLogin) {
        @Override
        public String toString() {
            return "SerialLogin[" + (password != null ? "password" : "password_hash") + ", outputNeedsLogin="
                    + outputNeedsLogin + "]";
        }
    }

    /** The resolver's servers, tried in order; empty: the DHCP lease's (or the user-mode gateway's). */
    public record Dns(java.util.List<Ipv4Address> servers) {
        public Dns {
            servers = java.util.List.copyOf(servers);
        }
    }

    /** A service that listens on one port. */
    public record Service(boolean enabled, int port) {
    }
}
