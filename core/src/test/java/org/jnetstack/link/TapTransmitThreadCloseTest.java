package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jnetstack.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transmit thread's descriptor hand-over: when {@code close()} cannot stop the thread in time
 * (here a frame write that blocks until the test lets it go), the descriptor is not closed under
 * that write — a number the kernel could hand out again — and the thread closes it when it ends.
 * The descriptor is a real one (a temporary file), so "closed" is read from {@code /proc/self/fd}.
 * No root needed.
 */
class TapTransmitThreadCloseTest {
    private static final int FRAME = 1_500;
    private static final int FRAMES = 50;

    @Test
    void aThreadStuckInWriteClosesTheDescriptorItselfWhenItEnds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tx");
        Files.createFile(file);
        int fd = open(file);
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Byte> firstBytes = new ArrayList<>();
        Counters counters = new Counters();
        TapTransmitThread tx = new TapTransmitThread("stuck", fd, (address, length) -> {
            inWrite.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            firstBytes.add(MemorySegment.ofAddress(address).reinterpret(length).get(ValueLayout.JAVA_BYTE, 0));
            return length;
        }, 0, new FrameRing(1 << 20, FRAME), 0, counters.counter("tx.frames"), counters.counter("tx.bytes"),
                counters.counter("tx.errors"), counters.counter("tx.link_down"));
        tx.start();
        byte[] frame = new byte[FRAME];
        for (int i = 0; i < FRAMES; i++) {
            frame[0] = (byte) i;
            assertThat(tx.offer(new byte[0], frame, 0, FRAME)).isTrue();
        }
        assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();

        // The thread is inside a write: close() gives up after 100 ms and hands the descriptor
        // over (false: the caller must not close it); it is still open, and nothing new is taken.
        assertThat(tx.close(100)).isFalse();
        assertThat(tx.thread().isAlive()).isTrue();
        assertThat(linkOf(fd)).isEqualTo(file.toRealPath().toString());
        assertThat(tx.offer(new byte[0], frame, 0, FRAME)).as("nothing is taken after close").isFalse();

        // Let it go: it writes everything queued, in order, then ends and closes the descriptor.
        release.countDown();
        tx.thread().join(10_000);
        assertThat(tx.thread().isAlive()).isFalse();
        assertThat(counters.get("tx.frames")).isEqualTo(FRAMES);
        assertThat(firstBytes).hasSize(FRAMES);
        for (int i = 0; i < FRAMES; i++) {
            assertThat(firstBytes.get(i)).isEqualTo((byte) i);
        }
        assertThat(linkOf(fd)).as("descriptor %d after the thread ended", fd).isNotEqualTo(file.toRealPath().toString());
    }

    @Test
    void aThreadThatEndsInTimeLeavesTheDescriptorToTheCaller(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tx");
        Files.createFile(file);
        int fd = open(file);
        try {
            Counters counters = new Counters();
            TapTransmitThread tx = new TapTransmitThread("prompt", fd, null, 0, new FrameRing(1 << 16, FRAME), 0,
                    counters.counter("tx.frames"), counters.counter("tx.bytes"),
                    counters.counter("tx.errors"), counters.counter("tx.link_down"));
            tx.start();
            byte[] frame = new byte[FRAME];
            frame[7] = 42;
            assertThat(tx.offer(new byte[0], frame, 0, FRAME)).isTrue();
            assertThat(tx.close(10_000)).isTrue();
            assertThat(tx.thread().isAlive()).isFalse();
            assertThat(counters.get("tx.frames")).isEqualTo(1);
            assertThat(linkOf(fd)).isEqualTo(file.toRealPath().toString()); // still open: the caller's
            assertThat(Files.readAllBytes(file)).isEqualTo(frame); // and the real write(2) wrote it
        } finally {
            TunCalls.close(fd);
        }
    }

    @Test
    void aThreadNeverStartedLeavesTheDescriptorToTheCaller() {
        Counters counters = new Counters();
        TapTransmitThread tx = new TapTransmitThread("unstarted", -1, null, 0, new FrameRing(1 << 16, FRAME), 0,
                counters.counter("tx.frames"), counters.counter("tx.bytes"),
                counters.counter("tx.errors"), counters.counter("tx.link_down"));
        assertThat(tx.close(10)).isTrue();
    }

    private static int open(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(TunCalls.CAPTURE_LAYOUT);
            int fd = TunCalls.open(state, arena.allocateFrom(file.toString()), TunCalls.O_RDWR | TunCalls.O_CLOEXEC);
            assertThat(fd).as("open %s", file).isGreaterThanOrEqualTo(0);
            return fd;
        }
    }

    /** What descriptor {@code fd} of this process refers to, or "" when it is not open. */
    private static String linkOf(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
