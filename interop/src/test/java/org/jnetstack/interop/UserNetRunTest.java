package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user-mode network as a newcomer meets it, each jns a process of its own: {@code ./jns run}
 * alone (the appliance leases 10.0.2.15 from the gateway's DHCP server; the host's curl and nc
 * reach its admin page and echo through the printed forwards), {@code interface.type = "usernet"}
 * in a config file, and {@code jns http} fetching from a server on the host's 127.0.0.1 through
 * the NAT. The user-mode network itself needs no root: the namespace (root) only keeps the host
 * ports these tests take away from the machine's own.
 */
class UserNetRunTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void needsRootForTheNamespace() {
        Requirements.rootWithTap("ip", "sysctl", "curl", "nc", "python3");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void jnsRunAloneLeasesItsAddressAndIsReachableThroughItsForwards() throws Exception {
        try (Netns ns = Netns.create()) {
            Background jns = ns.spawn(Jns.command("run"));
            String up = jns.awaitLine(l -> l.startsWith("jns: up: "), WAIT);
            assertThat(up).contains("10.0.2.15/24 (DHCP) on the user-mode network");
            jns.awaitLine(l -> l.startsWith("jns: forward 127.0.0.1:8080 -> port 80"), WAIT);
            jns.awaitLine(l -> l.startsWith("jns: forward 127.0.0.1:7777 -> port 7"), WAIT);

            CommandResult page = ns.run(WAIT, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:8080/");
            assertThat(page.stdout()).as(page.describe()).matches("200|30[23]|401");
            CommandResult echo = ns.run(WAIT, "sh", "-c", "echo through-the-forward | nc -N -w 10 127.0.0.1 7777");
            assertThat(echo.stdout().trim()).as(echo.describe()).isEqualTo("through-the-forward");
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    @Test
    void jnsRunIsDualStackKeepsItsIpv6AddressAcrossRestartsAndCurl6ReachesAnIpv6Forward(@TempDir Path dir) throws Exception {
        java.util.regex.Pattern v6 = java.util.regex.Pattern.compile("IPv6 (fd[0-9a-f:]+/64) \\(SLAAC\\)");
        String address = null;
        try (Netns ns = Netns.create()) {
            for (String sysctl : new String[] {"all", "default", "lo"}) {
                ns.exec("sysctl", "-qw", "net.ipv6.conf." + sysctl + ".disable_ipv6=0"); // the host's [::1] in the namespace
            }
            for (int start = 0; start < 2; start++) {
                try (Background jns = ns.spawn(Jns.command(java.util.List.of("-Djns.state.dir=" + dir), "run",
                        "--forward", "tcp:[::1]:8080:80"))) {
                    String up = jns.awaitLine(l -> l.startsWith("jns: up: "), WAIT);
                    java.util.regex.Matcher m = v6.matcher(up);
                    assertThat(m.find()).as("the up line shows the SLAAC address: %s", up).isTrue();
                    if (address == null) {
                        address = m.group(1);
                        assertThat(jns.output()).contains("jns: stored a new IPv6 stable-address secret (RFC 7217) in "
                                + dir.resolve("ipv6-secret"));
                    } else {
                        assertThat(m.group(1)).as("the same IPv6 address after a restart").isEqualTo(address);
                    }
                    jns.awaitLine(l -> l.startsWith("jns: forward [::1]:8080 -> port 80 (admin page: http://[::1]:8080/)"), WAIT);
                    CommandResult page = ns.run(WAIT, "curl", "-6", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://[::1]:8080/");
                    assertThat(page.stdout()).as(page.describe()).matches("200|30[23]|401");
                    jns.signal("TERM");
                    jns.awaitExit(WAIT);
                }
            }
        }
    }

    @Test
    void aUserNetConfigFileGetsItsAddressByDhcp(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("jns.toml");
        Files.writeString(config, """
                [interface]
                type = "usernet"
                [echo]
                enabled = true
                port = 7
                """);
        try (Netns ns = Netns.create()) {
            Background jns = ns.spawn(Jns.command("run", "--config", config.toString()));
            assertThat(jns.awaitLine(l -> l.startsWith("jns: up: "), WAIT)).contains("10.0.2.15/24 (DHCP) on the user-mode network");
            jns.awaitLine(l -> l.startsWith("jns: forward 127.0.0.1:7777 -> port 7"), WAIT);
            CommandResult echo = ns.run(WAIT, "sh", "-c", "echo from-the-file | nc -N -w 10 127.0.0.1 7777");
            assertThat(echo.stdout().trim()).as(echo.describe()).isEqualTo("from-the-file");
        }
    }

    @Test
    void jnsHttpFetchesFromTheHostsLoopbackThroughTheNat(@TempDir Path dir) throws Exception {
        byte[] blob = new byte[2_000_000];
        new java.util.Random(6).nextBytes(blob);
        Files.write(dir.resolve("blob.bin"), blob);
        Path out = dir.resolve("fetched.bin");
        try (Netns ns = Netns.create()) {
            Background server = ns.spawn("python3", "-u", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", dir.toString());
            server.awaitLine(l -> l.contains("Serving HTTP"), WAIT);
            CommandResult get = ns.run(WAIT, Jns.command("http", "-o", out.toString(), "http://10.0.2.2:8000/blob.bin"));
            assertThat(get.ok()).as(get.describe()).isTrue();
            assertThat(get.stderr()).contains("DHCP lease 10.0.2.15/24");
            assertThat(Files.readAllBytes(out)).isEqualTo(blob);
            // The host's server saw the gateway's host socket: a client on loopback.
            assertThat(server.awaitLine(l -> l.contains("GET /blob.bin"), WAIT)).startsWith("127.0.0.1");
        }
    }
}
