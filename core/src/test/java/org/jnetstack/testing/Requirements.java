package org.jnetstack.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (root, TAP devices, tools on the PATH). Missing pieces skip
 * the test with the reason, except when the environment says {@code CI=true}: then they fail it,
 * so a CI run cannot pass by quietly skipping every test against the kernel.
 *
 * <pre>{@code
 * @BeforeAll static void needsRoot() { Requirements.rootWithTap("ping"); }
 * }</pre>
 */
public final class Requirements {
    private Requirements() {
    }

    /** Root, {@code ip}, {@code /dev/net/tun}, and the tools on PATH (e.g. "ping", "tshark", "python3"). */
    public static void rootWithTap(String... tools) {
        List<String> missing = missingRoot();
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun is missing (load the tun module: modprobe tun)");
        }
        missing.addAll(missingTools(List.of(tools)));
        decide(missing, "run as root on Linux with iproute2 to include it");
    }

    /** Only the tools (for tests that need no root, like reading a pcap file). */
    public static void tools(String... tools) {
        decide(missingTools(List.of(tools)), "install them to include it (see .ci/run)");
    }

    /** True when the CI environment demands that such tests run rather than skip. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The executable {@code tool} on PATH (plus the sbin directories), or null. */
    public static Path which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool);
            }
        }
        return null;
    }

    private static void decide(List<String> missing, String hint) {
        if (missing.isEmpty()) {
            return;
        }
        String why = String.join("; ", missing);
        if (inCi()) {
            Assertions.fail("CI=true and this test cannot run: " + why);
        }
        Assumptions.abort("skipped: " + why + " (" + hint + ")");
    }

    private static List<String> missingRoot() {
        List<String> missing = new ArrayList<>();
        long euid = effectiveUid();
        if (euid != 0) {
            missing.add("not running as root (effective uid " + euid + ")");
        }
        missing.addAll(missingTools(List.of("ip")));
        return missing;
    }

    private static List<String> missingTools(List<String> tools) {
        List<String> missing = new ArrayList<>();
        for (String t : tools) {
            if (which(t) == null) {
                missing.add("'" + t + "' is not installed");
            }
        }
        return missing;
    }

    /** Effective uid from /proc/self/status ("Uid: real effective saved fs"); -1 if unknown. */
    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
