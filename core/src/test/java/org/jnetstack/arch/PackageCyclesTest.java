package org.jnetstack.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dependencies between the packages of {@code core} run one way: no package reaches itself
 * through others. A cycle makes the packages one unit (none can be read, tested or changed
 * alone), so a change that brings one back fails here with the packages and a file for each step.
 */
class PackageCyclesTest {

    @Test
    void corePackagesHaveNoCycles() {
        Path main = Path.of("src/main/java");
        assertThat(main).as("run from the core module's folder").isDirectory();
        PackageGraph graph = PackageGraph.read(main, "org.jnetstack");
        assertThat(graph.edges()).as("packages read").containsKeys("org.jnetstack.loop", "org.jnetstack.link", "org.jnetstack.tcp");
        assertThat(graph.cycles()).as("package cycles").isEmpty();
    }

    @Test
    void findsACycleThroughImportsNestedNamesAndQualifiedReferences(@TempDir Path dir) throws IOException {
        write(dir, "a/A.java", "package x.a;\nimport x.b.B.Inner;\nclass A { }\n");
        write(dir, "b/B.java", "package x.b;\nclass B { Object c = new x.c.C(); }\n");
        write(dir, "c/C.java", "package x.c;\nimport static x.a.A.run;\nclass C { }\n");
        write(dir, "d/D.java", "package x.d;\n// import x.a.A;\nclass D { String s = \"x.a.A\"; }\n");
        PackageGraph graph = PackageGraph.read(dir, "x");
        assertThat(graph.edges().get("x.d")).isEmpty();
        assertThat(graph.cycles()).singleElement().asString()
                .contains("[x.a, x.b, x.c]")
                .contains("x.a -> x.b (a/A.java)")
                .contains("x.b -> x.c (b/B.java)")
                .contains("x.c -> x.a (c/C.java)");
    }

    @Test
    void aOneWayTreeHasNoCycle(@TempDir Path dir) throws IOException {
        write(dir, "a/A.java", "package x.a;\nimport x.b.B;\nclass A { }\n");
        write(dir, "b/B.java", "package x.b;\nclass B { }\n");
        PackageGraph graph = PackageGraph.read(dir, "x");
        assertThat(graph.edges().get("x.a")).containsOnlyKeys("x.b");
        assertThat(graph.cycles()).isEmpty();
    }

    private static void write(Path dir, String file, String text) throws IOException {
        Path p = dir.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
