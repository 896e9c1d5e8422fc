package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jns gateway --ipv6-prefix / --no-ipv6}: documented in the help, bad input a usage error naming the accepted form. */
class GatewayIpv6OptionsTest {

    @Test
    void theHelpDocumentsBothOptions() {
        CliRun r = CliRun.of("gateway", "--help");
        assertThat(r.out()).contains("--ipv6-prefix PREFIX/64", "--no-ipv6", "unique local prefix", "router advertisements");
    }

    @Test
    void aPrefixThatIsNotA64IsAUsageErrorNamingTheAcceptedForm(@TempDir Path dir) {
        String sock = dir.resolve("g.sock").toString();
        for (String bad : new String[] {"fd12:3456:789a:1::/48", "fd12:3456:789a:1::1/64", "fe80::/64", "fd12::"}) {
            CliRun r = CliRun.of("gateway", "--qemu", sock, "--ipv6-prefix", bad);
            assertThat(r.status()).as(bad).isEqualTo(Main.USAGE);
            assertThat(r.err()).as(bad).contains("invalid IPv6 prefix '" + bad + "'").contains("PREFIX/64")
                    .contains("fd12:3456:789a:1::/64");
        }
    }

    @Test
    void bothOptionsTogetherOrAnMtuBelow1280WithIpv6AreUsageErrors(@TempDir Path dir) {
        String sock = dir.resolve("g.sock").toString();
        CliRun both = CliRun.of("gateway", "--qemu", sock, "--ipv6-prefix", "fd12:3456:789a:1::/64", "--no-ipv6");
        assertThat(both.status()).isEqualTo(Main.USAGE);
        assertThat(both.err()).contains("--ipv6-prefix and --no-ipv6");
        CliRun mtu = CliRun.of("gateway", "--qemu", sock, "--mtu", "1000");
        assertThat(mtu.status()).isEqualTo(Main.USAGE);
        assertThat(mtu.err()).contains("1280").contains("--no-ipv6");
    }
}
