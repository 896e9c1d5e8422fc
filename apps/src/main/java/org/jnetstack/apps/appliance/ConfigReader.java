package org.jnetstack.apps.appliance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jnetstack.config.StackConfig;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;

/**
 * Turns a {@link TomlDocument} into a validated {@link ApplianceConfig}, or a
 * {@link ConfigException} that lists every problem: the key, the bad value, and what is
 * accepted. Unknown tables and keys are problems too (a misspelt key silently ignored is a
 * setting the user believes in and does not have).
 *
 * <p>{@link #KEYS} is the file format: every key with its type, so that the admin page can turn
 * a form field into a typed value the same way the file is read.
 */
public final class ConfigReader {
    /** The value type of a key. */
    public enum Type { STRING, INTEGER, BOOLEAN }

    /** Every key the file may hold, with its type. */
    public static final Map<String, Type> KEYS = keys();

    private static Map<String, Type> keys() {
        Map<String, Type> k = new LinkedHashMap<>();
        k.put("interface.type", Type.STRING);
        k.put("interface.name", Type.STRING);
        k.put("interface.mac", Type.STRING);
        k.put("interface.mtu", Type.INTEGER);
        k.put("interface.socket", Type.STRING);
        k.put("addressing.mode", Type.STRING);
        k.put("addressing.address", Type.STRING);
        k.put("addressing.gateway", Type.STRING);
        k.put("addressing.hostname", Type.STRING);
        k.put("addressing.ipv6", Type.BOOLEAN);
        k.put("addressing.ipv6_address", Type.STRING);
        k.put("addressing.ipv6_secret", Type.STRING);
        k.put("dns.servers", Type.STRING);
        k.put("capture.pcap", Type.STRING);
        k.put("capture.trace", Type.BOOLEAN);
        k.put("capture.ring", Type.INTEGER);
        k.put("admin.enabled", Type.BOOLEAN);
        k.put("admin.port", Type.INTEGER);
        k.put("admin.password", Type.STRING);
        k.put("admin.password_hash", Type.STRING);
        k.put("admin.public_status", Type.BOOLEAN);
        k.put("admin.hosts", Type.STRING);
        httpLimitKeys(k, "admin");
        k.put("echo.enabled", Type.BOOLEAN);
        k.put("echo.port", Type.INTEGER);
        k.put("discard.enabled", Type.BOOLEAN);
        k.put("discard.port", Type.INTEGER);
        k.put("www.enabled", Type.BOOLEAN);
        k.put("www.root", Type.STRING);
        k.put("www.port", Type.INTEGER);
        httpLimitKeys(k, "www");
        k.put("tftp.enabled", Type.BOOLEAN);
        k.put("tftp.root", Type.STRING);
        k.put("tftp.write", Type.BOOLEAN);
        k.put("tftp.max_write", Type.INTEGER);
        k.put("tftp.port", Type.INTEGER);
        k.put("serial.enabled", Type.BOOLEAN);
        k.put("serial.device", Type.STRING);
        k.put("serial.exec", Type.STRING);
        k.put("serial.unix", Type.STRING);
        k.put("serial.port", Type.INTEGER);
        k.put("serial.input", Type.STRING);
        k.put("serial.scrollback", Type.INTEGER);
        k.put("serial.queue", Type.INTEGER);
        k.put("serial.overflow", Type.STRING);
        k.put("serial.telnet", Type.BOOLEAN);
        k.put("serial.password", Type.STRING);
        k.put("serial.password_hash", Type.STRING);
        k.put("serial.read", Type.STRING);
        k.put("serial.stall_timeout_ms", Type.INTEGER);
        return Map.copyOf(k);
    }

    private static void httpLimitKeys(Map<String, Type> k, String table) {
        for (String key : List.of("max_connections", "max_connections_per_source", "max_line", "max_headers",
                "max_head", "head_timeout_ms", "idle_timeout_ms")) {
            k.put(table + "." + key, Type.INTEGER);
        }
    }

    /** Frames the admin page's pcap download holds by default. */
    public static final int DEFAULT_RING_FRAMES = 1000;
    public static final int DEFAULT_ADMIN_PORT = 80;
    /** Not 80, which the admin page takes by default; 8000 as python's http.server, the usual "serve this directory". */
    public static final int DEFAULT_WWW_PORT = 8000;

    // The TFTP and serial defaults are TftpOptions' and SerialBridgeOptions' (those packages build on this one, so
    // the values are repeated here rather than referenced; their tests check the two agree).
    public static final int DEFAULT_TFTP_PORT = 69;
    public static final long DEFAULT_TFTP_MAX_WRITE = 64L * 1024 * 1024;
    public static final int DEFAULT_SERIAL_PORT = 1234;
    public static final long DEFAULT_SERIAL_SCROLLBACK = 64 * 1024;
    public static final long DEFAULT_SERIAL_QUEUE = 256 * 1024;
    public static final long DEFAULT_SERIAL_STALL_TIMEOUT_MS = 3000;

    private final TomlDocument doc;
    private final List<String> problems = new ArrayList<>();

    private ConfigReader(TomlDocument doc) {
        this.doc = doc;
    }

    /**
     * Validates {@code doc}.
     *
     * @throws ConfigException listing every problem
     */
    public static ApplianceConfig read(TomlDocument doc) {
        ConfigReader r = new ConfigReader(doc);
        ApplianceConfig c = r.readAll();
        if (!r.problems.isEmpty()) {
            throw new ConfigException(r.problems);
        }
        return c;
    }

    private ApplianceConfig readAll() {
        checkKnownKeys();
        String type = choice("interface.type", "tap", Set.of("tap", "usernet", "gateway"));
        String name = string("interface.name", null);
        String socket = string("interface.socket", null);
        if ("gateway".equals(type) && (socket == null || socket.isBlank())) {
            problems.add("[interface] socket is missing: type = \"gateway\" joins a running `jns gateway` through the Unix"
                    + " socket it listens on (--qemu PATH), e.g. socket = \"/run/user/1000/jns-appliance.sock\""
                    + " (or --gateway-socket PATH)");
        }
        if ("tap".equals(type)) {
            if (name == null) {
                problems.add("[interface] name is missing: the TAP interface to use is required, e.g. name = \"jns0\""
                        + " (or --tap NAME)");
            } else if (!name.matches("[A-Za-z0-9_.-]{1,15}")) {
                bad("interface.name", "expected a Linux interface name of 1-15 letters, digits, '.', '_' or '-'");
            }
        }
        MacAddress mac = parsed("interface.mac", s -> {
            MacAddress m = MacAddress.parse(s);
            if (m.isMulticast()) {
                throw new IllegalArgumentException();
            }
            return m;
        }, "expected a unicast MAC address like \"02:00:00:00:00:02\"");
        Long mtu = integer("interface.mtu", 68, 65535, null);

        // On the user-mode network the gateway's DHCP server hands out the plan (10.0.2.15/24 via 10.0.2.2),
        // so a guest asks it by default, as one behind QEMU's user networking does.
        String mode = choice("addressing.mode", "usernet".equals(type) || "gateway".equals(type) ? "dhcp" : "static",
                Set.of("static", "dhcp"));
        InterfaceAddress address = null;
        Ipv4Address gateway = null;
        String addrText = string("addressing.address", null);
        if (addrText != null) {
            try {
                address = InterfaceAddress.parse(addrText);
            } catch (IllegalArgumentException e) {
                bad("addressing.address", e.getMessage());
            }
        } else if ("static".equals(mode)) {
            problems.add("[addressing] address is missing: static addressing needs address = \"ADDR/PREFIX\""
                    + " like \"10.0.0.2/24\" (or --ip), or mode = \"dhcp\"");
        }
        gateway = parsed("addressing.gateway", Ipv4Address::parse, "expected an IPv4 address like \"10.0.0.1\"");
        if ("dhcp".equals(mode)) {
            // The lease brings address, mask and router; static values left in the file do not apply.
            address = null;
            gateway = null;
        }
        if (gateway != null && address != null) {
            if (!address.sameNetwork(gateway.bits())) {
                bad("addressing.gateway", "not on the network of address " + address + ": expected an address on that network");
            } else if (gateway.equals(address.address())) {
                bad("addressing.gateway", "is the stack's own address: expected another host on its network");
            }
        }

        String hostname = string("addressing.hostname", null);
        if (hostname != null && !hostname.matches("[A-Za-z0-9][A-Za-z0-9-]{0,62}")) {
            bad("addressing.hostname", "expected letters, digits and hyphens, 1-63 characters, like \"probe-7\"");
        }
        boolean ipv6 = bool("addressing.ipv6", true);
        String ipv6Address = string("addressing.ipv6_address", null);
        if (ipv6Address != null) {
            try {
                StackConfig.parseIpv6Address(ipv6Address);
            } catch (IllegalArgumentException e) {
                bad("addressing.ipv6_address", StackConfig.IPV6_ADDRESS_FORMS);
            }
            if (!ipv6) {
                bad("addressing.ipv6_address", "given while ipv6 = false: expected one or the other");
            }
        }
        String ipv6Secret = string("addressing.ipv6_secret", null);
        if (ipv6Secret != null) {
            try {
                StackConfig.parseStableSecret(ipv6Secret);
            } catch (IllegalArgumentException e) {
                bad("addressing.ipv6_secret", StackConfig.STABLE_SECRET_FORM + " (the appliance writes one itself when missing)");
            }
        }
        ApplianceConfig.Dns dns = dns();

        String pcap = string("capture.pcap", null);
        boolean trace = bool("capture.trace", false);
        long ring = integer("capture.ring", 1, 1_000_000, (long) DEFAULT_RING_FRAMES);

        boolean adminOn = bool("admin.enabled", doc.tables().contains("admin") || doc.get("admin.port") != null);
        long adminPort = integer("admin.port", 1, 65535, (long) DEFAULT_ADMIN_PORT);
        String password = string("admin.password", null);
        if (password != null && password.length() < 8) {
            bad("admin.password", "too short: expected at least 8 characters");
        }
        String hash = string("admin.password_hash", null);
        if (hash != null && !PasswordHash.isWellFormed(hash)) {
            bad("admin.password_hash", "expected a hash this program wrote (" + PasswordHash.FORMAT
                    + "); to set a new password write password = \"...\" instead and it is hashed at start");
        }
        boolean publicStatus = bool("admin.public_status", false);
        List<String> adminHosts = hostNames("admin.hosts");
        ApplianceConfig.HttpLimits adminHttp = httpLimits("admin");

        ApplianceConfig.Service echo = service("echo", 7);
        ApplianceConfig.Service discard = service("discard", 9);
        ApplianceConfig.Www www = www();
        ApplianceConfig.Tftp tftp = tftp();
        ApplianceConfig.Serial serial = serial();
        checkPortClash(adminOn, (int) adminPort, Map.of("echo.port", echo, "discard.port", discard,
                "www.port", new ApplianceConfig.Service(www.enabled(), www.port()),
                "serial.port", new ApplianceConfig.Service(serial.enabled(), serial.port())));
        if (tftp.enabled() && echo.enabled() && tftp.port() == echo.port()) {
            bad("tftp.port", "port " + tftp.port() + " is already taken by echo.port (UDP): expected a port no other service uses");
        }

        return new ApplianceConfig(
                new ApplianceConfig.Interface(type, name, mac, mtu == null ? null : mtu.intValue(),
                        "gateway".equals(type) && socket != null ? Path.of(socket) : null),
                new ApplianceConfig.Addressing(mode, address, gateway, hostname, ipv6, ipv6Address, ipv6Secret),
                new ApplianceConfig.Capture(pcap == null ? null : Path.of(pcap), trace, (int) ring),
                new ApplianceConfig.Admin(adminOn, (int) adminPort, password, hash, publicStatus, adminHosts, adminHttp),
                echo, discard, www, tftp, serial, dns);
    }

    /** {@code servers = "10.0.0.1, 9.9.9.9"}: the file format has no arrays, so a list is one string. */
    private ApplianceConfig.Dns dns() {
        String text = string("dns.servers", null);
        List<Ipv4Address> servers = new ArrayList<>();
        if (text != null && !text.isBlank()) {
            for (String part : text.trim().split("[,\\s]+")) {
                try {
                    Ipv4Address a = Ipv4Address.parse(part);
                    if (a.bits() == 0 || Ipv4Address.isMulticast(a.bits()) || a.equals(Ipv4Address.BROADCAST)) {
                        throw new IllegalArgumentException();
                    }
                    servers.add(a);
                } catch (IllegalArgumentException e) {
                    bad("dns.servers", "'" + part + "' is not a server address: expected IPv4 unicast addresses separated by"
                            + " commas, like \"10.0.0.1, 9.9.9.9\"");
                    return new ApplianceConfig.Dns(List.of());
                }
            }
        }
        return new ApplianceConfig.Dns(servers);
    }

    private ApplianceConfig.Tftp tftp() {
        boolean on = bool("tftp.enabled", doc.tables().contains("tftp"));
        Path root = servedDirectory("tftp", on, "/srv/tftp", "--tftp-root DIR");
        boolean write = bool("tftp.write", false);
        long maxWrite = integer("tftp.max_write", 0, Long.MAX_VALUE / 2, DEFAULT_TFTP_MAX_WRITE);
        long port = integer("tftp.port", 1, 65535, (long) DEFAULT_TFTP_PORT);
        return new ApplianceConfig.Tftp(on && root != null, root, write, maxWrite, (int) port);
    }

    private ApplianceConfig.Serial serial() {
        String device = string("serial.device", null);
        String exec = string("serial.exec", null);
        String unix = string("serial.unix", null);
        boolean on = bool("serial.enabled", doc.tables().contains("serial"));
        long port = integer("serial.port", 1, 65535, (long) DEFAULT_SERIAL_PORT);
        String input = choice("serial.input", "all", Set.of("all", "first", "none"));
        long scrollback = integer("serial.scrollback", 0, 64L * 1024 * 1024, DEFAULT_SERIAL_SCROLLBACK);
        long queue = integer("serial.queue", 1024, 256L * 1024 * 1024, Math.max(DEFAULT_SERIAL_QUEUE, scrollback));
        String overflow = choice("serial.overflow", "drop", Set.of("drop", "disconnect"));
        boolean telnet = bool("serial.telnet", false);
        long stall = integer("serial.stall_timeout_ms", 100, 600_000, DEFAULT_SERIAL_STALL_TIMEOUT_MS);
        List<String> lines = new ArrayList<>();
        for (String k : List.of("device", "exec", "unix")) {
            if (doc.get("serial." + k) != null) {
                lines.add(k);
            }
        }
        if (on && lines.isEmpty()) {
            problems.add("[serial] the line is missing: expected one of device = \"/dev/ttyS0\" (a tty or pty; \"-\" for"
                    + " standard input/output), exec = \"COMMAND\" or unix = \"/path/to/socket\""
                    + " (or --serial, --serial-exec, --serial-unix)");
        } else if (lines.size() > 1) {
            problems.add("[serial] " + String.join(" and ", lines) + " are both set: expected one line");
        }
        if (queue < scrollback) {
            bad("serial.queue", "smaller than the scrollback (" + scrollback + " bytes): expected at least that, since a"
                    + " new client is queued the scrollback at once");
        }
        return new ApplianceConfig.Serial(on && lines.size() == 1, device, exec, unix == null ? null : Path.of(unix),
                (int) port, input, scrollback, queue, overflow, telnet, serialLogin(), stall);
    }

    /** {@code [serial] password} or {@code password_hash}, and {@code read}; null when no password is set. */
    private ApplianceConfig.SerialLogin serialLogin() {
        String password = string("serial.password", null);
        String hash = string("serial.password_hash", null);
        String read = choice("serial.read", "anyone", Set.of("anyone", "authenticated"));
        if (password != null && password.length() < 8) {
            bad("serial.password", "too short: expected at least 8 characters");
            password = null;
        }
        if (hash != null && !PasswordHash.isWellFormed(hash)) {
            bad("serial.password_hash", "expected a hash in the form " + PasswordHash.FORMAT
                    + " (as [admin] password_hash), or a plain password = \"...\" instead");
            hash = null;
        }
        if (password != null && hash != null) {
            problems.add("[serial] password and password_hash are both set: expected one");
            return null;
        }
        if (password == null && hash == null) {
            if ("authenticated".equals(read)) {
                bad("serial.read", "needs a password: expected password = \"...\" or password_hash in [serial]"
                        + " (or --serial-password-file FILE), or read = \"anyone\"");
            }
            return null;
        }
        return new ApplianceConfig.SerialLogin(password, hash, "authenticated".equals(read));
    }

    private ApplianceConfig.Www www() {
        boolean on = bool("www.enabled", doc.tables().contains("www"));
        Path root = servedDirectory("www", on, "/srv/www", "--www DIR");
        long port = integer("www.port", 1, 65535, (long) DEFAULT_WWW_PORT);
        return new ApplianceConfig.Www(on && root != null, root, (int) port, httpLimits("www"));
    }

    /** {@code [admin]}/{@code [www]}: the HTTP server's limits; see {@code httpd.HttpLimits} for each default's reason. */
    private ApplianceConfig.HttpLimits httpLimits(String table) {
        ApplianceConfig.HttpLimits d = ApplianceConfig.HttpLimits.DEFAULTS;
        long total = integer(table + ".max_connections", 1, 100_000, (long) d.maxConnections());
        long perSource = integer(table + ".max_connections_per_source", 1, 100_000, (long) d.maxConnectionsPerSource());
        if (perSource > total) {
            bad(table + ".max_connections_per_source", "expected at most max_connections (" + total + ")");
            perSource = total;
        }
        long line = integer(table + ".max_line", 256, 1 << 20, (long) d.maxLineBytes());
        long headers = integer(table + ".max_headers", 1, 10_000, (long) d.maxHeaders());
        long headBytes = integer(table + ".max_head", 256, 16 << 20, (long) d.maxHeadBytes());
        if (headBytes < line) {
            bad(table + ".max_head", "expected at least max_line (" + line + ")");
            headBytes = line;
        }
        long head = integer(table + ".head_timeout_ms", 100, 3_600_000, (long) d.headTimeoutMillis());
        long idle = integer(table + ".idle_timeout_ms", 100, 3_600_000, (long) d.idleTimeoutMillis());
        return new ApplianceConfig.HttpLimits((int) total, (int) perSource, (int) line, (int) headers, (int) headBytes,
                (int) head, (int) idle);
    }

    /** {@code hosts = "jns.lan, probe-7"}: host names (letters, digits, hyphens, dots), comma-separated. */
    private List<String> hostNames(String key) {
        String v = string(key, null);
        List<String> names = new ArrayList<>();
        if (v == null) {
            return names;
        }
        for (String part : v.split(",")) {
            String n = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (n.isEmpty()) {
                continue;
            }
            if (!n.matches("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")) {
                bad(key, "expected host names separated by commas, like \"jns.lan, probe-7\"; \"" + part.trim() + "\" is not one");
                continue;
            }
            names.add(n);
        }
        return names;
    }

    /**
     * {@code [table] root}: the directory a service serves — required when the service is on,
     * and then it must be a directory (a root that is off is not checked). Null when not given.
     */
    private Path servedDirectory(String table, boolean on, String example, String option) {
        String root = string(table + ".root", null);
        if (on && root == null) {
            problems.add("[" + table + "] root is missing: the directory to serve is required, e.g. root = \"" + example
                    + "\" (or " + option + ")");
        } else if (on && !java.nio.file.Files.isDirectory(Path.of(root))) {
            bad(table + ".root", "not a directory: expected the directory to serve");
        }
        return root == null ? null : Path.of(root);
    }

    private ApplianceConfig.Service service(String table, int defaultPort) {
        boolean on = bool(table + ".enabled", doc.tables().contains(table));
        long port = integer(table + ".port", 1, 65535, (long) defaultPort);
        return new ApplianceConfig.Service(on, (int) port);
    }

    /** Two TCP services on one port cannot both listen (echo's UDP side shares echo's number, which is fine). */
    private void checkPortClash(boolean adminOn, int adminPort, Map<String, ApplianceConfig.Service> others) {
        Map<Integer, String> used = new LinkedHashMap<>();
        if (adminOn) {
            used.put(adminPort, "admin.port");
        }
        for (var e : new java.util.TreeMap<>(others).entrySet()) {
            if (!e.getValue().enabled()) {
                continue;
            }
            String other = used.putIfAbsent(e.getValue().port(), e.getKey());
            if (other != null) {
                bad(e.getKey(), "port " + e.getValue().port() + " is already taken by " + other
                        + ": expected a port no other service uses");
            }
        }
    }

    private void checkKnownKeys() {
        Set<String> tables = new TreeSet<>();
        for (String k : KEYS.keySet()) {
            tables.add(k.substring(0, k.indexOf('.')));
        }
        for (String t : doc.tables()) {
            if (!tables.contains(t)) {
                problems.add("unknown table [" + t + "]: accepted tables are " + tables.stream().map(x -> "[" + x + "]").toList());
            }
        }
        for (String k : doc.keys()) {
            if (KEYS.containsKey(k)) {
                continue;
            }
            int dot = k.lastIndexOf('.');
            String table = dot < 0 ? "" : k.substring(0, dot);
            if (!tables.contains(table)) {
                if (table.isEmpty()) {
                    problems.add("key '" + k + "' (line " + doc.lineOf(k) + ") is outside any table: put it under a"
                            + " [table] header");
                }
                continue; // already reported as an unknown table
            }
            List<String> accepted = KEYS.keySet().stream().filter(x -> x.startsWith(table + "."))
                    .map(x -> x.substring(table.length() + 1)).sorted().toList();
            problems.add("[" + table + "] unknown key '" + k.substring(dot + 1) + "' (line " + doc.lineOf(k)
                    + "): accepted keys are " + accepted);
        }
    }

    // ---------------------------------------------------------------- typed access

    private String string(String key, String dflt) {
        Object v = doc.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        bad(key, "expected a quoted string");
        return dflt;
    }

    private String choice(String key, String dflt, Set<String> accepted) {
        String s = string(key, dflt);
        if (s != null && !accepted.contains(s)) {
            bad(key, "expected one of " + new TreeSet<>(accepted).stream().map(x -> "\"" + x + "\"").toList());
            return null;
        }
        return s;
    }

    private Long integer(String key, long min, long max, Long dflt) {
        Object v = doc.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long l && l >= min && l <= max) {
            return l;
        }
        bad(key, "expected a whole number " + min + "-" + max + (v instanceof String ? " (without quotes)" : ""));
        return dflt;
    }

    private boolean bool(String key, boolean dflt) {
        Object v = doc.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        bad(key, "expected true or false" + (v instanceof String ? " (without quotes)" : ""));
        return dflt;
    }

    private <T> T parsed(String key, java.util.function.Function<String, T> parser, String accepted) {
        String s = string(key, null);
        if (s == null) {
            return null;
        }
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            bad(key, accepted);
            return null;
        }
    }

    private void bad(String key, String what) {
        problems.add(describe(doc, key) + ": " + what);
    }

    /** {@code [admin] port = 70000 (line 12)}: how a problem names its key and value. */
    static String describe(TomlDocument doc, String key) {
        int dot = key.lastIndexOf('.');
        Object v = doc.get(key);
        int line = doc.lineOf(key);
        String name = "[" + key.substring(0, dot) + "] " + key.substring(dot + 1);
        if (v == null) {
            return name; // a default value
        }
        String shown = key.endsWith("password") ? "\"...\"" : TomlLine.render(v);
        return name + " = " + shown + (line > 0 ? " (line " + line + ")" : "");
    }
}
