package org.jnetstack.bench.tcp;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Steady-state bulk TCP between two stacks in one JVM (see {@link BulkPair}): one operation moves
 * 1 MiB of payload from the client application to the server application, through both stacks,
 * full checksums. A loop iteration can deliver more than 1 MiB (a whole 4 MiB window at MTU
 * 65535); the excess counts toward the next operations ({@link BulkPair#advance}), so operations
 * per second are MiB/s. With {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes allocated per MiB;
 * the {@code segments} column (data segments plus ACKs, both stacks' {@code tcp.tx.segments}, per
 * operation) turns that into bytes per segment.
 *
 * <pre>{@code bench/run.sh TcpBulk -prof gc}</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TcpBulkBenchmark {
    static final long OP_BYTES = 1 << 20;

    @Param({"1500", "65535"})
    int mtu;

    BulkPair pair;

    @Setup(Level.Trial)
    public void setUp() {
        pair = new BulkPair(mtu, 4 << 20);
        pair.transfer(64L << 20); // slow start done, buffers allocated, window fully open
    }

    /** Segments both stacks sent, reported per operation (JMH divides by the op count). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Segments {
        public long segments;
        public long mebibytes;

        /** JMH does not reset aux counters itself. */
        @Setup(Level.Iteration)
        public void reset() {
            segments = 0;
            mebibytes = 0;
        }
    }

    @Benchmark
    public long mebibyte(Segments s) {
        long seg0 = pair.stacks.segments();
        pair.advance(OP_BYTES); // not transfer: one op is 1 MiB moved, not one loop iteration's window
        s.segments += pair.stacks.segments() - seg0;
        s.mebibytes++;
        return pair.received;
    }

    @TearDown(Level.Trial)
    public void check() {
        pair.check();
    }
}
