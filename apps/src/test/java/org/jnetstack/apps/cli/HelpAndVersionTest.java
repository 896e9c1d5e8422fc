package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelpAndVersionTest {
    @Test
    void topLevelHelpListsTheCommands() {
        CliRun r = CliRun.of("--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Usage: jns").contains("run").contains("ping").contains("./jns test");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void runHelpDescribesEveryOption() {
        CliRun r = CliRun.of("run", "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--tap NAME", "--ip ADDR/PREFIX", "--gateway ADDR", "--mac MAC", "--mtu N",
                "--pcap FILE", "--trace", "--echo", "port 7");
    }

    @Test
    void pingHelpDescribesEveryOption() {
        CliRun r = CliRun.of("help", "ping");

        assertThat(r.status()).isZero();
        // Whitespace normalized: the synopsis wraps wherever the option list makes it.
        assertThat(r.out().replaceAll("\\s+", " ")).contains("-c COUNT", "-i SECONDS", "-s SIZE", "-W SECONDS", "HOST", "--tap NAME",
                "Exit status");
    }

    @Test
    void versionNamesTheProjectVersionAndTheJavaRuntime() {
        CliRun r = CliRun.of("--version");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("jnetstack ").doesNotContain("unknown").doesNotContain("${")
                .contains("Java " + Runtime.version().feature());
    }
}
