package org.jnetstack.apps.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jnetstack.apps.appliance.ConfigReader;
import org.jnetstack.apps.appliance.TomlDocument;
import org.jnetstack.apps.appliance.VirtualAppliance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [tftp]} in the config file: read into TftpOptions, and changed live like any service. */
class TftpFromConfigTest {
    @TempDir
    Path dir;

    @Test
    void theConfigDefaultsAreTheServersDefaults() {
        assertThat(ConfigReader.DEFAULT_TFTP_PORT).isEqualTo(TftpOptions.DEFAULT_PORT);
        assertThat(ConfigReader.DEFAULT_TFTP_MAX_WRITE).isEqualTo(TftpOptions.DEFAULT_MAX_WRITE_BYTES);
    }

    @Test
    void everyKeyReachesTheServersOptions() throws Exception {
        String base = VirtualAppliance.BASE + "[tftp]\nroot = \"" + dir + "\"\n";
        TftpOptions o = TftpApplianceService.options(ConfigReader.read(TomlDocument.parse(base
                + "write = true\nmax_write = 1000\nport = 1069\n")));
        assertThat(o.root()).isEqualTo(dir);
        assertThat(o.writable()).isTrue();
        assertThat(o.maxWriteBytes()).isEqualTo(1000);
        assertThat(o.port()).isEqualTo(1069);
        assertThat(TftpApplianceService.options(ConfigReader.read(TomlDocument.parse(base + "enabled = false\n")))).isNull();
    }

    @Test
    void aChangeMovesTheServerAndTurnsItOff() throws Exception {
        Path served = Files.createDirectory(dir.resolve("served"));
        try (VirtualAppliance v = new VirtualAppliance(dir, VirtualAppliance.BASE + "[tftp]\nroot = \"" + served + "\"\n",
                List.of(TftpApplianceService.FROM_CONFIG))) {
            assertThat(v.appliance.listening()).containsExactly("TFTP on UDP 10.0.0.2:69 (" + served.toRealPath() + ", read-only)");

            v.appliance.change(Map.of("tftp.port", 1069L, "tftp.write", true));
            assertThat(v.appliance.listening()).containsExactly("TFTP on UDP 10.0.0.2:1069 (" + served.toRealPath() + ", read-write)");
            assertThat(v.appliance.onLoop(() -> v.server.udp().endpoints().stream().map(e -> e.localPort()).toList()))
                    .containsExactly(1069);
            assertThat(Files.readString(v.file)).contains("port = 1069").contains("write = true");

            v.appliance.change(Map.of("tftp.enabled", false));
            assertThat(v.appliance.listening()).isEmpty();
            assertThat(v.appliance.onLoop(() -> v.server.udp().endpoints().size())).isZero();
        }
    }
}
