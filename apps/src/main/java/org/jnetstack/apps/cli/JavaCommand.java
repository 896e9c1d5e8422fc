package org.jnetstack.apps.cli;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jnetstack.socket.nio.StackInetAddressResolverProvider;
import org.jnetstack.socket.nio.StackSelectorProvider;
import org.jnetstack.usernet.ForwardRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jns java}: runs an unmodified Java program's main class with the stack as its network.
 * This JVM checks the command line, then starts a second JVM (the same JDK) whose JVM-wide
 * {@code SelectorProvider} is {@link StackSelectorProvider}, whose {@code InetAddress} resolver is
 * {@link StackInetAddressResolverProvider} (a service entry in a temporary directory on its class
 * path), and whose main class is {@link JavaMain}: it brings the stack up, then calls the
 * program's {@code main}. This JVM waits and exits with the program's status.
 */
@Command(name = "java",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        header = "Run a Java program's main class with the stack as its network.",
        customSynopsis = {
            "jns java [--tap NAME] [--ip ADDR/PREFIX [--gateway ADDR] | --dhcp]",
            "         [--hostname NAME] [--dns ADDR]... [--mac MAC] [--mtu N]",
            "         [--pcap FILE] [--trace] [--no-offload]",
            "         [--forward tcp|udp:[HOSTADDR:]HOSTPORT:GUESTPORT]... [-J JVMOPTION]...",
            "         -cp CLASSPATH MAINCLASS [ARGS...] | -jar JARFILE [ARGS...]"
        },
        description = {
            "Starts a JVM (the same JDK as jns) in which java.nio channels and selectors (SocketChannel, ServerSocketChannel,"
                + " DatagramChannel, Selector: so the JDK's HttpClient and HttpServer, Netty, Jetty), java.net.Socket,"
                + " ServerSocket and DatagramSocket, and InetAddress name lookups run on the stack; brings the stack up as 'jns run' would"
                + " (without --tap on the user-mode network, no root); then runs MAINCLASS's main(String[]) with ARGS."
                + " The program's standard input and output are this command's. Exit status: the program's (1 if the"
                + " stack cannot start, 2 for a usage error). The stack closes when the program's last non-daemon thread"
                + " ends or it calls System.exit. With -jar JARFILE the main class is the jar's Main-Class and its class path the"
                + " jar and the jars its Class-Path names, as with 'java -jar'. Not on the stack (the host's, as without jns):"
                + " Unix-domain channels and pipes. Not supported: IPv6, multicast, AsynchronousSocketChannel, sockets through a"
                + " Proxy.",
            ""
        },
        footer = {
            "",
            "Example, no root: a program serving HTTP on its port 8000, reached from the host at 127.0.0.1:8080:",
            "  ./jns java --forward tcp:8080:8000 -cp app.jar com.example.Server",
            "  ./jns java --forward tcp:8080:8000 -jar server.jar --port 8000",
            "Example, as root, on a TAP interface:",
            "  ./jns java --tap jns0 --ip 10.0.0.2/24 --gateway 10.0.0.1 -cp build/classes com.example.Client https://example.org/"
        })
final class JavaCommand implements Callable<Integer> {
    /** The class path entry separator ({@code :} on Linux). */
    private static final String SEP = File.pathSeparator;

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions;

    @Option(names = "--forward", paramLabel = "tcp:[HOSTADDR:]HOSTPORT:GUESTPORT",
            description = "On the user-mode network (no --tap): forward a host port to one of the program's ports on the"
                    + " stack, e.g. tcp:8080:8000 (HOSTADDR defaults to 127.0.0.1); udp: likewise. Repeatable.")
    List<String> forwards = new ArrayList<>();

    @Option(names = {"-cp", "-classpath", "--class-path"}, paramLabel = "CLASSPATH",
            description = "The program's class path: directories and jars separated by ':' (DIR/* for every jar in DIR).")
    String classPath;

    @Option(names = "-jar", paramLabel = "JARFILE",
            description = "Run the jar's Main-Class (its manifest) with the jar and its manifest's Class-Path as the class path,"
                    + " as 'java -jar' does; everything after JARFILE is the program's.")
    String jar;

    @Option(names = "-J", paramLabel = "JVMOPTION",
            description = "Pass JVMOPTION to the program's JVM, e.g. -J-Xmx1g or -J-Dkey=value. Repeatable.")
    List<String> jvmOptions = new ArrayList<>();

    @Parameters(index = "0", arity = "0..1", paramLabel = "MAINCLASS",
            description = "The class whose public static void main(String[]) to run, e.g. com.example.Main.")
    String mainClass;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments to the program's main.")
    List<String> args = new ArrayList<>();

    /** With {@code -jar}: the manifest's Main-Class, and its module options (set by {@link #validate()}). */
    private String jarMainClass;
    private final List<String> jarModuleOptions = new ArrayList<>();

    /** The class whose main to run: MAINCLASS, or the jar's Main-Class. */
    String programMainClass() {
        return jar != null ? jarMainClass : mainClass;
    }

    /** The program's arguments: with {@code -jar} the first positional is one of them, not a class name. */
    List<String> programArgs() {
        if (jar == null || mainClass == null) {
            return args;
        }
        List<String> all = new ArrayList<>(args.size() + 1);
        all.add(mainClass);
        all.addAll(args);
        return all;
    }

    /** The program's class path: -cp's, or the jar (the JVM follows its manifest's Class-Path). */
    String programClassPath() {
        return jar != null ? jar : classPath;
    }

    /** Checks the command line; the first problem as a usage error (exit 2). Also used by {@link JavaMain}. */
    List<ForwardRule> validate() {
        stackOptions.validate();
        if (!forwards.isEmpty() && !stackOptions.userNet()) {
            throw usage("--forward works on the user-mode network only (without --tap)");
        }
        List<ForwardRule> rules = new ArrayList<>();
        for (String f : forwards) {
            try {
                rules.add(ForwardRule.parse(f));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        if (jar != null) {
            if (classPath != null) {
                throw usage("-jar JARFILE and -cp CLASSPATH: give one (the jar's manifest Class-Path names what else it needs,"
                        + " as with 'java -jar')");
            }
            readManifest();
            return rules;
        }
        if (mainClass != null && mainClass.startsWith("-")) {
            throw usage("Unknown option: '" + mainClass + "'");
        }
        if (classPath == null) {
            throw usage("Missing -cp CLASSPATH: the program's class path (directories and jars separated by '" + SEP
                    + "'), e.g. jns java -cp app.jar" + SEP + "lib/* com.example.Main; or -jar JARFILE");
        }
        if (mainClass == null) {
            throw usage("Missing MAINCLASS: the fully qualified name of the class whose main(String[]) to run,"
                    + " after -cp CLASSPATH, e.g. com.example.Main");
        }
        if (!mainClass.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
                + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*")) {
            throw usage("Invalid MAINCLASS '" + mainClass + "': expected a fully qualified class name like com.example.Main"
                    + (mainClass.endsWith(".class") || mainClass.contains("/") ? " (a class name, not a file name)" : ""));
        }
        return rules;
    }

    /** Main-Class, and Add-Exports/Add-Opens as 'java -jar' honours them, from the jar's manifest. */
    private void readManifest() {
        Path p = Path.of(jar);
        if (!Files.isRegularFile(p)) {
            throw usage("Jar file '" + jar + "' does not exist");
        }
        java.util.jar.Manifest manifest;
        try (java.util.jar.JarFile jf = new java.util.jar.JarFile(p.toFile())) {
            manifest = jf.getManifest();
        } catch (IOException e) {
            throw usage("Cannot read jar file '" + jar + "': " + e.getMessage());
        }
        String main = manifest == null ? null : manifest.getMainAttributes().getValue("Main-Class");
        if (main == null || main.isBlank()) {
            throw usage("No Main-Class attribute in the manifest of '" + jar + "': run it with -cp " + jar + " MAINCLASS");
        }
        jarMainClass = main.trim();
        jarModuleOptions.clear();
        for (String[] attr : new String[][] {{"Add-Exports", "--add-exports"}, {"Add-Opens", "--add-opens"}}) {
            String value = manifest.getMainAttributes().getValue(attr[0]);
            if (value != null) {
                for (String pkg : value.trim().split("\\s+")) {
                    if (!pkg.isEmpty()) {
                        jarModuleOptions.add(attr[1]);
                        jarModuleOptions.add(pkg + "=ALL-UNNAMED");
                    }
                }
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        String main = programMainClass();
        String cp = programClassPath();
        List<URL> urls = new ArrayList<>();
        for (String entry : cp.split(SEP, -1)) {
            if (entry.isEmpty()) {
                continue;
            }
            addEntry(urls, entry);
        }
        // URLClassLoader follows the jars' manifest Class-Path as the JVM's class path does.
        try (URLClassLoader probe = new URLClassLoader(urls.toArray(URL[]::new), null)) {
            if (probe.findResource(main.replace('.', '/') + ".class") == null) {
                throw usage("Main class " + main + " not found on the class path '" + cp
                        + "' (expected " + main.replace('.', '/') + ".class in one of its directories or jars"
                        + (jar != null ? ", or those its manifest's Class-Path names" : "") + ")");
            }
        }
        Path services = Files.createTempDirectory("jns-java-");
        Process child = null;
        Thread stopChild = null;
        try {
            Path entry = services.resolve("META-INF/services/java.net.spi.InetAddressResolverProvider");
            Files.createDirectories(entry.getParent());
            Files.writeString(entry, StackInetAddressResolverProvider.class.getName() + "\n");
            ProcessBuilder pb = new ProcessBuilder(command(services)).inheritIO();
            child = pb.start();
            Process running = child;
            // SIGINT/SIGTERM to jns: pass SIGTERM on and let the program's JVM close the stack before this one ends.
            stopChild = new Thread(() -> {
                running.destroy();
                try {
                    running.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                deleteTree(services);
            }, "jns-java-stop");
            Runtime.getRuntime().addShutdownHook(stopChild);
            return child.waitFor();
        } finally {
            if (stopChild != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopChild);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it cleans up
                }
            }
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
            }
            deleteTree(services);
        }
    }

    /** The program's JVM: same JDK, the stack's provider and resolver, {@link JavaMain} with this command's arguments. */
    private List<String> command(Path services) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.add("--enable-native-access=ALL-UNNAMED");
        // The user-mode network opens host sockets and pipes through the JDK's own provider (see usernet.HostNio).
        c.add("--add-exports");
        c.add("java.base/sun.nio.ch=ALL-UNNAMED");
        c.add("-XX:+ExitOnOutOfMemoryError");
        c.add("-Djava.nio.channels.spi.SelectorProvider=" + StackSelectorProvider.GLOBAL_CLASS);
        c.addAll(jarModuleOptions);
        c.addAll(jvmOptions);
        // The program's classes first, so its own versions of libraries jns also uses win.
        c.add("-cp");
        c.add(programClassPath() + SEP + services + SEP + System.getProperty("java.class.path"));
        c.add(JavaMain.class.getName());
        c.addAll(childArgs());
        return c;
    }

    /** This command's arguments again, for {@link JavaMain} to parse (it brings the stack up from the same options). */
    private List<String> childArgs() {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        int at = original.indexOf(spec.name());
        return original.subList(at + 1, original.size());
    }

    private void addEntry(List<URL> urls, String entry) throws MalformedURLException {
        if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
            Path dir = Path.of(entry.substring(0, entry.length() - 1).isEmpty() ? "." : entry.substring(0, entry.length() - 1));
            try (Stream<Path> jars = Files.list(dir)) {
                for (Path j : jars.filter(p -> p.toString().endsWith(".jar") || p.toString().endsWith(".JAR")).toList()) {
                    urls.add(j.toUri().toURL());
                }
            } catch (IOException e) {
                throw usage("Class path entry '" + entry + "': cannot list " + dir + " (" + e.getMessage() + ")");
            }
            return;
        }
        Path p = Path.of(entry);
        if (!Files.exists(p)) {
            throw usage("Class path entry '" + entry + "' does not exist: expected a directory of classes or a jar file");
        }
        urls.add(p.toUri().toURL());
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind: harmless
        }
    }
}
