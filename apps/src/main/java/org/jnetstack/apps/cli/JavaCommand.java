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
            "         -cp CLASSPATH MAINCLASS [ARGS...]"
        },
        description = {
            "Starts a JVM (the same JDK as jns) in which java.nio channels and selectors (SocketChannel, ServerSocketChannel,"
                + " DatagramChannel, Selector: so the JDK's HttpClient and HttpServer, Netty, Jetty), java.net.Socket,"
                + " ServerSocket and DatagramSocket, and InetAddress name lookups run on the stack; brings the stack up as 'jns run' would"
                + " (without --tap on the user-mode network, no root); then runs MAINCLASS's main(String[]) with ARGS."
                + " The program's standard input and output are this command's. Exit status: the program's (1 if the"
                + " stack cannot start, 2 for a usage error). The stack closes when the program's last non-daemon thread"
                + " ends or it calls System.exit. Not on the stack: IPv6, multicast, Unix-domain channels,"
                + " AsynchronousSocketChannel, sockets through a Proxy.",
            ""
        },
        footer = {
            "",
            "Example, no root: a program serving HTTP on its port 8000, reached from the host at 127.0.0.1:8080:",
            "  ./jns java --forward tcp:8080:8000 -cp app.jar com.example.Server",
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

    @Option(names = "-J", paramLabel = "JVMOPTION",
            description = "Pass JVMOPTION to the program's JVM, e.g. -J-Xmx1g or -J-Dkey=value. Repeatable.")
    List<String> jvmOptions = new ArrayList<>();

    @Parameters(index = "0", arity = "0..1", paramLabel = "MAINCLASS",
            description = "The class whose public static void main(String[]) to run, e.g. com.example.Main.")
    String mainClass;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments to the program's main.")
    List<String> args = new ArrayList<>();

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
        if (classPath == null) {
            throw usage("Missing -cp CLASSPATH: the program's class path (directories and jars separated by '" + SEP
                    + "'), e.g. jns java -cp app.jar" + SEP + "lib/* com.example.Main");
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

    @Override
    public Integer call() throws Exception {
        validate();
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(SEP, -1)) {
            if (entry.isEmpty()) {
                continue;
            }
            addEntry(urls, entry);
        }
        try (URLClassLoader probe = new URLClassLoader(urls.toArray(URL[]::new), null)) {
            if (probe.findResource(mainClass.replace('.', '/') + ".class") == null) {
                throw usage("Main class " + mainClass + " not found on the class path '" + classPath
                        + "' (expected " + mainClass.replace('.', '/') + ".class in one of its directories or jars)");
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
        c.addAll(jvmOptions);
        // The program's classes first, so its own versions of libraries jns also uses win.
        c.add("-cp");
        c.add(classPath + SEP + services + SEP + System.getProperty("java.class.path"));
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
