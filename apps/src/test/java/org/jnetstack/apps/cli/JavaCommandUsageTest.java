package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.jnetstack.apps.cli.programs.HttpServerProgram;
import org.junit.jupiter.api.Test;

/** {@code jns java}'s usage errors: exit status 2 and a message naming the problem and the accepted form; no JVM started. */
class JavaCommandUsageTest {
    private static String testClasses() throws Exception {
        return Path.of(HttpServerProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void withoutAClassPath() {
        CliRun r = CliRun.of("java", "com.example.Main");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Missing -cp CLASSPATH").contains("jns java -cp app.jar");
    }

    @Test
    void withoutAMainClass() throws Exception {
        CliRun r = CliRun.of("java", "-cp", testClasses());
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Missing MAINCLASS").contains("com.example.Main");
    }

    @Test
    void aFileNameForTheMainClass() throws Exception {
        CliRun r = CliRun.of("java", "-cp", testClasses(), "programs/HttpServerProgram.class");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Invalid MAINCLASS 'programs/HttpServerProgram.class'")
                .contains("a class name, not a file name");
    }

    @Test
    void aClassPathEntryThatDoesNotExist() {
        CliRun r = CliRun.of("java", "-cp", "/nonexistent/app.jar", "com.example.Main");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Class path entry '/nonexistent/app.jar' does not exist");
    }

    @Test
    void aMainClassNotOnTheClassPath() throws Exception {
        CliRun r = CliRun.of("java", "-cp", testClasses(), "com.example.Missing");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Main class com.example.Missing not found on the class path")
                .contains("com/example/Missing.class");
    }

    @Test
    void forwardsNeedTheUserModeNetwork() throws Exception {
        CliRun r = CliRun.of("java", "--tap", "jns9", "--ip", "10.0.0.2/24", "--forward", "tcp:8080:80",
                "-cp", testClasses(), HttpServerProgram.class.getName());
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--forward works on the user-mode network only");
    }

    @Test
    void aMalformedForward() throws Exception {
        CliRun r = CliRun.of("java", "--forward", "tcp:80", "-cp", testClasses(), HttpServerProgram.class.getName());
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("tcp:");
    }

    @Test
    void stackOptionsAreCheckedAsForRun() throws Exception {
        CliRun r = CliRun.of("java", "--tap", "jns9", "-cp", testClasses(), HttpServerProgram.class.getName());
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Missing required option: '--ip ADDR/PREFIX'");
    }

    @Test
    void optionsAfterTheMainClassAreTheProgramsNotJns() throws Exception {
        // --help after MAINCLASS is the program's: jns does not print its help, it fails on the missing class.
        CliRun r = CliRun.of("java", "-cp", testClasses(), "com.example.Missing", "--help");
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.out()).doesNotContain("Usage:");
        assertThat(r.err()).contains("Main class com.example.Missing not found");
    }

    @Test
    void helpNamesTheForm() {
        CliRun r = CliRun.of("java", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("-cp CLASSPATH").contains("MAINCLASS").contains("[ARGS...]");
    }
    @Test
    void aJarWithoutMainClassOrTogetherWithAClassPath(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path jar = dir.resolve("lib.jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            // no manifest
        }
        CliRun none = CliRun.of("java", "-jar", jar.toString());
        assertThat(none.status()).isEqualTo(Main.USAGE);
        assertThat(none.err()).contains("No Main-Class attribute in the manifest of '" + jar + "'").contains("-cp " + jar);
        CliRun both = CliRun.of("java", "-cp", testClasses(), "-jar", jar.toString());
        assertThat(both.status()).isEqualTo(Main.USAGE);
        assertThat(both.err()).contains("-jar JARFILE and -cp CLASSPATH: give one");
        CliRun missing = CliRun.of("java", "-jar", dir.resolve("nope.jar").toString());
        assertThat(missing.status()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("does not exist");
    }

    @Test
    void aMisspelledOptionIsStillReported() throws Exception {
        CliRun r = CliRun.of("java", "--tapp", "jns0", "-cp", testClasses(), HttpServerProgram.class.getName());
        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Unknown option: '--tapp'");
    }
}
