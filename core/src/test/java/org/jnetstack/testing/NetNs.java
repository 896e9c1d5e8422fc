package org.jnetstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace for one test, deleted on {@link #close()} (with every interface in it).
 * Tests put the kernel's side of a TAP here, so no address is ever configured in the root
 * namespace. Needs root: call {@link Root#require()} first.
 *
 * <pre>{@code
 * try (NetNs ns = NetNs.create(); TapDevice tap = TapDevice.open(NetNs.uniqueLinkName("jt"))) {
 *     ns.adopt(tap.name(), "10.77.0.1/24");
 *     ns.exec("ping", "-c", "1", "10.77.0.2");
 * }
 * }</pre>
 */
public final class NetNs implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    private final String name;
    private boolean closed;

    private NetNs(String name) {
        this.name = name;
    }

    /** Creates a fresh namespace with loopback up and IPv6 off (so the kernel sends no RS/MLD noise). */
    public static NetNs create() {
        String name = "jns-t-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        run("ip", "netns", "add", name);
        NetNs ns = new NetNs(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** An interface name (at most 15 bytes) unlikely to clash with other tests or processes. */
    public static String uniqueLinkName(String prefix) {
        String s = prefix + Long.toString(ProcessHandle.current().pid() % 100_000, 36) + "x" + SEQ.incrementAndGet();
        return s.length() <= 15 ? s : s.substring(s.length() - 15);
    }

    public String name() {
        return name;
    }

    /**
     * Moves interface {@code link} from the root namespace into this one, optionally gives it an
     * address ({@code null} for none), and brings it up.
     */
    public void adopt(String link, String addressWithPrefix) {
        run("ip", "link", "set", link, "netns", name);
        if (addressWithPrefix != null) {
            exec("ip", "addr", "add", addressWithPrefix, "dev", link);
        }
        exec("ip", "link", "set", link, "up");
    }

    /** The MAC address of {@code link} inside this namespace. */
    public String macOf(String link) {
        String out = exec("cat", "/sys/class/net/" + link + "/address");
        return out.trim();
    }

    /** Runs a command inside the namespace; returns stdout; throws with stderr on failure. */
    public String exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(new String[0]));
    }

    /** Starts a command inside the namespace without waiting (the caller destroys it). */
    public Process start(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command in the root namespace; returns stdout; throws with output on failure. */
    public static String run(String... command) {
        try {
            // stderr goes to a file so that neither pipe can fill up and stall the command.
            java.nio.file.Path errFile = java.nio.file.Files.createTempFile("jns-cmd", ".err");
            Process p = new ProcessBuilder(command).redirectError(errFile.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            byte[] err = java.nio.file.Files.readAllBytes(errFile);
            java.nio.file.Files.deleteIfExists(errFile);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("command failed (exit " + p.exitValue() + "): "
                        + String.join(" ", command) + "\n" + new String(out, StandardCharsets.UTF_8)
                        + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        run("ip", "netns", "del", name);
    }
}
