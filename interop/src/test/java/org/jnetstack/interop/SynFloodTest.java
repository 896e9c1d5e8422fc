package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.apps.echo.TcpEchoService;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hping3 floods the stack's echo port with SYNs for 10 s from a spoofed address on the link that
 * never answers (so every SYN would stay half-open) while a 20 MB echo transfer runs: the
 * transfer completes intact, new connections are still accepted, and the connection table
 * stays bounded. With the default per-source limit the flooder's SYNs beyond
 * {@link TcpConfig#maxHalfOpenPerSource()} are dropped and counted, and the SYN queue never
 * fills; with that limit lifted — the spoofed address standing for a flood from many addresses,
 * which is what SYN cookies are for — the SYN queue fills and SYN cookies (RFC 4987) let new
 * clients in.
 */
class SynFloodTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final String SPOOFED = "10.0.0.99";
    private static final long SIZE = 20L * 1024 * 1024;

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "hping3");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void aFloodFromOneSourceIsHeldToItsHalfOpenLimit(@TempDir Path dir) throws Exception {
        Path data = KernelTcp.randomFile(dir, "data", SIZE, 13);
        Path small = KernelTcp.randomFile(dir, "small", 10_000, 14);
        Path client = KernelTcp.script(dir, "client.py", KernelTcp.CLIENT);
        TcpConfig config = TcpConfig.defaults();
        try (Netns ns = Netns.create();
                EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, config, tap -> tap)) {
            e.onLoopBeforeStart(() -> TcpEchoService.open(e.stack, TcpEchoService.PORT));
            e.start();

            // once the flooder is at its limit, another client must still get in
            Flooded f = flood(ns, e, client, data, small, "tcp.refused.per_source_half_open");
            int most = f.most();
            CommandResult duringFlood = f.duringFlood();
            Background transfer = f.transfer();

            KernelTcp.Result r = KernelTcp.Result.parse(transfer.output());
            assertThat(r.sha256()).as("the transfer under the flood arrived intact").isEqualTo(KernelTcp.sha256(data));
            assertThat(e.counter("tcp.refused.per_source_half_open")).as("the flooder's SYNs beyond its limit").isPositive();
            assertThat(e.counter("tcp.syn_cookies_sent")).as("the SYN queue never filled").isZero();
            assertThat(duringFlood).as("a new connection was tried while the flooder was held").isNotNull();
            assertThat(KernelTcp.Result.parse(duringFlood.stdout()).sha256()).as(duringFlood.describe())
                    .isEqualTo(KernelTcp.sha256(small));
            assertThat(most).as("connections held at once during the flood")
                    .isLessThanOrEqualTo(config.maxHalfOpenPerSource() + 8);
            System.out.printf("SYN flood from one source: %d SYNs refused over its limit, at most %d connections held%n",
                    e.counter("tcp.refused.per_source_half_open"), most);
        }
    }

    @Test
    void transferAndNewConnectionsSurviveASynFlood(@TempDir Path dir) throws Exception {
        Path data = KernelTcp.randomFile(dir, "data", SIZE, 11);
        Path small = KernelTcp.randomFile(dir, "small", 10_000, 12);
        Path client = KernelTcp.script(dir, "client.py", KernelTcp.CLIENT);
        // One spoofed address stands for a flood from many: lift the per-source limit so the SYN queue fills.
        TcpConfig config = TcpConfig.defaults().toBuilder().maxHalfOpenPerSource(1 << 20).build();
        try (Netns ns = Netns.create();
                EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, config, tap -> tap)) {
            e.onLoopBeforeStart(() -> TcpEchoService.open(e.stack, TcpEchoService.PORT));
            e.start();

            // once the SYN queue is full (cookies), a new client must still get in
            Flooded f = flood(ns, e, client, data, small, "tcp.syn_cookies_sent");
            int most = f.most();
            CommandResult duringFlood = f.duringFlood();
            Background transfer = f.transfer();
            CommandResult afterFlood = ns.run(Duration.ofMinutes(2), "python3", client.toString(), STACK, "7", small.toString());

            KernelTcp.Result r = KernelTcp.Result.parse(transfer.output());
            assertThat(r.sha256()).as("the transfer under the flood arrived intact").isEqualTo(KernelTcp.sha256(data));
            assertThat(e.counter("tcp.syn_cookies_sent")).as("SYN cookies answered once the SYN queue was full").isPositive();
            assertThat(duringFlood).as("a new connection was tried while cookies were in use").isNotNull();
            assertThat(KernelTcp.Result.parse(duringFlood.stdout()).sha256()).as(duringFlood.describe())
                    .isEqualTo(KernelTcp.sha256(small));
            assertThat(KernelTcp.Result.parse(afterFlood.stdout()).sha256()).isEqualTo(KernelTcp.sha256(small));
            assertThat(most).as("connections held at once during the flood").isLessThanOrEqualTo(config.synQueue() + 8);
            System.out.printf("SYN flood: %d SYN cookies sent, at most %d connections held, transfer at %.1f MB/s each way%n",
                    e.counter("tcp.syn_cookies_sent"), most, r.megabytesPerSecond());
        }
    }

    /** What {@link #flood} saw: the most connections held at once, the client tried meanwhile, the transfer. */
    private record Flooded(int most, CommandResult duringFlood, Background transfer) {
    }

    /**
     * Runs a 10 s hping3 SYN flood from {@link #SPOOFED} during a transfer of {@code data}; once
     * {@code counter} moves, one more client sends {@code small}. Returns after the flood stopped
     * and the transfer ended with status 0.
     */
    private static Flooded flood(Netns ns, EmbeddedTcp e, Path client, Path data, Path small, String counter)
            throws Exception {
        Background transfer = ns.spawn("python3", client.toString(), STACK, "7", data.toString());
        Background flood = ns.spawn("hping3", "-q", "-S", "-p", "7", "--flood", "-a", SPOOFED, STACK);
        int most = 0;
        CommandResult duringFlood = null;
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            most = Math.max(most, e.onLoop(() -> e.stack.tcp().connections().size()));
            if (duringFlood == null && e.counter(counter) > 0) {
                duringFlood = ns.run(Duration.ofMinutes(2), "python3", client.toString(), STACK, "7", small.toString());
            }
            Thread.sleep(100);
        }
        flood.signal("INT");
        flood.awaitExit(Duration.ofSeconds(30));
        assertThat(transfer.awaitExit(Duration.ofMinutes(5))).as(transfer.output()).isZero();
        return new Flooded(most, duringFlood, transfer);
    }
}
