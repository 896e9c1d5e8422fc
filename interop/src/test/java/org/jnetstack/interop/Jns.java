package org.jnetstack.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.testing.Netns;
import org.junit.jupiter.api.Assertions;

/**
 * The command line as a user runs it: the packaged {@code apps/target/jnetstack-apps.jar}
 * (what {@code ./jns} runs) in its own JVM, with the same flags as the launcher. The Maven
 * reactor packages apps before the interop tests run.
 */
final class Jns {
    private Jns() {
    }

    /** {@code java ... -jar jnetstack-apps.jar args...}, ready for {@link Netns#spawn} or {@link Netns#run}. */
    static String[] command(String... args) {
        return command(List.of(), args);
    }

    /** As {@link #command(String...)} with JVM options after the launcher's, as JNS_JAVA_OPTS gives them. */
    static String[] command(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd.toArray(new String[0]);
    }

    static Path jar() {
        Path jar = root().resolve("apps/target/jnetstack-apps.jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib"))) {
            Assertions.fail("the command line is not packaged at " + jar + ": run `mvn -pl interop -am verify` (or ./jns test)");
        }
        return jar;
    }

    /** The repository root: JNS_ROOT (set by the build), else the nearest parent with a jns launcher. */
    static Path root() {
        String env = System.getenv("JNS_ROOT");
        if (env != null && Files.isRegularFile(Path.of(env, "jns"))) {
            return Path.of(env);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("jns")) && Files.isDirectory(p.resolve("apps"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no JNS_ROOT and no ./jns above " + Path.of("").toAbsolutePath() + ")");
    }
}
