package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.apps.echo.UdpEchoService;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack embedded in this JVM (as a library user embeds it) on a TAP moved into a
 * namespace, with the kernel as peer: ping and UDP echo, checked from both sides — the kernel
 * tools' results and the stack's own counters.
 */
class InProcessStackTest {
    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "ping", "python3", "tshark");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void kernelPingsAndEchoesThroughAnEmbeddedStack(@TempDir Path dir) throws Exception {
        String tapName = Netns.uniqueTapName();
        try (Netns ns = Netns.create(); EventLoop loop = EventLoop.system()) {
            TapDevice tap = TapDevice.open(tapName);
            NetStack stack = NetStack.builder(loop).device(tap).address(Ipv4Address.parse("10.0.0.2"), 24).name("embedded").build();
            UdpEchoService echo = UdpEchoService.open(stack, UdpEchoService.PORT);
            loop.start("interop-loop");
            ns.adoptTap(tapName, "10.0.0.1/24");
            Capture capture = Capture.start(ns, tapName, dir.resolve("embedded.pcap"));

            CommandResult ping = ns.run(Duration.ofMinutes(1), "ping", "-n", "-c", "3", "-i", "0.2", "-w", "30", "10.0.0.2");
            CommandResult udp = UdpEchoClient.run(ns, "10.0.0.2", 7, 1, 1472, 1473, 8000);
            long echoed = onLoop(loop, echo::echoed);
            Path pcap = capture.stop();

            assertThat(ping.stdout()).as(ping.describe()).contains("3 packets transmitted, 3 received, 0% packet loss");
            assertThat(udp.exitStatus()).as(udp.describe()).isZero();
            assertThat(echoed).as("datagrams the echo service sent back").isEqualTo(4);
            assertThat(stack.counters().snapshot()).isNotEmpty();
            assertThat(Tshark.problems(pcap)).isEmpty();
            assertThat(Tshark.count(pcap, "udp.srcport == 7")).isEqualTo(4);
        }
    }

    private static <T> T onLoop(EventLoop loop, java.util.function.Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(s.get()));
        return f.get(10, TimeUnit.SECONDS);
    }
}
