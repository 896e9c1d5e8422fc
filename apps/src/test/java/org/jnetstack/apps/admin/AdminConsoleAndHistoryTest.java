package org.jnetstack.apps.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.net.ServerSocketFactory;
import org.jnetstack.apps.appliance.ApplianceService;
import org.jnetstack.apps.appliance.EchoServices;
import org.jnetstack.apps.appliance.PasswordHash;
import org.jnetstack.apps.appliance.VirtualAppliance;
import org.jnetstack.apps.httpd.HttpLimits;
import org.jnetstack.apps.serial.SerialApplianceService;
import org.jnetstack.apps.serial.SerialBridgeOptions;
import org.jnetstack.apps.serial.SerialSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The charts' history and the serial console of the admin page, over the JDK's loopback sockets:
 * both need the login (the console's input the CSRF token too), both are bounded, and the console
 * streams the line's scrollback and output and passes keystrokes as the input policy allows.
 */
class AdminConsoleAndHistoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse battery";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final HttpClient http = HttpClient.newHttpClient();
    private VirtualAppliance v;
    private AdminServer admin;
    private String base;
    private final List<HttpResponse<Stream<String>>> streams = new ArrayList<>();

    /** A session: its cookie and CSRF token. */
    private record Login(String cookie, String csrf) {
    }

    private void start(SerialBridgeOptions.InputPolicy input, HttpLimits limits) throws Exception {
        List<ApplianceService> services = new ArrayList<>(List.of(EchoServices.ECHO));
        if (input != null) {
            Path typed = dir.resolve("typed");
            services.add(SerialApplianceService.fixed(new SerialSource.Exec("echo line-from-serial; cat > " + typed),
                    SerialBridgeOptions.defaults().withPort(1234).withInput(input)));
        }
        v = new VirtualAppliance(dir, VirtualAppliance.BASE + "[echo]\n[admin]\npassword_hash = \""
                + PasswordHash.hash(PASSWORD) + "\"\n", services);
        admin = new AdminServer(v.appliance, ServerSocketFactory.getDefault(), InetAddress.getLoopbackAddress(), 0,
                limits, clock::get);
        base = "http://127.0.0.1:" + admin.port();
    }

    @AfterEach
    void stop() {
        for (HttpResponse<Stream<String>> s : streams) {
            s.body().close();
        }
        if (admin != null) {
            admin.closeNow();
        }
        if (v != null) {
            v.close();
        }
    }

    private HttpResponse<String> get(String path, Login who) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (who != null) {
            b.header("Cookie", who.cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Object body, Login who, boolean withCsrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (who != null) {
            b.header("Cookie", who.cookie);
            if (withCsrf) {
                b.header("X-CSRF-Token", who.csrf);
            }
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Login login() throws Exception {
        HttpResponse<String> r = post("/api/login", Map.of("password", PASSWORD), null, false);
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Login(setCookie.substring(0, setCookie.indexOf(';')), JSON.readTree(r.body()).get("csrf").asText());
    }

    private HttpResponse<Stream<String>> openStream(Login who) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/api/console/stream")).header("Cookie", who.cookie).build();
        HttpResponse<Stream<String>> s = http.send(r, HttpResponse.BodyHandlers.ofLines());
        streams.add(s);
        return s;
    }

    /** Reads the stream's lines until one matches, and returns it (fails after {@link #WAIT}). */
    private static String until(Iterator<String> lines, Predicate<String> match) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            while (lines.hasNext()) {
                String l = lines.next();
                if (match.test(l)) {
                    return l;
                }
            }
            return "(the stream ended)";
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static String decoded(String dataLine) {
        return new String(Base64.getDecoder().decode(dataLine.substring("data: ".length())), StandardCharsets.UTF_8);
    }

    @Test
    void historyNeedsTheLoginAndAnswersOnlyWhatCameAfterTheCursor() throws Exception {
        start(null, HttpLimits.DEFAULTS);
        assertThat(get("/api/history?since=0", null).statusCode()).isEqualTo(401);
        Login me = login();

        JsonNode h = JSON.readTree(get("/api/history?since=0", me).body());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (h.get("latest").asLong() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            h = JSON.readTree(get("/api/history?since=0", me).body());
        }

        long latest = h.get("latest").asLong();
        assertThat(latest).isGreaterThanOrEqualTo(2);
        assertThat(h.get("times").size()).isEqualTo((int) latest);
        assertThat(h.get("series").has("if.b.rx_bps")).as(h.toString()).isTrue();
        assertThat(h.get("series").has("tcp.retransmits")).isTrue();
        JsonNode after = JSON.readTree(get("/api/history?since=" + latest, me).body());
        assertThat(after.get("times").size()).as("only samples taken since the cursor").isLessThanOrEqualTo(1);
        assertThat(get("/api/history?since=abc", me).statusCode()).isEqualTo(400);
        assertThat(get("/api/history?since=0&conn=" + "x".repeat(300), me).statusCode()).isEqualTo(400);
        JsonNode c = JSON.readTree(get("/api/history?since=0&conn=10.0.0.2:7%2010.0.0.1:5000", me).body());
        assertThat(c.at("/connection/id").asText()).isEqualTo("10.0.0.2:7 10.0.0.1:5000");
    }

    @Test
    void atMostFourConnectionsAreWatchedTheLeastRecentlyAskedForIsForgotten() throws Exception {
        start(null, HttpLimits.DEFAULTS);
        Sampler s = new Sampler(v.server);
        History first = s.watch("a");
        s.watch("b");
        s.watch("c");
        assertThat(s.watch("a")).isSameAs(first); // asked for again: now the most recent
        s.watch("d");
        s.watch("e"); // forgets b

        assertThat(s.watchedCount()).isEqualTo(Sampler.MAX_WATCHED);
        assertThat(s.watch("a")).isSameAs(first);
        assertThat(s.watchedCount()).isEqualTo(Sampler.MAX_WATCHED);
    }

    @Test
    void theConsoleNeedsTheLoginStreamsTheLineAndTakesKeystrokesWithTheCsrfToken() throws Exception {
        start(SerialBridgeOptions.InputPolicy.ALL, HttpLimits.DEFAULTS);
        assertThat(get("/api/console/stream", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/console/input", Map.of("data", "x"), null, false).statusCode()).isEqualTo(401);
        Login me = login();
        assertThat(post("/api/console/input", Map.of("data", "x"), me, true).statusCode())
                .as("no stream open yet").isEqualTo(409);

        HttpResponse<Stream<String>> s = openStream(me);
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        Iterator<String> lines = s.body().iterator();
        String hello = until(lines, l -> l.startsWith("data: {"));
        assertThat(hello).contains("\"mayType\":true").contains("\"input\":\"all\"");
        StringBuilder seen = new StringBuilder();
        until(lines, l -> l.startsWith("data: ") && seen.append(decoded(l)).toString().contains("line-from-serial"));

        assertThat(post("/api/console/input", Map.of("data", "typed-in-page\n"), me, false).statusCode())
                .as("without the CSRF token").isEqualTo(403);
        assertThat(post("/api/console/input", Map.of("data", "y".repeat(ConsoleStreams.MAX_INPUT_CHARS + 1)), me, true)
                .statusCode()).isEqualTo(400);
        HttpResponse<String> typed = post("/api/console/input", Map.of("data", "typed-in-page\n"), me, true);
        assertThat(typed.statusCode()).as(typed.body()).isEqualTo(200);
        Path file = dir.resolve("typed");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(file) && Files.readString(file).contains("typed-in-page")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(file)).isEqualTo("typed-in-page\n");

        // Logging out ends the stream.
        assertThat(post("/api/logout", Map.of(), me, true).statusCode()).isEqualTo(200);
        assertThat(until(lines, l -> l.startsWith("event: end"))).isEqualTo("event: end");
        assertThat(get("/api/console/stream", me).statusCode()).isEqualTo(401);
    }

    @Test
    void underInputNoneThePageSeesTheLineButItsKeystrokesAreRefused() throws Exception {
        start(SerialBridgeOptions.InputPolicy.NONE, HttpLimits.DEFAULTS);
        Login me = login();
        Iterator<String> lines = openStream(me).body().iterator();
        assertThat(until(lines, l -> l.startsWith("data: {"))).contains("\"mayType\":false");

        HttpResponse<String> r = post("/api/console/input", Map.of("data", "rm -rf /\n"), me, true);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("input policy");
        Thread.sleep(300);
        assertThat(Files.exists(dir.resolve("typed")) ? Files.readString(dir.resolve("typed")) : "").isEmpty();
    }

    @Test
    void atMostFourStreamsAreOpenAndASessionsSecondReplacesItsFirst() throws Exception {
        start(SerialBridgeOptions.InputPolicy.ALL, HttpLimits.DEFAULTS);
        Login first = login();
        Iterator<String> firstLines = openStream(first).body().iterator();
        until(firstLines, l -> l.startsWith("data: {"));
        Iterator<String> again = openStream(first).body().iterator();
        until(again, l -> l.startsWith("data: {"));
        assertThat(until(firstLines, l -> l.startsWith("data: ") && !l.startsWith("data: {") && !l.startsWith("data: bGlu")))
                .as("the first stream of the session was ended").contains("opened again");
        for (int i = 1; i < ConsoleStreams.MAX_STREAMS; i++) {
            assertThat(openStream(login()).statusCode()).isEqualTo(200);
        }

        HttpResponse<String> refused = get("/api/console/stream", login());

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void aStreamOutlivesTheIdleTimeoutWithHeartbeatsAndIsNotClosedToMakeRoom() throws Exception {
        // 300 ms idle timeout, 2 connections per source: an idle keep-alive connection would be closed for a newcomer
        start(SerialBridgeOptions.InputPolicy.ALL, HttpLimits.DEFAULTS.withConnections(4, 2)
                .withIdleTimeout(Duration.ofMillis(300)));
        Login me = login();
        Iterator<String> lines = openStream(me).body().iterator();
        until(lines, l -> l.startsWith("data: {"));
        for (int i = 0; i < 5; i++) {
            assertThat(get("/api/session", me).statusCode()).isEqualTo(200); // new connections come and go meanwhile
        }

        assertThat(until(lines, l -> l.startsWith(": keep-alive"))).isEqualTo(": keep-alive");
        assertThat(until(lines, l -> l.startsWith(": keep-alive"))).as("still open after several idle timeouts")
                .isEqualTo(": keep-alive");
        assertThat(admin.connectionCounters().get("writeStalls")).isZero();
    }

    @Test
    void theConsoleIsNotFoundWhenItIsOff() throws Exception {
        start(null, HttpLimits.DEFAULTS);
        HttpResponse<String> r = get("/api/console/stream", login());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("serial console is off");
    }

    @Test
    void theLibrariesAreServedFromTheirWebJarsAndThePageNamesEachOne() throws Exception {
        start(null, HttpLimits.DEFAULTS);
        String page = get("/", null).body();
        for (String path : WebAssets.ASSETS.keySet()) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).hasSizeGreaterThan(1000);
            assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).contains("immutable");
            assertThat(page).contains("\"" + path + "\"");
        }
        assertThat(get("/units.js", null).body()).contains("Mbit/s");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:src|href)=\"(/[^\"#]+\\.(?:js|css))\"").matcher(page);
        int scripts = 0;
        while (m.find()) {
            assertThat(get(m.group(1), null).statusCode()).as(m.group(1)).isEqualTo(200);
            scripts++;
        }
        assertThat(scripts).as("every script and style sheet the page names is served").isEqualTo(10);
    }

    @Test
    void theStatusIsGzippedForAClientThatAcceptsItAndPlainOtherwise() throws Exception {
        start(null, HttpLimits.DEFAULTS);
        Login me = login();
        HttpResponse<String> plain = get("/api/status", me);
        HttpResponse<byte[]> zipped = http.send(HttpRequest.newBuilder(URI.create(base + "/api/status"))
                .header("Cookie", me.cookie).header("Accept-Encoding", "gzip, deflate").build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(zipped.body().length).isLessThan(plain.body().length() / 3);
        JsonNode unzipped = JSON.readTree(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body())));
        assertThat(unzipped.at("/interfaces/0/address").asText()).isEqualTo("10.0.0.2");
        assertThat(get("/api/session", me).headers().firstValue("Content-Encoding"))
                .as("the CSRF token's answer is never compressed").isEmpty();
    }
}
