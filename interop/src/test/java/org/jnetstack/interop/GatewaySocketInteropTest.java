package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.jnetstack.testing.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance on a running {@code jns gateway}'s network ({@code jns run --gateway-socket} and
 * {@code [interface] type = "gateway"}): it gets its lease from that gateway's DHCP server, and a
 * host client reaches its echo service through the gateway's {@code --forward}; restarted on the
 * same socket it gets the same address back, so the forward still reaches it. No root needed.
 */
@Timeout(180)
class GatewaySocketInteropTest {

    @Test
    void theApplianceJoinsTheGatewaysNetworkAndIsReachedThroughItsForward(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("appliance.sock");
        int port = freePort();
        try (Background gateway = new Background("jns gateway", new ProcessBuilder(Jns.command("gateway",
                "--qemu", socket.toString(), "--forward", "tcp:" + port + ":7")).redirectErrorStream(true).start())) {
            gateway.awaitLine(l -> l.startsWith("jns gateway: forward"), Duration.ofSeconds(60));

            try (Background appliance = new Background("jns run --gateway-socket", new ProcessBuilder(Jns.command("run",
                    "--gateway-socket", socket.toString(), "--echo")).redirectErrorStream(true).start())) {
                String up = appliance.awaitLine(l -> l.startsWith("jns: up:"), Duration.ofSeconds(60));
                assertThat(up).contains("10.0.2.15/24 (DHCP from 10.0.2.2) on the network of the jns gateway at " + socket);
                assertThat(appliance.output()).contains("jns: DHCP lease 10.0.2.15/24 router 10.0.2.2 dns 10.0.2.3");
                assertEchoes(port, 1 << 20, 1);
                appliance.signal("TERM");
                appliance.awaitExit(Duration.ofSeconds(30));
            }

            // The same socket in the config file: the same MAC, so the same lease, and the forward still reaches it.
            Path config = dir.resolve("appliance.toml");
            Files.writeString(config, """
                    [interface]
                    type = "gateway"
                    socket = "%s"

                    [echo]
                    enabled = true
                    """.formatted(socket));
            try (Background appliance = new Background("jns run --config", new ProcessBuilder(Jns.command("run",
                    "--config", config.toString())).redirectErrorStream(true).start())) {
                String up = appliance.awaitLine(l -> l.startsWith("jns: up:"), Duration.ofSeconds(60));
                assertThat(up).as("restarted on the same socket: the same address").contains("10.0.2.15/24 (DHCP from 10.0.2.2)");
                assertEchoes(port, 100_000, 2);
            }
        }
    }

    /** Sends {@code size} random bytes through the forward to the appliance's echo and checks they come back byte-exact. */
    private static void assertEchoes(int port, int size, long seed) throws Exception {
        byte[] sent = new byte[size];
        new Random(seed).nextBytes(sent);
        AssertionError last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write(sent);
                        s.shutdownOutput();
                    } catch (java.io.IOException e) {
                        // the reader sees the short answer
                    }
                });
                InputStream in = s.getInputStream();
                byte[] back = in.readAllBytes();
                writer.join();
                assertThat(back.length).as("bytes echoed").isEqualTo(size);
                assertThat(Arrays.equals(back, sent)).as("echoed byte-exact").isTrue();
                return;
            } catch (java.io.IOException | AssertionError e) {
                // the appliance's echo may not listen yet right after "up"
                last = e instanceof AssertionError a ? a : new AssertionError("through the forward: " + e, e);
                Thread.sleep(250);
            }
        }
        throw last;
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
