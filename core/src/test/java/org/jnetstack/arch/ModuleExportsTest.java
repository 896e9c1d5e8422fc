package org.jnetstack.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
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

    @Test
    void noExportedSignatureMentionsATypeOutsideTheExportedPackages() throws Exception {
        Set<String> exported = exportedPackages();
        assertThat(exported).contains("org.jnetstack.tcp").doesNotContain("org.jnetstack.internal");
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (String pkg : exported) {
            for (Class<?> type : publicTypes(pkg)) {
                checked++;
                new SignatureCheck(type, exported, leaks).run();
            }
        }
        assertThat(checked).as("public types read").isGreaterThan(50);
        assertThat(leaks).as("public or protected signatures of exported types that mention a type a modular client cannot use")
                .isEmpty();
    }

    @Test
    void theSignatureCheckFindsAnInternalTypeWhereverItStands() {
        Set<String> exported = Set.of("org.jnetstack.arch");
        List<String> leaks = new ArrayList<>();
        new SignatureCheck(Leaky.class, exported, leaks).run();
        assertThat(leaks).hasSize(5).allMatch(l -> l.contains("org.jnetstack.internal."));
    }

    /** Each public member here leaks an internal type in another place of its signature. */
    public static class Leaky {
        public org.jnetstack.internal.SipHash field;

        public Leaky(org.jnetstack.internal.IntMap<String> parameter) {
        }

        public List<org.jnetstack.internal.LongMap<String>> typeArgument() {
            return null;
        }

        protected org.jnetstack.internal.MemoryBudget[] array() {
            return null;
        }

        public <T extends org.jnetstack.internal.StackSecrets> void bound(T t) {
        }

        void packagePrivateIsNoLeak(org.jnetstack.internal.SipHash h) {
        }
    }

    /** The packages core's module-info exports (to everyone). */
    private static Set<String> exportedPackages() throws IOException {
        try (InputStream in = Files.newInputStream(CORE_CLASSES.resolve("module-info.class"))) {
            Set<String> out = new TreeSet<>();
            for (ModuleDescriptor.Exports e : ModuleDescriptor.read(in).exports()) {
                if (!e.isQualified()) {
                    out.add(e.source());
                }
            }
            return out;
        }
    }

    /** The public top-level and nested types of {@code pkg} that a client can reach (their enclosing types public too). */
    private static List<Class<?>> publicTypes(String pkg) throws IOException, ClassNotFoundException {
        Path dir = CORE_CLASSES.resolve(pkg.replace('.', '/'));
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String name = f.getFileName().toString();
                Class<?> c = Class.forName(pkg + "." + name.substring(0, name.length() - ".class".length()), false,
                        ModuleExportsTest.class.getClassLoader());
                if (reachable(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static boolean reachable(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    /** Collects, for one type, every public or protected member whose signature names an unusable type. */
    private static final class SignatureCheck {
        private final Class<?> type;
        private final Set<String> exported;
        private final List<String> leaks;
        private final Set<TypeVariable<?>> seen = new HashSet<>(); // T extends Comparable<T> refers to itself

        SignatureCheck(Class<?> type, Set<String> exported, List<String> leaks) {
            this.type = type;
            this.exported = exported;
            this.leaks = leaks;
        }

        void run() {
            members(type, false);
            supertypes(type);
        }

        /**
         * A supertype a client cannot name (a package-private base class or interface) is no leak
         * in itself, as javac sees it: the client uses its public members through the exported
         * type. Those members are checked as the type's own; its type arguments too.
         */
        private void supertypes(Class<?> c) {
            List<Type> supers = new ArrayList<>(List.of(c.getGenericInterfaces()));
            if (c.getGenericSuperclass() != null) {
                supers.add(c.getGenericSuperclass());
            }
            for (Type t : supers) {
                Class<?> raw = (Class<?>) (t instanceof ParameterizedType p ? p.getRawType() : t);
                if (usable(raw)) {
                    check(t, "supertype");
                    continue;
                }
                if (t instanceof ParameterizedType p) {
                    for (Type a : p.getActualTypeArguments()) {
                        check(a, "supertype argument");
                    }
                }
                members(raw, true);
                supertypes(raw);
            }
        }

        /** The members {@code c} declares; an inherited class's constructors are not the subtype's. */
        private void members(Class<?> c, boolean inherited) {
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers()) && !f.isSynthetic()) {
                    check(f.getGenericType(), "field " + f.getName());
                }
            }
            if (!inherited) {
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    checkExecutable(k, "constructor");
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isBridge()) {
                    checkExecutable(m, m.getName() + "()");
                    if (visible(m.getModifiers())) {
                        check(m.getGenericReturnType(), m.getName() + "() return");
                    }
                }
            }
        }

        private boolean visible(int modifiers) {
            // A protected member is API only where a client can subclass.
            return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers) && !Modifier.isFinal(type.getModifiers());
        }

        private void checkExecutable(Executable e, String what) {
            if (!visible(e.getModifiers()) || e.isSynthetic()) {
                return;
            }
            for (Type p : e.getGenericParameterTypes()) {
                check(p, what + " parameter");
            }
            for (Type x : e.getGenericExceptionTypes()) {
                check(x, what + " throws");
            }
            for (TypeVariable<?> v : e.getTypeParameters()) {
                check(v, what + " type parameter");
            }
        }

        private void check(Type t, String where) {
            switch (t) {
                case null -> { }
                case Class<?> c when c.isArray() -> check(c.getComponentType(), where);
                case Class<?> c -> {
                    if (!usable(c)) {
                        leaks.add(type.getName() + " " + where + ": " + c.getName());
                    }
                }
                case ParameterizedType p -> {
                    check(p.getRawType(), where);
                    for (Type a : p.getActualTypeArguments()) {
                        check(a, where);
                    }
                }
                case GenericArrayType g -> check(g.getGenericComponentType(), where);
                case WildcardType w -> {
                    for (Type b : w.getUpperBounds()) {
                        check(b, where);
                    }
                    for (Type b : w.getLowerBounds()) {
                        check(b, where);
                    }
                }
                case TypeVariable<?> v -> {
                    if (seen.add(v)) {
                        for (Type b : v.getBounds()) {
                            check(b, where);
                        }
                    }
                }
                default -> leaks.add(type.getName() + " " + where + ": unknown kind of type " + t);
            }
        }

        /** A JDK type, or one of core's public types in an exported package. */
        private boolean usable(Class<?> c) {
            if (c.isPrimitive() || !c.getName().startsWith("org.jnetstack.")) {
                return true;
            }
            return exported.contains(c.getPackageName()) && reachable(c);
        }
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
