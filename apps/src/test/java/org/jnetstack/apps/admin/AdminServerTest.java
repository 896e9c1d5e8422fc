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
    void failedLoginsAreThrottledPerClient() throws Exception {
        start("");
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(login("wrong password").statusCode()).isEqualTo(403);
        }

        HttpResponse<String> locked = login(PASSWORD);

        assertThat(locked.statusCode()).as("even the right password waits").isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).hasValue("1");
        clock.addAndGet(1_000_000_000L);
        assertThat(login("wrong again").statusCode()).isEqualTo(403);
        assertThat(login(PASSWORD).statusCode()).as("the next wait doubled").isEqualTo(429);
        clock.addAndGet(2_000_000_000L);
        assertThat(login(PASSWORD).statusCode()).isEqualTo(200);
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
}
