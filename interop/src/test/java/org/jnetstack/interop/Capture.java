package org.jnetstack.interop;

import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.Netns;

/**
 * A running tshark capture on an interface of a {@link Netns}, writing a pcap file.
 * {@link #stop()} leaves a complete file.
 */
final class Capture implements AutoCloseable {
    /**
     * dumpcap (under tshark) reads the kernel's capture buffer in blocks with a 250 ms timeout
     * and does not drain it on SIGINT: frames of the last moments before a stop would be lost.
     */
    private static final Duration DRAIN = Duration.ofMillis(1500);

    private final Background tshark;
    private final Path file;

    private Capture(Background tshark, Path file) {
        this.tshark = tshark;
        this.file = file;
    }

    static Capture start(Netns ns, String link, Path file) throws InterruptedException {
        return start(ns, link, file, 0);
    }

    /** Like {@link #start(Netns, String, Path)}, keeping only the first {@code snaplen} bytes of each frame (0: all). */
    static Capture start(Netns ns, String link, Path file, int snaplen) throws InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("tshark", "-n", "-q", "-i", link));
        if (snaplen > 0) {
            cmd.addAll(java.util.List.of("-s", Integer.toString(snaplen)));
        }
        cmd.addAll(java.util.List.of("-w", file.toString()));
        Background b = ns.spawn(cmd.toArray(new String[0]));
        // "Capturing on ..." comes before dumpcap is attached; "File: ..." once it writes.
        b.awaitLine(line -> line.contains("File:"), Duration.ofSeconds(30));
        return new Capture(b, file);
    }

    Path file() {
        return file;
    }

    /** Lets the last frames reach the file, then stops tshark and waits for it to finish the file. */
    Path stop() throws InterruptedException {
        if (tshark.isAlive()) {
            Thread.sleep(DRAIN);
            tshark.signal("INT");
            tshark.awaitExit(Duration.ofSeconds(30));
        }
        return file;
    }

    @Override
    public void close() {
        tshark.close();
    }
}
