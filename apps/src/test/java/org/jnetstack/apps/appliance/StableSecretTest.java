package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RFC 7217 secret is kept where the appliance keeps its configuration, and the same one comes back. */
class StableSecretTest {
    private static final Map<String, Object> USERNET = Map.of("interface.type", "usernet");

    @TempDir
    Path dir;

    @Test
    void withAConfigFileTheSecretIsWrittenIntoItOnceAndReadBackAfterwards() throws Exception {
        Path p = Files.writeString(dir.resolve("appliance.toml"), "# my appliance\n[interface]\ntype = \"usernet\"\n");
        Path state = dir.resolve("state/ipv6-secret");
        StableSecret.Obtained first = StableSecret.obtain(ConfigFile.load(p, Map.of()), state);
        assertThat(first.secret()).matches("[0-9a-f]{32}");
        assertThat(first.storedIn()).isEqualTo(p);
        assertThat(Files.readString(p)).startsWith("# my appliance").contains("ipv6_secret = \"" + first.secret() + "\"");
        assertThat(state).as("the config file is the place, not the state file").doesNotExist();

        StableSecret.Obtained again = StableSecret.obtain(ConfigFile.load(p, Map.of()), state);
        assertThat(again.secret()).as("after a restart").isEqualTo(first.secret());
        assertThat(again.storedIn()).as("nothing new written").isNull();
    }

    @Test
    void withoutAConfigFileTheSecretGoesToAStateFileOnlyTheOwnerReads() throws Exception {
        Path state = dir.resolve("jnetstack/ipv6-secret");
        StableSecret.Obtained first = StableSecret.obtain(ConfigFile.load(null, USERNET), state);
        assertThat(first.storedIn()).isEqualTo(state);
        assertThat(Files.readString(state).trim()).isEqualTo(first.secret());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rw-------");
        assertThat(StableSecret.obtain(ConfigFile.load(null, USERNET), state).secret()).isEqualTo(first.secret());

        Files.writeString(state, "not a secret\n");
        StableSecret.Obtained replaced = StableSecret.obtain(ConfigFile.load(null, USERNET), state);
        assertThat(replaced.secret()).as("a damaged state file is replaced").matches("[0-9a-f]{32}").isNotEqualTo(first.secret());
        assertThat(StableSecret.fresh()).as("from SecureRandom: another each time").isNotEqualTo(StableSecret.fresh());
    }

    @Test
    void ipv6KeysOfTheConfigFileAreReadAndCheckedNamingTheAcceptedForms() {
        ApplianceConfig c = ConfigReader.read(TomlDocument.parse("""
                [interface]
                type = "usernet"
                [addressing]
                ipv6_address = "fd00::2/64"
                ipv6_secret = "0123456789abcdef0123456789abcdef"
                """));
        assertThat(c.addressing().ipv6()).isTrue();
        assertThat(c.addressing().ipv6Address()).isEqualTo("fd00::2/64");
        assertThat(c.addressing().ipv6Secret()).isEqualTo("0123456789abcdef0123456789abcdef");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigReader.read(TomlDocument.parse("""
                [interface]
                type = "usernet"
                [addressing]
                ipv6 = false
                ipv6_address = "fe80::zz/64"
                ipv6_secret = "short"
                """)));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipv6_address").contains("ADDR/PREFIX"))
                .anySatisfy(p -> assertThat(p).contains("ipv6_address").contains("ipv6 = false"))
                .anySatisfy(p -> assertThat(p).contains("ipv6_secret").contains("32 hex digits"));
    }
}
