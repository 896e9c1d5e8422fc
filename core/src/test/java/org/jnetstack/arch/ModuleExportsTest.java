package org.jnetstack.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core is a module that exports its API packages only: a modular program that requires
 * {@code org.jnetstack.core} compiles against the exported packages and cannot import an
 * internal one. Compiles two small consumers against core's classes as a module path entry.
 */
class ModuleExportsTest {

    private static final Path CORE_CLASSES = Path.of("target/classes");

    @Test
    void aModularConsumerCompilesAgainstTheExportedPackages(@TempDir Path dir) throws IOException {
        String out = compile(dir, """
                package consumer;
                import org.jnetstack.NetStack;
                import org.jnetstack.loop.EventLoop;
                import org.jnetstack.tcp.TcpConfig;
                import org.jnetstack.util.RttEstimator;
                public class Main {
                    static Object use(EventLoop loop) {
                        return new Object[] {NetStack.builder(loop), TcpConfig.class, RttEstimator.class};
                    }
                }
                """);
        assertThat(out).isEqualTo("compiled");
    }

    @Test
    void anInternalPackageIsNotVisibleToAModularConsumer(@TempDir Path dir) throws IOException {
        String out = compile(dir, """
                package consumer;
                import org.jnetstack.internal.SipHash;
                public class Main {
                    static Class<?> use() {
                        return SipHash.class;
                    }
                }
                """);
        assertThat(out).contains("package org.jnetstack.internal is not visible")
                .contains("declared in module org.jnetstack.core, which does not export it");
    }

    @Test
    void congestionControllersAreNotExportedEither(@TempDir Path dir) throws IOException {
        String out = compile(dir, """
                package consumer;
                import org.jnetstack.tcp.cc.CongestionControls;
                public class Main {
                    static Object use() {
                        return CongestionControls.DEFAULT;
                    }
                }
                """);
        assertThat(out).contains("package org.jnetstack.tcp.cc is not visible")
                .contains("declared in module org.jnetstack.core, which does not export it");
    }

    /** "compiled", or the compiler's diagnostics when it fails. */
    private static String compile(Path dir, String mainSource) throws IOException {
        assertThat(CORE_CLASSES.resolve("module-info.class")).as("run from the core module's folder, after compile").isRegularFile();
        Path src = dir.resolve("src/consumer");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), "module consumer { requires org.jnetstack.core; }\n");
        Files.writeString(src.resolve("consumer/Main.java"), mainSource);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        var files = javac.getStandardFileManager(null, null, null);
        var units = files.getJavaFileObjects(src.resolve("module-info.java"), src.resolve("consumer/Main.java"));
        // An empty class path: the compiler would otherwise take this JVM's, where core's
        // classes sit in the unnamed module and every package is visible.
        Path emptyClassPath = Files.createDirectories(dir.resolve("empty"));
        List<String> options = List.of("--module-path", CORE_CLASSES.toAbsolutePath().toString(),
                "--class-path", emptyClassPath.toString(), "-d", dir.resolve("out").toString(), "-Xlint:none");
        boolean ok = javac.getTask(diagnostics, files, null, options, null, units).call();
        files.close();
        return ok ? "compiled" : diagnostics.toString();
    }
}
