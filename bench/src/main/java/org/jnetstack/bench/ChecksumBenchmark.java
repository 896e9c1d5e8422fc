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

/** The Internet checksum (RFC 1071) over a full Ethernet payload: the per-byte cost every packet pays. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChecksumBenchmark {
    @Param({"1500"})
    public int length;

    private byte[] data;

    @Setup
    public void setUp() {
        // Two spare bytes for the unaligned variant.
        data = new byte[length + 2];
        new SplittableRandom(42).nextBytes(data);
    }

    @Benchmark
    public int partial() {
        return Checksum.partial(data, 0, length, 0);
    }

    /** At offset 2 (mod 4), like an IPv4 header at byte 14 of a frame: not 4-byte aligned. */
    @Benchmark
    public int partialUnaligned() {
        return Checksum.partial(data, 2, length, 0);
    }
}
