package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns run --config FILE} with {@code mode = "dhcp"} against dnsmasq in a namespace: the
 * appliance takes its address from the lease, tells the server its {@code hostname}, serves the
 * admin page on the leased address, and the page's status (public here) shows the lease.
 */
class ApplianceOnDhcpTest {
    private static final String KERNEL = "10.0.0.1";

    @BeforeAll
    static void needsRootDnsmasqAndCurl() {
        Requirements.rootWithTap("ip", "sysctl", "dnsmasq", "curl");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void theAdminPageShowsTheLeaseAndTheServerKnowsTheHostName(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path leases = dir.resolve("leases");
            Background dnsmasq = ns.spawn("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--pid-file=" + dir.resolve("dnsmasq.pid"), "--interface=" + tap, "--bind-interfaces", "--log-facility=-",
                    "--port=0", "--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,10m", "--dhcp-leasefile=" + leases,
                    "--dhcp-option=option:dns-server," + KERNEL, "--dhcp-option=option:router," + KERNEL);
            dnsmasq.awaitLine(l -> l.contains("DHCP, sockets bound exclusively"), Duration.ofSeconds(30));
            Path config = dir.resolve("jns.toml");
            Files.writeString(config, """
                    [interface]
                    name = "%s"
                    [addressing]
                    mode = "dhcp"
                    hostname = "appliance-7"
                    [admin]
                    port = 80
                    password = "dhcp-test-password"
                    public_status = true
                    """.formatted(tap));

            Background jns = ns.spawn(Jns.command("run", "--config", config.toString()));
            String line = jns.awaitLine(l -> l.startsWith("jns: admin page on http://"), Duration.ofSeconds(90));
            Matcher m = Pattern.compile("jns: admin page on http://(10\\.0\\.0\\.(5\\d|60)):80/.*").matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            String leased = m.group(1);

            CommandResult curl = ns.run(Duration.ofSeconds(60), "curl", "-sS", "--fail", "http://" + leased + "/api/status");
            assertThat(curl.exitStatus()).as(curl.describe()).isZero();
            JsonNode addressing = new ObjectMapper().readTree(curl.stdout()).get("addressing");
            assertThat(addressing.get("mode").asText()).isEqualTo("dhcp");
            JsonNode lease = addressing.get("lease");
            assertThat(lease.get("address").asText()).isEqualTo(leased + "/24");
            assertThat(lease.get("router").asText()).isEqualTo(KERNEL);
            assertThat(lease.get("dns").get(0).asText()).isEqualTo(KERNEL);
            assertThat(lease.get("server").asText()).isEqualTo(KERNEL);
            assertThat(lease.get("leaseSeconds").asLong()).isEqualTo(600);

            assertThat(Files.readString(leases)).as("dnsmasq's lease file").contains(" " + leased + " appliance-7 ");
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }
}
