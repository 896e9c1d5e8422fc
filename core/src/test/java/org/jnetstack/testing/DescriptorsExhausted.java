package org.jnetstack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM out of file descriptors for a moment (EMFILE): the soft limit is lowered just above
 * what is open ({@code prlimit(1)}) and the rest taken; {@link #close} gives them back and restores
 * the limit. Descriptors a test needs during the moment must be open before.
 */
public final class DescriptorsExhausted implements AutoCloseable {
    private final long soft;
    private final List<FileInputStream> filler = new ArrayList<>();

    private DescriptorsExhausted(long soft) {
        this.soft = soft;
    }

    public static DescriptorsExhausted now() throws IOException, InterruptedException {
        DescriptorsExhausted d = new DescriptorsExhausted(softLimit());
        long open;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            open = fds.count();
        }
        setSoftLimit(open + 16);
        try {
            while (true) {
                d.filler.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException full) {
            return d; // EMFILE: every descriptor is taken
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (FileInputStream f : filler) {
            f.close();
        }
        setSoftLimit(soft);
    }

    private static long softLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no open-files limit in /proc/self/limits");
    }

    private static void setSoftLimit(long n) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()), "--nofile=" + n + ":")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as("prlimit").isZero();
    }
}
