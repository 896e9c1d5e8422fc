package org.jnetstack.interop;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The QEMU tests' Linux guest: Debian's cloud kernel and a busybox initramfs built by
 * {@code interop/qemu/build-guest.sh} and cached under {@code interop/target/qemu-guest}, whose
 * {@code init} runs the scenario the kernel command line asks for; and the QEMU command that
 * boots it under TCG (no KVM needed).
 */
final class QemuGuest {
    /** What building and booting the guest needs on the host. */
    static final String[] TOOLS = {"qemu-system-x86_64", "cpio", "apt-get", "dpkg-deb", "busybox"};

    private QemuGuest() {
    }

    /** Builds (or finds cached) the kernel and initramfs; a build that cannot run skips, or fails under CI. */
    static Path build() throws Exception {
        Path dir = Jns.root().resolve("interop/target/qemu-guest");
        Path script = Jns.root().resolve("interop/qemu/build-guest.sh");
        Process p = new ProcessBuilder(script.toString(), dir.toString()).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            String why = "the QEMU guest could not be built (" + script + "): " + output.trim();
            if (Requirements.inCi()) {
                Assertions.fail("CI=true and " + why);
            }
            Assumptions.abort("skipped: " + why);
        }
        return dir;
    }

    /**
     * {@code qemu-system-x86_64} booting the guest in {@code guest} with the kernel command line
     * {@code append}, one CPU, 256 MB, no display and no reboot (a panic ends QEMU), then
     * {@code devices}: the serial port, the monitor and the NIC, as each test wants them.
     */
    static List<String> command(Path guest, String append, String... devices) {
        List<String> c = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-smp", "1",
                "-display", "none", "-no-reboot",
                "-kernel", guest.resolve("vmlinuz").toString(), "-initrd", guest.resolve("initramfs.cpio.gz").toString(),
                "-append", append));
        c.addAll(List.of(devices));
        return c;
    }
}
