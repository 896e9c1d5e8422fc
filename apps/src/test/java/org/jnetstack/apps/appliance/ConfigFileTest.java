package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    private static final String FILE = """
            # written by a human
            [interface]
            name = "jns0"  # kernel side gets 10.0.0.1

            [addressing]
            address = "10.0.0.2/24"

            [echo]
            enabled = false  # off for now
            """;

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path p = dir.resolve("jns.toml");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aChangeIsWrittenBackKeepingTheHumansLines() throws IOException {
        Path p = write(FILE);
        ConfigFile f = ConfigFile.load(p, Map.of());

        ApplianceConfig c = f.change(Map.of("echo.enabled", true, "echo.port", 7007));

        assertThat(c.echo()).isEqualTo(new ApplianceConfig.Service(true, 7007));
        assertThat(f.current()).isEqualTo(c);
        assertThat(Files.readString(p)).isEqualTo(FILE.replace("enabled = false  # off for now",
                "enabled = true  # off for now\nport = 7007"));
        assertThat(ConfigFile.load(p, Map.of()).current()).isEqualTo(c);
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(p);
        }
    }

    @Test
    void anInvalidChangeWritesNothingAndChangesNothing() throws IOException {
        Path p = write(FILE);
        ConfigFile f = ConfigFile.load(p, Map.of());
        ApplianceConfig before = f.current();

        assertThatThrownBy(() -> f.change(Map.of("addressing.address", "10.0.0.2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("[addressing] address = \"10.0.0.2\"");

        assertThat(Files.readString(p)).isEqualTo(FILE);
        assertThat(f.current()).isEqualTo(before);
    }

    @Test
    void commandLineOverridesWinButAreNeverWrittenToTheFile() throws IOException {
        Path p = write(FILE);
        ConfigFile f = ConfigFile.load(p, Map.of("addressing.address", "10.9.0.2/16", "echo.enabled", true));

        assertThat(f.current().addressing().address()).hasToString("10.9.0.2/16");
        assertThat(f.current().echo().enabled()).isTrue();
        assertThat(f.overridden("echo.enabled")).isTrue();

        f.change(Map.of("discard.enabled", true));

        String text = Files.readString(p);
        assertThat(text).contains("address = \"10.0.0.2/24\"").contains("enabled = false  # off for now")
                .contains("[discard]\nenabled = true");
        assertThat(f.current().addressing().address()).as("the override still wins").hasToString("10.9.0.2/16");
    }

    @Test
    void aPlainPasswordIsReplacedByItsHash() throws IOException {
        Path p = write(FILE + "\n[admin]\npassword = \"correct horse\"\n");
        ConfigFile f = ConfigFile.load(p, Map.of());

        assertThat(f.hashPlainPassword()).isTrue();

        String text = Files.readString(p);
        assertThat(text).doesNotContain("correct horse").doesNotContain("password =");
        ApplianceConfig c = ConfigFile.load(p, Map.of()).current();
        assertThat(PasswordHash.verify("correct horse", c.admin().passwordHash())).isTrue();
        assertThat(PasswordHash.verify("correct horsf", c.admin().passwordHash())).isFalse();
        assertThat(f.hashPlainPassword()).as("nothing left to hash").isFalse();
    }

    @Test
    void aPlainSerialPasswordIsReplacedByItsHash() throws IOException {
        Path p = write(FILE + "\n[serial]\ndevice = \"/dev/ttyS0\"\npassword = \"correct horse\"\nread = \"authenticated\"\n");
        ConfigFile f = ConfigFile.load(p, Map.of());

        assertThat(f.hashPlainPassword()).as("the admin table has none").isFalse();
        assertThat(f.hashPlainSerialPassword()).isTrue();

        String text = Files.readString(p);
        assertThat(text).doesNotContain("correct horse").doesNotContain("password =").contains("read = \"authenticated\"");
        ApplianceConfig.SerialLogin login = ConfigFile.load(p, Map.of()).current().serial().login();
        assertThat(login.password()).isNull();
        assertThat(login.outputNeedsLogin()).isTrue();
        assertThat(PasswordHash.verify("correct horse", login.passwordHash())).isTrue();
        assertThat(PasswordHash.verify("correct horsf", login.passwordHash())).isFalse();
        assertThat(f.hashPlainSerialPassword()).as("nothing left to hash").isFalse();
    }

    @Test
    void loadErrorsNameTheFile() throws IOException {
        Path p = write("[interface]\nname = jns0\n");

        assertThatThrownBy(() -> ConfigFile.load(p, new HashMap<>()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(p + ": line 2: 'jns0' is not a value");
        assertThatThrownBy(() -> ConfigFile.load(dir.resolve("missing.toml"), Map.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("does not exist");
    }
}
