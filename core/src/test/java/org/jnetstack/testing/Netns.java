package org.jnetstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux network namespace for one test: the kernel's side of the stack's TAP lives here, so
 * the kernel peer (ping, python sockets, tshark) runs in the namespace and no address is ever
 * configured in the root namespace. Needs root: call {@link Requirements#rootWithTap} first.
 *
 * <p>Two ways to connect a stack:
 * <ul>
 *   <li>{@link #createTap} makes a persistent TAP inside the namespace, addressed and up; a
 *   stack run in the namespace ({@code spawn(Jns.command("run", "--tap", tap, ...))}) attaches
 *   to it. Used for the command line.</li>
 *   <li>{@link #adoptTap} moves a TAP the test JVM has opened ({@code TapDevice.open}) into
 *   the namespace: the open descriptor keeps working there. Used for a stack in-process.</li>
 * </ul>
 *
 * <pre>{@code
 * try (Netns ns = Netns.create(); TapDevice tap = TapDevice.open(Netns.uniqueTapName())) {
 *     ns.adoptTap(tap.name(), "10.77.0.1/24");
 *     ns.exec("ping", "-c", "1", "10.77.0.2");
 * }
 * }</pre>
 *
 * <p>Names are unique per JVM and test ({@code jns-i-PID-N}, TAPs {@code jiPIDxN}), so
 * leftovers can never collide with a new run. {@link #close()} stops every process it
 * started and deletes the namespace with everything in it, even after a failure; a JVM
 * shutdown hook closes whatever a test forgot; namespaces left by a JVM that died are removed
 * the next time one is created.
 */
public final class Netns implements AutoCloseable {
    private static final String PREFIX = "jns-i-";
    private static final String TAP_PREFIX = "ji";
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Set<Netns> OPEN = new LinkedHashSet<>();
    private static boolean staleRemoved;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Netns::closeAll, "netns-cleanup"));
    }

    private final String name;
    private final List<Background> processes = new ArrayList<>();
    private final List<String> rootLinks = new ArrayList<>();
    private boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates a namespace with loopback up and IPv6 off (no router solicitations in captures). */
    public static Netns create() {
        removeStale();
        Netns ns = new Netns(PREFIX + PID + "-" + SEQUENCE.incrementAndGet());
        synchronized (OPEN) {
            OPEN.add(ns);
        }
        try {
            root("ip", "netns", "add", ns.name);
            ns.exec("ip", "link", "set", "lo", "up");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            return ns;
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
    }

    /** A fresh interface name, at most 15 characters, unique to this JVM. */
    public static String uniqueTapName() {
        return uniqueLinkName(TAP_PREFIX);
    }

    /** A fresh interface name starting with {@code prefix} (two letters), unique to this JVM. */
    public static String uniqueLinkName(String prefix) {
        String s = prefix + Long.toString(PID, 36) + "x" + SEQUENCE.incrementAndGet();
        if (s.length() > 15) {
            throw new IllegalStateException("interface name longer than 15 characters: " + s);
        }
        return s;
    }

    public String name() {
        return name;
    }

    /**
     * Creates a persistent TAP {@code tap} in this namespace with the kernel's address
     * {@code kernelAddress} (e.g. "10.0.0.1/24") and brings it up; a stack started in this
     * namespace with {@code --tap tap} attaches to it.
     */
    public void createTap(String tap, String kernelAddress) {
        exec("ip", "tuntap", "add", "dev", tap, "mode", "tap");
        configure(tap, kernelAddress);
    }

    /**
     * Moves {@code tap}, opened by this JVM in the root namespace, into this namespace, gives it
     * the kernel's address {@code kernelAddress} ({@code null} for none) and brings it up.
     */
    public void adoptTap(String tap, String kernelAddress) {
        synchronized (rootLinks) {
            rootLinks.add(tap);
        }
        root("ip", "link", "set", "dev", tap, "netns", name);
        configure(tap, kernelAddress);
    }

    private void configure(String link, String address) {
        if (address != null) {
            exec("ip", "addr", "add", address, "dev", link);
        }
        exec("ip", "link", "set", "dev", link, "up");
    }

    /** Runs a command in the namespace and returns its stdout; throws with its output if it fails. */
    public String exec(String... command) {
        CommandResult r = run(COMMAND_TIMEOUT, command);
        if (!r.ok()) {
            throw new IllegalStateException("command failed in " + name + ":\n" + r.describe());
        }
        return r.stdout();
    }

    /** Runs a command in the namespace to completion (at most {@code timeout}); never throws for its exit status. */
    public CommandResult run(Duration timeout, String... command) {
        return runCommand(timeout, inside(command));
    }

    /** Starts a command in the namespace in the background; it is stopped at {@link #close()} at the latest. */
    public Background spawn(String... command) {
        List<String> cmd = inside(command);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            Background b = new Background(String.join(" ", command), p);
            synchronized (processes) {
                processes.add(b);
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
        }
    }

    /** The MAC address of {@code link} inside this namespace. */
    public String macOf(String link) {
        return exec("cat", "/sys/class/net/" + link + "/address").trim();
    }

    /** Starts a command in the namespace without waiting, stdout and stderr merged (the caller destroys it). */
    public Process start(String... command) {
        List<String> cmd = inside(command);
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
        }
    }

    private List<String> inside(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Stops every process started here, deletes the namespace (and every link in it). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<Background> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
        }
        for (Background b : started) {
            b.close();
        }
        RuntimeException failure = null;
        if (namespaces().contains(name)) {
            CommandResult r = runCommand(COMMAND_TIMEOUT, List.of("ip", "netns", "del", name));
            if (!r.ok()) {
                failure = new IllegalStateException("cannot delete namespace:\n" + r.describe());
            }
        }
        // A TAP this JVM opened but never moved in would still be in the root namespace.
        synchronized (rootLinks) {
            for (String link : rootLinks) {
                if (Files.exists(Path.of("/sys/class/net", link))) {
                    runCommand(COMMAND_TIMEOUT, List.of("ip", "link", "del", "dev", link));
                }
            }
        }
        synchronized (OPEN) {
            OPEN.remove(this);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Namespaces this JVM created that still exist (for an @AfterAll check that nothing leaked). */
    public static List<String> leftovers() {
        return namespaces().stream().filter(n -> n.startsWith(PREFIX + PID + "-")).toList();
    }

    /** TAPs named by {@link #uniqueTapName()} still present in the root namespace. */
    public static List<String> leftoverRootLinks() {
        String prefix = TAP_PREFIX + Long.toString(PID, 36) + "x";
        try (var s = Files.list(Path.of("/sys/class/net"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public static List<String> namespaces() {
        CommandResult r = runCommand(COMMAND_TIMEOUT, List.of("ip", "netns", "list"));
        List<String> names = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String n = line.trim().split("\\s+")[0];
            if (!n.isEmpty()) {
                names.add(n);
            }
        }
        return names;
    }

    /** Removes namespaces named by a JVM that is no longer running (it died before cleaning up). */
    private static synchronized void removeStale() {
        if (staleRemoved) {
            return;
        }
        staleRemoved = true;
        Pattern ours = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+");
        for (String n : namespaces()) {
            Matcher m = ours.matcher(n);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                runCommand(COMMAND_TIMEOUT, List.of("ip", "netns", "del", n));
            }
        }
    }

    private static void closeAll() {
        List<Netns> all;
        synchronized (OPEN) {
            all = new ArrayList<>(OPEN);
        }
        for (Netns ns : all) {
            try {
                ns.close();
            } catch (RuntimeException e) {
                System.err.println("netns cleanup: " + e.getMessage());
            }
        }
    }

    /** Runs a command in the root namespace and returns its stdout; throws with its output if it fails. */
    public static String root(String... command) {
        CommandResult r = runCommand(COMMAND_TIMEOUT, List.of(command));
        if (!r.ok()) {
            throw new IllegalStateException("command failed:\n" + r.describe());
        }
        return r.stdout();
    }

    /**
     * Runs a command, reading stdout and stderr on their own threads so that neither pipe can
     * fill up and stall it, and so that the timeout holds even if it never closes them.
     */
    public static CommandResult runCommand(Duration timeout, List<String> command) {
        String text = String.join(" ", command);
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = readAsync(p.getInputStream());
            CompletableFuture<String> err = readAsync(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + text);
            }
            return new CommandResult(text, p.exitValue(), out.get(30, TimeUnit.SECONDS), err.get(30, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + text, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + text, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the output of " + text, e);
        }
    }

    private static CompletableFuture<String> readAsync(java.io.InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("");
            }
        });
        return f;
    }

    @Override
    public String toString() {
        return name;
    }
}
