package org.jnetstack.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jnetstack.wire.Checksum;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The raw rates of the passes a bulk TCP segment takes on its way through the stack: a copy of
 * {@code length} bytes, the Internet checksum over them, the two one after the other, and the
 * fused copy-and-sum that replaces those two. {@code regions} distinct source/destination pairs
 * are cycled through, so {@code regions = 1} measures data in the core's cache and larger values
 * a working set like the stacks' rings (256 KiB each) that spills out of the 512 KiB L2.
 *
 * <p>{@code bench/run.sh CopyChecksum -jvmArgsAppend "--add-modules jdk.incubator.vector"} for the
 * SIMD kernels (without the module both checksums are the scalar loop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CopyChecksumBenchmark {
    @Param({"65536"})
    public int length;

    @Param({"1", "8"})
    public int regions;

    private byte[][] src;
    private byte[][] dst;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        src = new byte[regions][length];
        dst = new byte[regions][length];
        for (byte[] s : src) {
            random.nextBytes(s);
        }
    }

    private int region() {
        int r = next;
        next = r + 1 == regions ? 0 : r + 1;
        return r;
    }

    @Benchmark
    public byte[] copy() {
        int r = region();
        System.arraycopy(src[r], 0, dst[r], 0, length);
        return dst[r];
    }

    @Benchmark
    public int checksum() {
        return Checksum.partial(src[region()], 0, length, 0);
    }

    /** What the stacks did before: copy into the frame (or ring), then sum it there. */
    @Benchmark
    public int copyThenChecksum() {
        int r = region();
        System.arraycopy(src[r], 0, dst[r], 0, length);
        return Checksum.partial(dst[r], 0, length, 0);
    }

    @Benchmark
    public int copyAndChecksum() {
        int r = region();
        return Checksum.copyAndPartial(src[r], 0, dst[r], 0, length, 0);
    }
}
