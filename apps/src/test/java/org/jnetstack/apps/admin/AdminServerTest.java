package org.jnetstack.apps.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ServerSocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jnetstack.apps.appliance.EchoServices;
import org.jnetstack.socket.jdk.StackServerSocketFactory;
import org.jnetstack.socket.jdk.StackSocketFactory;
import org.jnetstack.apps.appliance.PasswordHash;
import org.jnetstack.apps.appliance.VirtualAppliance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page's HTTP API on the JDK's loopback sockets (the page over the stack's own sockets
 * is tested in interop with Chromium): login, cookie flags, CSRF, throttling, changes written
 * back and applied, status and pcap.
 */
class AdminServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final HttpClient http = HttpClient.newHttpClient();
    private VirtualAppliance v;
    private AdminServer admin;
    private String base;
    private String cookie;
    private String csrf;

    private void start(String extra) throws Exception {
        v = new VirtualAppliance(dir, VirtualAppliance.BASE + "[echo]\n[admin]\npassword_hash = \""
                + PasswordHash.hash(PASSWORD) + "\"\n" + extra, List.of(EchoServices.ECHO, EchoServices.DISCARD));
        admin = new AdminServer(v.appliance, ServerSocketFactory.getDefault(), InetAddress.getLoopbackAddress(), 0, clock::get);
        base = "http://127.0.0.1:" + admin.port();
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.closeNow();
        }
        if (v != null) {
            v.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json, boolean withCsrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (withCsrf && csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> login(String password) throws Exception {
        HttpResponse<String> r = post("/api/login", JSON.writeValueAsString(java.util.Map.of("password", password)), false);
        if (r.statusCode() == 200) {
            String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
            cookie = setCookie.substring(0, setCookie.indexOf(';'));
            csrf = JSON.readTree(r.body()).get("csrf").asText();
        }
        return r;
    }

    @Test
    void statusNeedsALoginUnlessTheConfigMakesItPublic() throws Exception {
        start("");

        assertThat(get("/api/status").statusCode()).isEqualTo(401);
        assertThat(get("/").body()).contains("<title>jnetstack appliance</title>");

        HttpResponse<String> r = login(PASSWORD);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly").contains("SameSite=Strict");
        JsonNode s = JSON.readTree(get("/api/status").body());
        assertThat(s.at("/interfaces/0/address").asText()).isEqualTo("10.0.0.2");
        assertThat(s.at("/routes/0/destination").asText()).isEqualTo("10.0.0.0/24");
        assertThat(s.at("/services/0/state").asText()).isEqualTo("running");
        assertThat(s.at("/tcp/listeners/0/local").asText()).isEqualTo("0.0.0.0:7");
        assertThat(s.at("/counters").size()).isPositive();
    }

    @Test
    void publicStatusIsReadableWithoutLoginButChangesAreNot() throws Exception {
        start("public_status = true\n");

        assertThat(get("/api/status").statusCode()).isEqualTo(200);
        assertThat(get("/api/config").statusCode()).isEqualTo(401);
        assertThat(post("/api/config", "{\"echo.port\": 7007}", true).statusCode()).isEqualTo(401);
        assertThat(get("/api/pcap").statusCode()).isEqualTo(401);
    }

    @Test
    void aChangeNeedsTheCsrfTokenThenIsAppliedAndWrittenBack() throws Exception {
        start("");
        login(PASSWORD);
        String before = Files.readString(v.file);

        HttpResponse<String> forged = post("/api/config", "{\"echo.port\": 7007}", false);

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(Files.readString(v.file)).isEqualTo(before);
        assertThat(v.listenerPorts()).containsExactly(7);

        HttpResponse<String> r = post("/api/config", "{\"echo.port\": \"7007\", \"discard.enabled\": true}", true);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("applied").toString()).contains("echo").contains("discard");
        assertThat(v.listenerPorts()).containsExactlyInAnyOrder(7007, 9);
        assertThat(Files.readString(v.file)).contains("[echo]\nport = 7007\n").contains("[discard]\nenabled = true");
        assertThat(JSON.readTree(get("/api/config").body()).at("/settings/echo.port").asInt()).isEqualTo(7007);
    }

    @Test
    void servicesOfTheFileAreToggledButTheirDirectoriesAndLinesAreNot() throws Exception {
        java.nio.file.Path served = Files.createDirectories(dir.resolve("served"));
        start("[tftp]\nroot = \"" + served + "\"\n[serial]\nenabled = false\ndevice = \"-\"\n");
        login(PASSWORD);

        HttpResponse<String> r = post("/api/config", "{\"tftp.write\": true, \"tftp.port\": \"1069\", \"serial.input\": \"first\","
                + " \"serial.telnet\": true, \"dns.servers\": \"10.0.0.1, 9.9.9.9\"}", true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var c = v.appliance.config().current();
        assertThat(c.tftp().write()).isTrue();
        assertThat(c.tftp().port()).isEqualTo(1069);
        assertThat(c.serial().input()).isEqualTo("first");
        assertThat(c.serial().telnet()).isTrue();
        var settings = JSON.readTree(get("/api/config").body());
        assertThat(settings.at("/settings/tftp.port").asInt()).isEqualTo(1069);
        assertThat(settings.at("/settings/dns.servers").asText()).isEqualTo("10.0.0.1, 9.9.9.9");
        assertThat(settings.at("/tftpRoot").asText()).isEqualTo(served.toString());
        assertThat(settings.at("/serialLine").asText()).isEqualTo("-");

        for (String key : List.of("tftp.root", "www.root", "serial.device", "serial.exec")) {
            HttpResponse<String> refused = post("/api/config", "{\"" + key + "\": \"/\"}", true);
            assertThat(refused.statusCode()).as(key).isEqualTo(400);
            assertThat(refused.body()).contains("'" + key + "' cannot be changed here");
        }
        assertThat(Files.readString(v.file)).doesNotContain("root = \"/\"");
    }

    @Test
    void anInvalidChangeNamesTheProblemAndChangesNothing() throws Exception {
        start("");
        login(PASSWORD);
        String before = Files.readString(v.file);

        HttpResponse<String> r = post("/api/config", "{\"addressing.address\": \"10.0.0.2\", \"echo.port\": \"seven\","
                + " \"interface.name\": \"x\"}", true);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("[echo] port = seven: expected a whole number")
                .contains("'interface.name' cannot be changed here");
        HttpResponse<String> r2 = post("/api/config", "{\"addressing.address\": \"10.0.0.2\"}", true);
        assertThat(r2.statusCode()).isEqualTo(400);
        assertThat(r2.body()).contains("[addressing] address = \\\"10.0.0.2\\\"").contains("no prefix length");
        assertThat(Files.readString(v.file)).isEqualTo(before);
    }

    @Test
    void failedLoginsWaitLongerEachTimeUpToTheCap() throws Exception {
        start("");
        for (int i = 0; i < LoginThrottle.FREE_PER_SOURCE; i++) {
            assertThat(login("wrong password").statusCode()).isEqualTo(403);
        }

        HttpResponse<String> waiting = login(PASSWORD);

        assertThat(waiting.statusCode()).as("even the right password waits").isEqualTo(429);
        assertThat(waiting.headers().firstValue("Retry-After")).hasValue("1");
        clock.addAndGet(1_000_000_000L);
        assertThat(login("wrong again").statusCode()).isEqualTo(403);
        assertThat(login(PASSWORD).headers().firstValue("Retry-After")).as("the next wait doubled").hasValue("2");
        for (int i = 0; i < 5; i++) {
            clock.addAndGet(LoginThrottle.MAX_DELAY_MILLIS * 1_000_000L);
            assertThat(login("still wrong").statusCode()).isEqualTo(403);
        }
        assertThat(login(PASSWORD).headers().firstValue("Retry-After")).as("capped")
                .hasValue(Long.toString(LoginThrottle.MAX_DELAY_MILLIS / 1000));
        clock.addAndGet(LoginThrottle.MAX_DELAY_MILLIS * 1_000_000L);
        assertThat(login(PASSWORD).statusCode()).isEqualTo(200);
        assertThat(admin.verifications()).as("waiting attempts are not verified").isEqualTo(LoginThrottle.FREE_PER_SOURCE + 7);
    }

    @Test
    void thirtyParallelWrongGuessesGetFewVerificationsAndTheOwnerIsInSoonAfter() throws Exception {
        start("max_connections_per_source = 64\nmax_connections = 64\n");
        HttpClient many = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> guesses = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            guesses.add(many.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"password\": \"guess " + i + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> codes = new java.util.ArrayList<>();
        for (var g : guesses) {
            codes.add(g.get().statusCode());
        }

        assertThat(codes).containsOnly(403, 429);
        assertThat(admin.verifications()).as("attempts recorded before verifying: only the free ones are checked")
                .isBetween(1L, (long) LoginThrottle.FREE_PER_SOURCE);
        assertThat(codes.stream().filter(c -> c == 403).count()).isEqualTo(admin.verifications());
        clock.addAndGet(LoginThrottle.MAX_DELAY_MILLIS * 1_000_000L);
        assertThat(login(PASSWORD).statusCode()).as("the owner, one throttle cap later").isEqualTo(200);
    }

    @Test
    void everyPostMustBeJson() throws Exception {
        start("");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\": \"" + PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password=x")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as("a text/plain body, as any web page may send cross-site").isEqualTo(415);
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(admin.verifications()).isZero();
        login(PASSWORD);
        HttpResponse<String> logout = http.send(HttpRequest.newBuilder(URI.create(base + "/api/logout"))
                .header("Cookie", cookie).header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(415);
        assertThat(post("/api/logout", "{}", true).statusCode()).isEqualTo(200);
    }

    @Test
    void onlyRequestsNamingTheApplianceAreAnswered() throws Exception {
        start("hosts = \"jns.lan\"\n");

        assertThat(rawStatus("POST /api/login HTTP/1.1\r\nHost: rebound.evil.example\r\nContent-Type: application/json\r\n"
                + "Content-Length: 16\r\nConnection: close\r\n\r\n{\"password\":\"x\"}")).as("DNS rebinding").isEqualTo(421);
        assertThat(rawStatus("GET /api/session HTTP/1.1\r\nHost: evil.example:" + admin.port() + "\r\nConnection: close\r\n\r\n"))
                .isEqualTo(421);
        assertThat(rawStatus("GET http://evil.example/api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
                .as("the authority of an absolute target counts too").isEqualTo(421);
        assertThat(rawStatus("GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
                .isIn(400, 421);
        assertThat(admin.verifications()).isZero();
        for (String host : List.of("127.0.0.1:8080", "10.0.0.2", "localhost:" + admin.port(), "[::1]:8080", "JNS.lan", "jns.lan.")) {
            assertThat(rawStatus("GET /api/session HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))
                    .as(host).isEqualTo(200);
        }
    }

    /** The status code of the answer to a request written as is (the JDK's client will not send a foreign Host). */
    private int rawStatus(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), admin.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String head = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.ISO_8859_1);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    @Test
    void aNewPasswordEndsEverySessionAndOnlyItWorksAfterwards() throws Exception {
        start("");
        login(PASSWORD);

        HttpResponse<String> r = post("/api/config", "{\"admin.password\": \"a much better one\"}", true);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(get("/api/config").statusCode()).as("old session ended").isEqualTo(401);
        assertThat(Files.readString(v.file)).doesNotContain("a much better one");
        assertThat(login(PASSWORD).statusCode()).isEqualTo(403);
        assertThat(login("a much better one").statusCode()).isEqualTo(200);
    }

    @Test
    void logoutNeedsCsrfAndEndsTheSession() throws Exception {
        start("");
        login(PASSWORD);

        assertThat(post("/api/logout", "{}", false).statusCode()).isEqualTo(403);
        assertThat(post("/api/logout", "{}", true).statusCode()).isEqualTo(200);
        assertThat(get("/api/config").statusCode()).isEqualTo(401);
    }

    @Test
    void thePageIsServedByTheStacksOwnTcp() throws Exception {
        start("public_status = true\n");
        AdminServer overStack = new AdminServer(v.appliance, StackServerSocketFactory.of(v.server),
                InetAddress.getByAddress(new byte[4]), 8080, clock::get);
        try {
            OkHttpClient ok = new OkHttpClient.Builder().socketFactory(StackSocketFactory.of(v.client)).build();
            try (Response r = ok.newCall(new Request.Builder().url("http://10.0.0.2:8080/api/status").build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                JsonNode s = JSON.readTree(r.body().string());
                assertThat(s.at("/tcp/connections").toString()).as("the status shows the very connection that asked for it")
                        .contains("\"local\":\"10.0.0.2:8080\"").contains("ESTABLISHED");
            }
        } finally {
            overStack.closeNow();
        }
    }

    @Test
    void thePcapDownloadHoldsTheLastFrames() throws Exception {
        start("");
        login(PASSWORD);
        v.appliance.onLoop(() -> v.client.tcp().connect(org.jnetstack.wire.Ipv4Address.parseBits("10.0.0.2"), 7,
                new org.jnetstack.tcp.TcpHandler() { }));
        for (int i = 0; i < 500 && v.ring.size() < 3; i++) {
            Thread.sleep(10);
        }

        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/pcap")).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");
        byte[] b = r.body();
        assertThat(b.length).isGreaterThan(24 + 3 * (16 + 54));
        // pcap magic 0xa1b2c3d4, in either byte order
        int magic = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF;
        assertThat(magic).isIn(0xa1b2c3d4, 0xd4c3b2a1);
    }

    @Test
    void thePcapDownloadLeavesOutThePagesOwnTrafficUnlessAskedTo() throws Exception {
        start("");
        AdminServer overStack = new AdminServer(v.appliance, StackServerSocketFactory.of(v.server),
                InetAddress.getByAddress(new byte[4]), 8080, clock::get);
        try {
            OkHttpClient ok = new OkHttpClient.Builder().socketFactory(StackSocketFactory.of(v.client)).build();
            String url = "http://10.0.0.2:8080";
            String sessionCookie;
            try (Response r = ok.newCall(new Request.Builder().url(url + "/api/login").post(okhttp3.RequestBody.create(
                    "{\"password\": \"" + PASSWORD + "\"}", okhttp3.MediaType.get("application/json"))).build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                sessionCookie = r.header("Set-Cookie").split(";")[0];
            }
            v.appliance.onLoop(() -> v.client.tcp().connect(org.jnetstack.wire.Ipv4Address.parseBits("10.0.0.2"), 7,
                    new org.jnetstack.tcp.TcpHandler() { }));
            for (int i = 0; i < 500 && tcpPorts(v.ring.toByteArray()).stream().noneMatch(p -> p == 7); i++) {
                Thread.sleep(10);
            }
            assertThat(tcpPorts(v.ring.toByteArray())).as("the ring itself holds the login").contains(8080);

            byte[] filtered;
            try (Response r = ok.newCall(new Request.Builder().url(url + "/api/pcap").header("Cookie", sessionCookie).build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.header("X-Capture-Filter")).contains("TCP port 8080").contains("left out").contains("include_admin=1");
                filtered = r.body().bytes();
            }
            byte[] all;
            try (Response r = ok.newCall(new Request.Builder().url(url + "/api/pcap?include_admin=1").header("Cookie", sessionCookie)
                    .build()).execute()) {
                all = r.body().bytes();
            }

            assertThat(tcpPorts(filtered)).as("no frame to or from the admin port").doesNotContain(8080).contains(7);
            assertThat(new String(filtered, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(PASSWORD)
                    .doesNotContain(sessionCookie);
            assertThat(tcpPorts(all)).contains(8080, 7);
            assertThat(new String(all, java.nio.charset.StandardCharsets.ISO_8859_1)).as("asked for").contains(sessionCookie);
        } finally {
            overStack.closeNow();
        }
    }

    /** The TCP ports (source and destination) of a pcap file's Ethernet/IPv4 frames, read at their fixed offsets. */
    private static List<Integer> tcpPorts(byte[] pcap) {
        List<Integer> ports = new java.util.ArrayList<>();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pcap);
        b.position(24);
        while (b.remaining() >= 16) {
            b.position(b.position() + 8);
            int captured = b.getInt();
            b.getInt();
            int frame = b.position();
            if (captured >= 38 && b.getShort(frame + 12) == 0x0800 && b.get(frame + 23) == 6) {
                int ip = (b.get(frame + 14) & 0x0F) * 4;
                ports.add(b.getShort(frame + 14 + ip) & 0xFFFF);
                ports.add(b.getShort(frame + 16 + ip) & 0xFFFF);
            }
            b.position(frame + captured);
        }
        return ports;
    }

    @Test
    void overTheStacksOwnTcpAHeaderBombIs431ASlowHeadIs408AndThePageStillAnswers() throws Exception {
        start("head_timeout_ms = 300\n");
        AdminServer overStack = new AdminServer(v.appliance, StackServerSocketFactory.of(v.server),
                InetAddress.getByAddress(new byte[4]), 8080, clock::get);
        try {
            javax.net.SocketFactory sockets = StackSocketFactory.of(v.client);
            try (java.net.Socket bomb = sockets.createSocket("10.0.0.2", 8080)) {
                bomb.setSoTimeout(20_000);
                java.io.OutputStream out = bomb.getOutputStream();
                out.write("GET /api/session HTTP/1.1\r\nHost: 10.0.0.2\r\nX-Bomb: ".getBytes());
                byte[] chunk = "a".repeat(1024).getBytes();
                for (int i = 0; i < 9; i++) {
                    out.write(chunk);
                }
                out.flush();
                assertThat(new String(bomb.getInputStream().readNBytes(12))).isEqualTo("HTTP/1.1 431");
            }
            try (java.net.Socket slow = sockets.createSocket("10.0.0.2", 8080)) {
                slow.setSoTimeout(20_000);
                java.io.OutputStream out = slow.getOutputStream();
                out.write("GET /api/session HTTP/1.1\r\nHost: 10.0.0.2\r\nX-Slow: ".getBytes());
                out.flush();
                java.io.InputStream in = slow.getInputStream();
                int first = -1;
                for (int i = 0; i < 10_000 && first < 0; i++) { // a byte at a time until the server answers
                    out.write('a');
                    out.flush();
                    if (in.available() > 0 || i % 10 == 9 && waitReadable(slow)) {
                        first = in.read();
                    }
                }
                assertThat((char) first + new String(in.readNBytes(11))).isEqualTo("HTTP/1.1 408");
            }
            OkHttpClient ok = new OkHttpClient.Builder().socketFactory(sockets).build();
            try (Response r = ok.newCall(new Request.Builder().url("http://10.0.0.2:8080/api/session").build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
            }
            assertThat(overStack.connectionCounters()).containsEntry("tooLarge", 1L).containsEntry("headTimeouts", 1L);
        } finally {
            overStack.closeNow();
        }
    }

    /** Whether {@code s} has a byte to read within a short pause (a pacing wait, not a threshold: the loop just trickles on). */
    private static boolean waitReadable(java.net.Socket s) throws Exception {
        Thread.sleep(20);
        return s.getInputStream().available() > 0;
    }
}
