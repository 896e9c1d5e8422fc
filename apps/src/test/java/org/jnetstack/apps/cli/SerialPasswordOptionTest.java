package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --serial-password-file FILE} and {@code --serial-read}: mistakes are usage errors that start nothing. */
class SerialPasswordOptionTest {
    @TempDir
    Path dir;

    @Test
    void aMissingPasswordFileIsAClearUsageError() {
        Path missing = dir.resolve("nope");

        CliRun r = CliRun.of("run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--serial", "-", "--serial-password-file",
                missing.toString());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read the serial password file " + missing + ": no such file");
    }

    @Test
    void aShortPasswordIsRefusedWithoutShowingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "hunter2\n");

        CliRun r = CliRun.of("run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--serial", "-", "--serial-password-file",
                file.toString());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("the serial password in " + file + " is too short: expected at least 8 characters")
                .doesNotContain("hunter2");
    }

    @Test
    void outputForTheAuthenticatedOnlyNeedsAPassword() {
        CliRun r = CliRun.of("run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--serial", "-", "--serial-read", "authenticated");

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("[serial] read = \"authenticated\"").contains("needs a password");
    }
}
