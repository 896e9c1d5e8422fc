package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jnetstack.apps.appliance.ConfigFile;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jns run --config}: an invalid file starts nothing; the sample in examples/ is valid. */
class RunConfigTest {
    @TempDir
    Path dir;

    @Test
    void anInvalidFileIsAUsageErrorListingEveryProblemAndNothingStarts() throws Exception {
        Path p = dir.resolve("bad.toml");
        Files.writeString(p, "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n[echo]\nport = 0\n[admni]\n");

        CliRun r = CliRun.of("run", "--config", p.toString());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("invalid configuration")
                .contains(p + ": [echo] port = 0 (line 6): expected a whole number 1-65535")
                .contains(p + ": unknown table [admni]");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void commandLineOptionsAreCheckedAgainstTheFile() throws Exception {
        Path p = dir.resolve("jns.toml");
        Files.writeString(p, "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n");

        CliRun r = CliRun.of("run", "--config", p.toString(), "--gateway", "10.0.1.1");

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("[addressing] gateway = \"10.0.1.1\"").contains("not on the network of address 10.0.0.2/24");
    }

    @Test
    void theCommentedSampleIsValid() throws Exception {
        Path sample = Path.of(System.getenv().getOrDefault("JNS_ROOT", "..")).resolve("examples/appliance.toml");
        Path copy = dir.resolve("appliance.toml");
        Files.copy(sample, copy);

        ApplianceConfig c = ConfigFile.load(copy, java.util.Map.of()).current();

        assertThat(c.iface().name()).isEqualTo("jns0");
        assertThat(c.admin().enabled()).isTrue();
        assertThat(c.echo().enabled()).isTrue();
    }
}
