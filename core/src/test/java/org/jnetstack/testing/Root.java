package org.jnetstack.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards for tests that need root (TAP devices, network namespaces). Outside CI such a test is
 * skipped with the reason; when the environment says {@code CI=true} it fails instead, so a CI
 * run that silently skipped the kernel interop tests cannot pass.
 *
 * <pre>{@code
 * @BeforeAll static void needsRoot() { Root.requireTap(); }
 * }</pre>
 */
public final class Root {
    private Root() {
    }

    /** Requires effective uid 0 and the {@code ip} tool (iproute2). */
    public static void require() {
        check(missingRoot());
    }

    /** Like {@link #require()}, and also {@code /dev/net/tun}. */
    public static void requireTap() {
        String why = missingRoot();
        if (why == null && !Files.exists(Path.of("/dev/net/tun"))) {
            why = "/dev/net/tun is missing (load the tun module: modprobe tun)";
        }
        check(why);
    }

    /** Like {@link #requireTap()}, and also each of {@code tools} on the PATH (ping, say). */
    public static void requireTap(String... tools) {
        requireTap();
        for (String t : tools) {
            if (!onPath(t)) {
                check("the `" + t + "` command is not installed (.ci/run installs every tool the tests use)");
            }
        }
    }

    /** True when the CI environment demands that root tests run rather than skip. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static void check(String why) {
        if (why == null) {
            return;
        }
        if (inCi()) {
            Assertions.fail("this test needs root and CI=true forbids skipping it: " + why);
        }
        Assumptions.abort("skipped: " + why + " (run as root to include it)");
    }

    private static String missingRoot() {
        long euid = effectiveUid();
        if (euid != 0) {
            return "not running as root (effective uid " + euid + ")";
        }
        if (!onPath("ip")) {
            return "the `ip` command (iproute2) is not installed";
        }
        return null;
    }

    /** Effective uid from /proc/self/status ("Uid: real effective saved fs"); -1 if unknown. */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            path = "/usr/sbin:/usr/bin:/sbin:/bin";
        }
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
