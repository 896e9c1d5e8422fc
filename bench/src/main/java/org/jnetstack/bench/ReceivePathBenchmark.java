package org.jnetstack.bench;

import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopConfig;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Frames per second through the whole receive path — device, event loop, Ethernet, IPv4,
 * ICMP or UDP — on the benchmark thread, one loop turn taking a batch of
 * {@link LoopConfig#DEFAULT_RECEIVE_BATCH} frames. One operation is one frame. Run with {@code -prof gc}:
 * {@code gc.alloc.rate.norm} is the bytes allocated per frame, which should be 0.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ReceivePathBenchmark {
    static final int BATCH = LoopConfig.DEFAULT_RECEIVE_BATCH;
    static final MacAddress STACK_MAC = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress PEER_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final int STACK_IP = Ipv4Address.parseBits("10.99.0.2");
    static final int PEER_IP = Ipv4Address.parseBits("10.99.0.1");
    static final int UDP_PORT = 7000;

    /** A stack on a system-clock loop, run on the benchmark thread, with its peer already resolved. */
    @State(Scope.Thread)
    public abstract static class StackState {
        /** Data bytes after the ICMP or UDP header: 56 is ping's default; 1400 a near-MTU datagram. */
        @Param({"56", "1400"})
        public int payload;

        EventLoop loop;
        BenchDevice device;
        NetStack stack;
        long delivered;

        @Setup(Level.Trial)
        public void setUp() {
            loop = EventLoop.system();
            device = new BenchDevice(STACK_MAC);
            // Echo replies are rate-limited by default (1000/s); lift the limit to measure the path itself.
            StackConfig config = StackConfig.defaults().toBuilder()
                    .icmpEchoRate(Integer.MAX_VALUE, Integer.MAX_VALUE).build();
            stack = NetStack.builder(loop).device(device).address(new Ipv4Address(STACK_IP), 24)
                    .config(config).seed(1).build();
            stack.iface().neighbors().putStatic(PEER_IP, PEER_MAC);
            stack.udp().open(UDP_PORT, (ep, src, sport, buf, off, len) -> delivered++);
            device.frame(frame());
            loop.runPending();
        }

        abstract byte[] frame();

        /** Proves the benchmark measured what it claims: every frame reached its layer and was handled. */
        @TearDown(Level.Trial)
        public void check() {
            verify(stack.counters());
            loop.close();
        }

        abstract void verify(Counters c);

        static void require(boolean ok, String what, Counters c) {
            if (!ok) {
                throw new IllegalStateException("benchmark did not do what it claims: " + what + "\n" + c);
            }
        }
    }

    public static class EchoState extends StackState {
        @Override
        byte[] frame() {
            return Frames.echoRequest(PEER_MAC.bits(), PEER_IP, STACK_MAC.bits(), STACK_IP, payload);
        }

        @Override
        void verify(Counters c) {
            long requests = c.get("icmp.rx.echo_requests");
            require(requests > 0 && c.get("icmp.tx.echo_replies") == requests, "every echo request answered", c);
            require(device.sent >= requests, "replies handed to the device", c);
        }
    }

    public static class UdpState extends StackState {
        @Override
        byte[] frame() {
            return Frames.udp(PEER_MAC.bits(), PEER_IP, 40000, STACK_MAC.bits(), STACK_IP, UDP_PORT, payload);
        }

        @Override
        void verify(Counters c) {
            long datagrams = c.get("udp.rx.datagrams");
            require(datagrams > 0 && delivered == datagrams, "every datagram delivered to the endpoint", c);
        }
    }

    /** An echo request in; the reply built in place and handed to a device that discards it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void icmpEchoRequest(EchoState s) {
        s.device.arm(BATCH);
        s.loop.runPending();
    }

    /** A UDP datagram in, checksum verified, delivered to a bound endpoint whose handler does nothing. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void udpToBoundPort(UdpState s) {
        s.device.arm(BATCH);
        s.loop.runPending();
    }
}
