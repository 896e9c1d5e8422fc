package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jns gateway}'s command line: bad input is a usage error that names the problem and the accepted forms. */
class GatewayCommandTest {

    @Test
    void withoutASocketItSaysWhatIsMissing() {
        CliRun r = CliRun.of("gateway");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--qemu PATH|tcp:[HOST:]PORT").contains("--netns PATH|PID");
    }

    @Test
    void aNamespaceAndGuestsInOneGatewayAreRefusedWithTheWayOut(@TempDir Path dir) {
        CliRun r = CliRun.of("gateway", "--netns", "/run/netns/x", "--qemu", dir.resolve("g.sock").toString());
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--netns cannot be combined with --qemu").contains("run one gateway for the namespace");
    }

    @Test
    void aMissingNamespaceIsAFailureNamingTheAcceptedForms(@TempDir Path dir) {
        CliRun r = CliRun.of("gateway", "--netns", dir.resolve("no-such-ns").toString());
        assertThat(r.status()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("does not exist").contains("/run/netns/NAME, /proc/PID/ns/net or a PID");
    }

    @Test
    void aMalformedTcpEndpointNamesTheAcceptedForms() {
        CliRun r = CliRun.of("gateway", "--qemu", "tcp:127.0.0.1:port");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("invalid --qemu 'tcp:127.0.0.1:port'").contains("PATH or tcp:[HOST:]PORT");
        assertThat(CliRun.of("gateway", "--qemu", "tcp:70000").err()).contains("port must be 0-65535");
    }

    @Test
    void aMalformedForwardOrNetworkIsAUsageError(@TempDir Path dir) {
        String sock = dir.resolve("g.sock").toString();
        CliRun r = CliRun.of("gateway", "--qemu", sock, "--forward", "sctp:53:53");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("expected tcp:[HOSTADDR:]HOSTPORT:GUESTPORT or udp:");
        CliRun n = CliRun.of("gateway", "--qemu", sock, "--network", "10.0.2.0");
        assertThat(n.status()).isEqualTo(Main.USAGE);
        assertThat(n.err()).contains("expected NETWORK/PREFIX");
        assertThat(CliRun.of("gateway", "--qemu", sock, "--mtu", "100").err()).contains("MTU must be 576-65535");
    }

    @Test
    void aPathThatIsNotASocketIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        CliRun r = CliRun.of("gateway", "--qemu", plain.toString());
        assertThat(r.status()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("exists and is not a socket");
        assertThat(plain).exists();
    }
}
