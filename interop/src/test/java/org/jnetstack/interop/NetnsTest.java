package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: what it sets up is where it should be, and it leaves nothing behind. */
class NetnsTest {
    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "tshark", "ping");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).as("namespaces left by this JVM").isEmpty();
        assertThat(Netns.leftoverRootLinks()).as("TAPs left in the root namespace").isEmpty();
    }

    @Test
    void kernelSideOfTheTapIsConfiguredInsideTheNamespaceOnly() {
        String tap = Netns.uniqueTapName();
        try (Netns ns = Netns.create()) {
            ns.createTap(tap, "10.0.0.1/24");

            assertThat(ns.exec("ip", "-o", "-4", "addr", "show", "dev", tap)).contains("inet 10.0.0.1/24");
            int flags = Integer.decode(ns.exec("cat", "/sys/class/net/" + tap + "/tun_flags").trim());
            assertThat(flags & 0x1003).as("IFF_TAP | IFF_NO_PI, which the stack attaches with").isEqualTo(0x1002);
            assertThat(Path.of("/sys/class/net", tap)).as("not in the root namespace").doesNotExist();
        }
    }

    @Test
    void closeRemovesEverythingEvenWhenTheTestFails() {
        String tap = Netns.uniqueTapName();
        AtomicReference<Netns> created = new AtomicReference<>();
        AtomicReference<Background> sleeper = new AtomicReference<>();

        assertThatThrownBy(() -> {
            try (Netns ns = Netns.create()) {
                created.set(ns);
                ns.createTap(tap, "10.0.0.1/24");
                sleeper.set(ns.spawn("sleep", "600"));
                throw new IllegalStateException("the test failed here");
            }
        }).hasMessage("the test failed here");

        assertThat(Netns.namespaces()).doesNotContain(created.get().name());
        assertThat(sleeper.get().isAlive()).as("process started in the namespace").isFalse();
    }

    @Test
    void captureRecordsTrafficInTheNamespace(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("lo.pcap");
        try (Netns ns = Netns.create()) {
            Capture capture = Capture.start(ns, "lo", pcap);
            CommandResult ping = ns.run(Duration.ofSeconds(30), "ping", "-c", "2", "-i", "0.2", "127.0.0.1");
            capture.stop();

            assertThat(ping.ok()).as(ping.describe()).isTrue();
        }
        assertThat(Files.size(pcap)).isPositive();
        assertThat(Tshark.count(pcap, "icmp.type == 8")).isEqualTo(2);
        assertThat(Tshark.count(pcap, "icmp.type == 0")).isEqualTo(2);
        assertThat(Tshark.problems(pcap)).isEmpty();
    }
}
