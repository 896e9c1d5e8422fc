package org.jnetstack.apps.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.net.ServerSocketFactory;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.appliance.ConfigException;
import org.jnetstack.apps.appliance.PasswordHash;
import org.jnetstack.apps.httpd.HttpLimits;
import org.jnetstack.apps.httpd.StackHttpServer;

/**
 * The web admin page: Apache HttpCore5's classic server on a {@link ServerSocketFactory} (the
 * stack's, so the page is served by our own TCP; see {@link StackHttpServer}). One handler routes by path:
 *
 * <pre>
 * GET  /, /style.css, /app.js and the scripts it uses   the page (static resources)
 * GET  /api/status              the status snapshot as JSON (login, or public_status = true)
 * GET  /api/session             {loggedIn, csrf, publicStatus}
 * POST /api/login               {"password": "..."} → cookie + {csrf}; failures rate-limited
 * POST /api/logout              (CSRF)
 * GET  /api/config              the editable settings in force
 * POST /api/config              {"table.key": value, ...} (CSRF) → validated, applied, written back
 * GET  /api/pcap                the capture ring as a pcap file, without the page's own traffic
 *                               (?include_admin=1 keeps it)
 * GET  /api/history?since=N     the charts' samples after number N (as status: login or public_status);
 *                               &amp;conn=ID&amp;connSince=M adds connection ID's (see {@link Sampler})
 * GET  /api/console/stream      the serial console's output as server-sent events (login; {@link ConsoleStreams})
 * POST /api/console/input       {"data": "..."} (CSRF) typed into the console, as its input policy allows
 * GET  /lib/...                 uPlot and xterm.js from their WebJars ({@link WebAssets})
 * </pre>
 *
 * Every request must name the appliance in its Host header ({@link HostCheck}), so a web page
 * whose name was rebound to the appliance's address (DNS rebinding) cannot reach the API; every
 * POST must carry {@code Content-Type: application/json}, which a cross-site page cannot send
 * without a CORS preflight the page never grants. Logins are throttled ({@link LoginThrottle}) and
 * at most {@link #MAX_VERIFYING} passwords are checked at once.
 */
public final class AdminServer implements AutoCloseable {
    /** Settings the page may change; the rest of the file is edited by hand. */
    static final List<String> EDITABLE = List.of(
            "addressing.mode", "addressing.address", "addressing.gateway", "dns.servers",
            "echo.enabled", "echo.port", "discard.enabled", "discard.port",
            "www.enabled", "www.port",
            "tftp.enabled", "tftp.write", "tftp.port",
            "serial.enabled", "serial.port", "serial.input", "serial.telnet",
            "admin.port", "admin.public_status", "admin.password",
            "capture.trace", "capture.ring", "interface.mtu");

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final String CSRF_HEADER = "X-CSRF-Token";
    /** Request bodies are small JSON objects; anything longer is refused unread. */
    private static final int MAX_BODY = 64 * 1024;
    /**
     * Password checks running at once: each costs ~100 ms of CPU by design ({@link PasswordHash}),
     * so more would only let a burst of guesses take the machine; the rest are told 429 at once.
     */
    static final int MAX_VERIFYING = 2;

    private final Appliance appliance;
    private final StackHttpServer server;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final HostCheck hosts;
    private final Semaphore verifying = new Semaphore(MAX_VERIFYING);
    private final AtomicLong verifications = new AtomicLong();
    private final String generatedPassword;
    private final String generatedHash;
    private final Sampler sampler;
    private final ConsoleStreams consoles;

    /**
     * Starts serving on {@code port} (0: any free port) of {@code bindAddress}.
     *
     * @param nanoClock time for session expiry and login throttling ({@code System::nanoTime})
     */
    public AdminServer(Appliance appliance, ServerSocketFactory sockets, InetAddress bindAddress, int port,
            LongSupplier nanoClock) throws IOException {
        this(appliance, sockets, bindAddress, port, HttpLimits.of(appliance.config().current().admin().http()), nanoClock);
    }

    /** As above, with the HTTP server's limits given rather than read from the config. */
    public AdminServer(Appliance appliance, ServerSocketFactory sockets, InetAddress bindAddress, int port,
            HttpLimits limits, LongSupplier nanoClock) throws IOException {
        this.appliance = appliance;
        this.hosts = new HostCheck(() -> {
            var c = appliance.config().current();
            List<String> names = new java.util.ArrayList<>(c.admin().hosts());
            if (c.addressing().hostname() != null) {
                names.add(c.addressing().hostname());
            }
            return names;
        });
        this.sessions = new Sessions(nanoClock);
        this.throttle = new LoginThrottle(nanoClock);
        if (appliance.config().current().admin().passwordHash() == null) {
            // No password configured: make one up and say it at start, rather than serve an admin page nobody can log in to.
            generatedPassword = Sessions.randomToken().substring(0, 16);
            generatedHash = PasswordHash.hash(generatedPassword);
        } else {
            generatedPassword = null;
            generatedHash = null;
        }
        this.sampler = new Sampler(appliance.stack());
        this.consoles = new ConsoleStreams(appliance, limits.idleTimeout().toMillis());
        this.server = StackHttpServer.start(sockets, bindAddress, port, limits, this::route);
        sampler.start();
    }

    public int port() {
        return server.port();
    }

    /** Passwords checked so far (each attempt that got past the throttle and the in-flight bound). */
    long verifications() {
        return verifications.get();
    }

    /** The HTTP server's connection counters (accepted, refused and why). */
    public Map<String, Long> connectionCounters() {
        return server.counters();
    }

    /** The password made up because the config has none, or null. */
    public String generatedPassword() {
        return generatedPassword;
    }

    private String passwordHash() {
        String h = appliance.config().current().admin().passwordHash();
        return h != null ? h : generatedHash;
    }

    // ---------------------------------------------------------------- routing

    private void route(ClassicHttpRequest req, ClassicHttpResponse res, HttpContext ctx) throws IOException {
        securityHeaders(res);
        String path;
        try {
            path = req.getUri().getPath();
        } catch (java.net.URISyntaxException e) {
            send(res, 400, Map.of("error", "malformed request target"));
            return;
        }
        String method = req.getMethod();
        String refusedHost = hosts.refusal(req);
        if (refusedHost != null) {
            // RFC 9110 §15.5.20: this server is not configured to answer for that name
            send(res, 421, Map.of("error", refusedHost));
            return;
        }
        if (method.equals("POST") && !isJson(req)) {
            send(res, 415, Map.of("error", "expected Content-Type: application/json"));
            return;
        }
        try {
            switch (method + " " + path) {
                case "GET /", "GET /index.html" -> resource(res, "index.html", "text/html; charset=utf-8");
                case "GET /app.js" -> resource(res, "app.js", "text/javascript; charset=utf-8");
                case "GET /units.js", "GET /charts.js", "GET /connections.js", "GET /console.js" ->
                        resource(res, path.substring(1), "text/javascript; charset=utf-8");
                case "GET /style.css" -> resource(res, "style.css", "text/css; charset=utf-8");
                case "GET /api/session" -> session(req, res);
                case "GET /api/status" -> status(req, res);
                case "POST /api/login" -> login(req, res, ctx);
                case "POST /api/logout" -> logout(req, res);
                case "GET /api/config" -> config(req, res);
                case "POST /api/config" -> change(req, res);
                case "GET /api/pcap" -> pcap(req, res);
                case "GET /api/history" -> history(req, res);
                case "GET /api/console/stream" -> consoleStream(req, res);
                case "POST /api/console/input" -> consoleInput(req, res);
                default -> {
                    if (method.equals("GET") && WebAssets.ASSETS.containsKey(path)) {
                        asset(res, WebAssets.ASSETS.get(path));
                        return;
                    }
                    send(res, path.startsWith("/api/") || path.equals("/") ? 405 : 404,
                            Map.of("error", method + " " + path + " is not served here"));
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            send(res, 500, Map.of("error", String.valueOf(e.getMessage())));
        }
    }

    private static void securityHeaders(ClassicHttpResponse res) {
        res.setHeader("Cache-Control", "no-store");
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("X-Frame-Options", "DENY");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    }

    private void resource(ClassicHttpResponse res, String name, String type) throws IOException {
        try (InputStream in = AdminServer.class.getResourceAsStream(name)) {
            if (in == null) {
                send(res, 404, Map.of("error", name + " is missing from the build"));
                return;
            }
            res.setCode(200);
            res.setEntity(new ByteArrayEntity(in.readAllBytes(), ContentType.parse(type)));
        }
    }

    private void asset(ClassicHttpResponse res, WebAssets.Asset a) throws IOException {
        try (InputStream in = AdminServer.class.getClassLoader().getResourceAsStream(a.resource())) {
            if (in == null) {
                send(res, 404, Map.of("error", a.resource() + " is missing from the class path"));
                return;
            }
            res.setCode(200);
            // the URL names the version: a new version is a new URL, so the browser may keep this one
            res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
            res.setEntity(new ByteArrayEntity(in.readAllBytes(), ContentType.parse(a.contentType())));
        }
    }

    // ---------------------------------------------------------------- API

    private void session(ClassicHttpRequest req, ClassicHttpResponse res) throws IOException {
        Sessions.Session s = sessions.find(cookie(req));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loggedIn", s != null);
        m.put("csrf", s == null ? null : s.csrf());
        m.put("publicStatus", appliance.config().current().admin().publicStatus());
        send(res, 200, m);
    }

    private void status(ClassicHttpRequest req, ClassicHttpResponse res) throws Exception {
        if (!appliance.config().current().admin().publicStatus() && sessions.find(cookie(req)) == null) {
            send(res, 401, Map.of("error", "log in to see the status"));
            return;
        }
        sendCompressed(req, res, appliance.status());
    }

    private void history(ClassicHttpRequest req, ClassicHttpResponse res) throws IOException {
        if (!appliance.config().current().admin().publicStatus() && sessions.find(cookie(req)) == null) {
            send(res, 401, Map.of("error", "log in to see the charts"));
            return;
        }
        Map<String, String> q = query(req);
        long since;
        long connSince;
        try {
            since = Long.parseLong(q.getOrDefault("since", "0"));
            connSince = Long.parseLong(q.getOrDefault("connSince", "0"));
        } catch (NumberFormatException e) {
            send(res, 400, Map.of("error", "since and connSince must be sample numbers: 0 for everything held, "
                    + "else the \"latest\" of the last answer"));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("intervalMillis", 1000);
        out.putAll(sampler.history().since(since));
        String conn = q.get("conn");
        if (conn != null && !conn.isEmpty()) {
            if (conn.length() > 200) {
                send(res, 400, Map.of("error", "conn must be a connection's \"local remote\" pair"));
                return;
            }
            Map<String, Object> c = new LinkedHashMap<>(sampler.watch(conn).since(connSince));
            c.put("id", conn);
            out.put("connection", c);
        }
        sendCompressed(req, res, out);
    }

    private void consoleStream(ClassicHttpRequest req, ClassicHttpResponse res) throws Exception {
        String token = cookie(req);
        if (sessions.find(token) == null) {
            send(res, 401, Map.of("error", "log in to use the serial console"));
            return;
        }
        try {
            res.setEntity(consoles.stream(token, sessions::alive));
            res.setCode(200);
        } catch (ConsoleStreams.NotRunning e) {
            send(res, 404, Map.of("error", e.getMessage()));
        } catch (ConsoleStreams.Full e) {
            tooBusy(res, e.getMessage());
        }
    }

    private void consoleInput(ClassicHttpRequest req, ClassicHttpResponse res) throws Exception {
        if (authorizedChange(req, res) == null) {
            return;
        }
        Map<String, Object> body = jsonBody(req);
        if (body == null || !(body.get("data") instanceof String data) || data.length() > ConsoleStreams.MAX_INPUT_CHARS) {
            send(res, 400, Map.of("error", "expected a JSON object like {\"data\": \"ls\\r\"} of at most "
                    + ConsoleStreams.MAX_INPUT_CHARS + " characters"));
            return;
        }
        org.jnetstack.apps.serial.SerialBridge.Typed t = consoles.type(cookie(req), data);
        if (t == null) {
            send(res, 409, Map.of("error", "open the console first (GET /api/console/stream)"));
            return;
        }
        switch (t) {
            case SENT -> send(res, 200, Map.of("sent", data.length()));
            case NOT_ALLOWED -> send(res, 403, Map.of("error", "the serial console's input policy does not let this page type now"));
            case BUSY -> tooBusy(res, "the serial line is behind: type again in a moment");
        }
    }

    private static void tooBusy(ClassicHttpResponse res, String message) throws IOException {
        res.setHeader("Retry-After", "1");
        send(res, 503, Map.of("error", message));
    }

    private void login(ClassicHttpRequest req, ClassicHttpResponse res, HttpContext ctx) throws IOException {
        Map<String, Object> body = jsonBody(req);
        if (body == null || !(body.get("password") instanceof String password)) {
            send(res, 400, Map.of("error", "expected a JSON object like {\"password\": \"...\"}"));
            return;
        }
        String client = clientAddress(ctx);
        long wait = throttle.tryBegin(client); // counted as a failure from here until it proves right
        if (wait > 0) {
            tooMany(res, wait, "too many failed logins: try again in " + (wait + 999) / 1000 + " s");
            return;
        }
        if (!verifying.tryAcquire()) {
            tooMany(res, 1000, "other logins are being checked: try again in 1 s");
            return;
        }
        boolean right;
        try {
            verifications.incrementAndGet();
            right = PasswordHash.verify(password, passwordHash());
        } finally {
            verifying.release();
        }
        if (!right) {
            send(res, 403, Map.of("error", "wrong password"));
            return;
        }
        throttle.succeeded(client);
        String token = sessions.create();
        res.setHeader("Set-Cookie", Sessions.COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
        send(res, 200, Map.of("csrf", sessions.find(token).csrf()));
    }

    private static void tooMany(ClassicHttpResponse res, long waitMillis, String message) throws IOException {
        res.setHeader("Retry-After", Long.toString(TimeUnit.MILLISECONDS.toSeconds(waitMillis + 999)));
        send(res, 429, Map.of("error", message));
    }

    private void logout(ClassicHttpRequest req, ClassicHttpResponse res) throws IOException {
        if (authorizedChange(req, res) == null) {
            return;
        }
        consoles.end(cookie(req), "logged out");
        sessions.end(cookie(req));
        res.setHeader("Set-Cookie", Sessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        send(res, 200, Map.of("loggedIn", false));
    }

    private void config(ClassicHttpRequest req, ClassicHttpResponse res) throws IOException {
        if (sessions.find(cookie(req)) == null) {
            send(res, 401, Map.of("error", "log in to see the settings"));
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : EDITABLE) {
            if (!k.equals("admin.password")) {
                m.put(k, inForce(k));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("settings", m);
        out.put("overridden", EDITABLE.stream().filter(appliance.config()::overridden).toList());
        out.put("file", appliance.config().path() == null ? null : appliance.config().path().toString());
        // the directories served and the serial line are edited in the file only: a page that could point a server
        // at / or run a command would be a risk
        var c = appliance.config().current();
        out.put("wwwRoot", c.www().root() == null ? null : c.www().root().toString());
        out.put("tftpRoot", c.tftp().root() == null ? null : c.tftp().root().toString());
        var line = c.serial();
        out.put("serialLine", line.device() != null ? line.device() : line.exec() != null ? "exec " + line.exec()
                : line.unix() != null ? "unix " + line.unix() : null);
        send(res, 200, out);
    }

    /** The value in force, with the defaults filled in from the validated config. */
    private Object inForce(String key) {
        var c = appliance.config().current();
        return switch (key) {
            case "addressing.mode" -> c.addressing().mode();
            case "addressing.address" -> c.addressing().address() == null ? "" : c.addressing().address().toString();
            case "addressing.gateway" -> c.addressing().gateway() == null ? "" : c.addressing().gateway().toString();
            case "echo.enabled" -> c.echo().enabled();
            case "echo.port" -> c.echo().port();
            case "discard.enabled" -> c.discard().enabled();
            case "discard.port" -> c.discard().port();
            case "dns.servers" -> String.join(", ", c.dns().servers().stream().map(Object::toString).toList());
            case "www.enabled" -> c.www().enabled();
            case "www.port" -> c.www().port();
            case "tftp.enabled" -> c.tftp().enabled();
            case "tftp.write" -> c.tftp().write();
            case "tftp.port" -> c.tftp().port();
            case "serial.enabled" -> c.serial().enabled();
            case "serial.port" -> c.serial().port();
            case "serial.input" -> c.serial().input();
            case "serial.telnet" -> c.serial().telnet();
            case "admin.port" -> c.admin().port();
            case "admin.public_status" -> c.admin().publicStatus();
            case "capture.trace" -> c.capture().trace();
            case "capture.ring" -> c.capture().ringFrames();
            case "interface.mtu" -> c.iface().mtu() == null ? "" : c.iface().mtu();
            default -> appliance.config().value(key);
        };
    }

    private void change(ClassicHttpRequest req, ClassicHttpResponse res) throws IOException {
        if (authorizedChange(req, res) == null) {
            return;
        }
        Map<String, Object> body = jsonBody(req);
        if (body == null) {
            send(res, 400, Map.of("error", "expected a JSON object of settings, like {\"echo.port\": 7}"));
            return;
        }
        Map<String, Object> edits;
        try {
            edits = FormValues.toEdits(body, EDITABLE);
        } catch (ConfigException e) {
            send(res, 400, Map.of("problems", e.problems()));
            return;
        }
        boolean passwordChanged = edits.containsKey("admin.password_hash");
        Appliance.ChangeResult r;
        try {
            r = appliance.change(edits);
        } catch (ConfigException e) {
            send(res, 400, Map.of("problems", e.problems()));
            return;
        }
        if (passwordChanged) {
            sessions.endAll(); // every session was opened with the old password
            consoles.endAll("the admin password changed: log in again");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("applied", r.applied());
        out.put("restartNeeded", r.restartNeeded());
        out.put("failures", r.failures());
        out.put("loggedOut", passwordChanged);
        send(res, 200, out);
    }

    private void pcap(ClassicHttpRequest req, ClassicHttpResponse res) throws IOException {
        if (sessions.find(cookie(req)) == null) {
            send(res, 401, Map.of("error", "log in to download the capture"));
            return;
        }
        if (appliance.ring() == null) {
            send(res, 404, Map.of("error", "no capture ring"));
            return;
        }
        byte[] pcap = appliance.ring().toByteArray();
        res.setCode(200);
        res.setHeader("Content-Disposition", "attachment; filename=\"jns-last-frames.pcap\"");
        if (includeAdmin(req)) {
            res.setHeader("X-Capture-Filter", "none: the admin page's own traffic is included");
        } else {
            // the page's own traffic holds the password and the session cookies: leave it out unless asked for
            int port = server.port(); // as the stack sees it, not a host forward's
            pcap = PcapFilter.withoutTcpPort(pcap, port);
            res.setHeader("X-Capture-Filter", "the admin page's own traffic (TCP port " + port
                    + ") is left out; /api/pcap?include_admin=1 keeps it");
        }
        res.setEntity(new ByteArrayEntity(pcap, ContentType.create("application/vnd.tcpdump.pcap")));
    }

    /** The request's query parameters (the first of each name), decoded; empty when it has none. */
    private static Map<String, String> query(ClassicHttpRequest req) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            String q = req.getUri().getRawQuery();
            if (q == null) {
                return out;
            }
            for (String part : q.split("&")) {
                int eq = part.indexOf('=');
                String k = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                out.putIfAbsent(k, v);
            }
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            // a malformed query is no query
        }
        return out;
    }

    private static boolean includeAdmin(ClassicHttpRequest req) {
        try {
            String q = req.getUri().getRawQuery();
            return q != null && java.util.Arrays.asList(q.split("&")).contains("include_admin=1");
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** The session of a change request that carries the right CSRF token, or null (the response is sent). */
    private Sessions.Session authorizedChange(ClassicHttpRequest req, ClassicHttpResponse res) throws IOException {
        Sessions.Session s = sessions.find(cookie(req));
        if (s == null) {
            send(res, 401, Map.of("error", "log in first"));
            return null;
        }
        Header h = req.getFirstHeader(CSRF_HEADER);
        if (!Sessions.csrfMatches(s, h == null ? null : h.getValue())) {
            send(res, 403, Map.of("error", "missing or wrong " + CSRF_HEADER + " header"));
            return null;
        }
        return s;
    }

    // ---------------------------------------------------------------- helpers

    private static String cookie(ClassicHttpRequest req) {
        for (Header h : req.getHeaders("Cookie")) {
            for (String part : h.getValue().split(";")) {
                String p = part.trim();
                if (p.startsWith(Sessions.COOKIE + "=")) {
                    return p.substring(Sessions.COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    private static String clientAddress(HttpContext ctx) {
        EndpointDetails d = HttpCoreContext.cast(ctx).getEndpointDetails();
        SocketAddress a = d == null ? null : d.getRemoteAddress();
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    /** RFC 9110 §8.3: the media type {@code application/json}, with any parameters (a charset). */
    private static boolean isJson(ClassicHttpRequest req) {
        Header[] h = req.getHeaders("Content-Type");
        if (h.length != 1) {
            return false;
        }
        String type = h[0].getValue();
        int semi = type.indexOf(';');
        return (semi < 0 ? type : type.substring(0, semi)).trim().equalsIgnoreCase("application/json");
    }

    /** The request's JSON object, or null when it has none or it is malformed (bodies over 64 KiB are refused). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonBody(ClassicHttpRequest req) throws IOException {
        HttpEntity e = req.getEntity();
        if (e == null) {
            return null;
        }
        byte[] bytes;
        try (InputStream in = e.getContent()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            return null;
        }
        try {
            Object o = JSON.readValue(bytes, Object.class);
            return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        } catch (IOException ex) {
            return null;
        }
    }

    /** Bodies shorter than this go uncompressed: gzip's header and the work are not worth it. */
    private static final int COMPRESS_FROM = 1024;

    /**
     * A 200 answer of JSON, gzip-compressed when the client accepts it (RFC 9110 §8.4, §12.5.3):
     * the status the page polls every 2 s is mostly counter names and shrinks about fivefold. Only
     * the status and the history are compressed — they hold no secret, so there is nothing for a
     * compression side channel (BREACH) to find out.
     */
    private static void sendCompressed(ClassicHttpRequest req, ClassicHttpResponse res, Object body) throws IOException {
        byte[] json = JSON.writeValueAsBytes(body);
        res.setCode(200);
        res.setHeader("Vary", "Accept-Encoding");
        if (json.length < COMPRESS_FROM || !acceptsGzip(req)) {
            res.setEntity(new ByteArrayEntity(json, ContentType.APPLICATION_JSON));
            return;
        }
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream(json.length / 4);
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(z)) {
            gz.write(json);
        }
        res.setEntity(new ByteArrayEntity(z.toByteArray(), ContentType.APPLICATION_JSON, "gzip"));
    }

    private static boolean acceptsGzip(ClassicHttpRequest req) {
        for (Header h : req.getHeaders("Accept-Encoding")) {
            for (String coding : h.getValue().split(",")) {
                String c = coding.trim().toLowerCase(java.util.Locale.ROOT);
                if ((c.equals("gzip") || c.startsWith("gzip;")) && !c.replace(" ", "").endsWith("q=0")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void send(ClassicHttpResponse res, int code, Object body) throws JsonProcessingException {
        res.setCode(code);
        res.setEntity(new ByteArrayEntity(JSON.writeValueAsBytes(body), ContentType.APPLICATION_JSON));
    }

    /**
     * Stops serving, half a second from now, on another thread: the request that turned the page
     * off or moved it to another port is being answered by one of this server's own workers, and
     * closing the server interrupts them — the delay lets that answer go out first.
     */
    @Override
    public void close() {
        Thread.ofPlatform().daemon().name("jns-admin-close").start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopExtras();
            server.close();
        });
    }

    private void stopExtras() {
        sampler.stop();
        consoles.endAll("the admin page stopped");
    }

    /** Stops serving and waits until it has (for tests and shutdown). */
    public void closeNow() {
        stopExtras();
        server.close();
    }

}
