package org.jnetstack.bench.tcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.link.TapOptions;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.Ipv4Address;

/**
 * The stack side of {@code bench/tcp-e2e.sh}: a stack on a TAP interface, on its own loop thread,
 * serving TCP discard on port 9 (prints {@code discard BYTES SECONDS} from accept to the peer's
 * FIN for every connection), and obeying lines on standard input:
 * {@code send HOST PORT BYTES} connects, writes BYTES from a fixed buffer, closes, and prints
 * {@code sent BYTES SECONDS} (connect to the peer's FIN: every byte acknowledged and read).
 * End of input stops it. Prints {@code up TAP} once the TAP exists.
 *
 * Every report line also gives the loop thread's and the process's CPU time for the transfer.
 * {@code -Djnetstack.tap.transmitRing=true} opens the TAP with a transmit thread (TapOptions),
 * {@code -Djnetstack.bench.tap.spinNanos=N} sets how long that thread polls before parking.
 *
 * <pre>{@code java -cp ... org.jnetstack.bench.tcp.TcpTapTarget jnsb0 10.77.0.2/24 [BUFFER-BYTES]}</pre>
 */
public final class TcpTapTarget {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** The loop's thread id, for its CPU time (user + system: the kernel work our writes do). */
    private static volatile long loopThreadId = -1;

    private TcpTapTarget() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TcpTapTarget TAP-NAME ADDRESS/PREFIX [BUFFER-BYTES|default [offload|no-offload]]");
            System.exit(2);
        }
        TcpConfig cfg = TcpConfig.defaults();
        if (args.length > 2 && !args[2].equals("default")) {
            int b = Integer.parseInt(args[2]);
            cfg = cfg.withBuffers(b, b);
        }
        EventLoop loop = EventLoop.system();
        boolean offload = args.length > 3 && args[3].equals("offload");
        // -Djnetstack.tap.transmitRing=true|BYTES (TapOptions) switches the transmit thread on;
        // -Djnetstack.bench.tap.spinNanos sets how long it polls before parking.
        TapOptions options = TapOptions.defaults().withOffloads(offload)
                .withTransmitSpinNanos(Long.getLong("jnetstack.bench.tap.spinNanos", TapOptions.DEFAULT_TRANSMIT_SPIN_NANOS));
        TapDevice tap = TapDevice.open(args[0], null, TapDevice.DEFAULT_MTU, options);
        NetStack stack = NetStack.builder(loop).name("tcp-target").device(tap).address(args[1]).tcpConfig(cfg).build();
        byte[] sink = new byte[256 * 1024];
        stack.tcp().listen(9, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                long start = System.nanoTime();
                long[] cpuStart = cpuNow();
                c.setHandler(new TcpHandler() {
                    long bytes;

                    @Override
                    public void onReceive(TcpConnection c) {
                        int n;
                        while ((n = c.read(sink, 0, sink.length)) > 0) {
                            bytes += n;
                        }
                    }

                    @Override
                    public void onEndOfInput(TcpConnection c) {
                        onReceive(c);
                        report("discard", bytes, start, cpuStart, c);
                        c.close();
                    }
                });
            }
        });
        loop.start("tcp-target-loop");
        CountDownLatch started = new CountDownLatch(1);
        loop.execute(() -> {
            loopThreadId = Thread.currentThread().threadId();
            started.countDown();
        });
        started.await();
        System.out.println("up " + tap.name() + " offloads " + tap.offloadStatus() + " transmit thread "
                + (options.transmitThread() ? "on (ring " + options.transmitRingBytes() + " B, spin " + options.transmitSpinNanos() + " ns)" : "off"));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[0].equals("send")) {
                send(stack, Ipv4Address.parseBits(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]));
            }
        }
        loop.close();
        var c = stack.counters();
        System.out.println("stack: tcp.rx.segments=" + c.get("tcp.rx.segments") + " tcp.tx.segments=" + c.get("tcp.tx.segments")
                + " tcp.retransmitted_segments=" + c.get("tcp.retransmitted_segments")
                + " tap.rx.frames=" + tap.stats().rxFrames.get() + " tap.tx.frames=" + tap.stats().txFrames.get()
                + " tap.rx.gso_frames=" + tap.stats().counters().get("rx.gso_frames")
                + " tap.tx.gso_frames=" + tap.stats().counters().get("tx.gso_frames")
                + " tap.tx.dropped=" + tap.stats().txDropped.get()
                + " tap.tx.dropped.ring_full=" + tap.stats().counters().get("tx.dropped.ring_full")
                + " loop.errors=" + loop.counters().get("loop.errors"));
        tap.close();
    }

    private static void send(NetStack stack, int host, int port, long total) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        byte[] out = new byte[256 * 1024];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (i * 31 + 7);
        }
        long start = System.nanoTime();
        long[] cpuStart = cpuNow();
        stack.loop().execute(() -> stack.tcp().connect(host, port, new TcpHandler() {
            long written;

            @Override
            public void onConnected(TcpConnection c) {
                pump(c);
            }

            @Override
            public void onSent(TcpConnection c, int bytes) {
                pump(c);
            }

            void pump(TcpConnection c) {
                while (written < total && !c.isOutputShutdown()) {
                    int n = c.write(out, 0, (int) Math.min(out.length, total - written));
                    if (n == 0) {
                        return;
                    }
                    written += n;
                }
                if (written == total && !c.isOutputShutdown()) {
                    c.shutdownOutput();
                }
            }

            @Override
            public void onEndOfInput(TcpConnection c) {
                report("sent", written, start, cpuStart, c); // the receiver read everything and closed
                c.close();
                done.countDown();
            }

            @Override
            public void onError(TcpConnection c, IOException e) {
                System.out.println("error " + e);
                done.countDown();
            }
        }));
        if (!done.await(600, TimeUnit.SECONDS)) {
            System.out.println("error: send timed out");
        }
        System.out.flush();
    }

    /**
     * The loop thread's and the whole process's CPU time so far (ns): both include the kernel work
     * done in our system calls, so "Gbit/s per CPU-second" compares runs on the shared machine.
     */
    private static long[] cpuNow() {
        long loopCpu = loopThreadId < 0 ? 0 : THREADS.getThreadCpuTime(loopThreadId);
        long processCpu = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime();
        return new long[] {loopCpu, processCpu};
    }

    private static void report(String what, long bytes, long start, long[] cpuStart, TcpConnection c) {
        double s = (System.nanoTime() - start) / 1e9;
        long[] cpu = cpuNow();
        double loopCpu = (cpu[0] - cpuStart[0]) / 1e9;
        double processCpu = (cpu[1] - cpuStart[1]) / 1e9;
        var i = c.info();
        System.out.printf(Locale.ROOT, "%s %d %.4f %.2f Gbit/s mss=%d retransmitted=%d loop-cpu=%.2fs (%.2f Gbit/s per CPU-s)"
                        + " process-cpu=%.2fs (%.2f Gbit/s per CPU-s)%n", what, bytes, s, bytes * 8 / s / 1e9,
                i.mss(), i.retransmittedSegments(), loopCpu, bytes * 8 / loopCpu / 1e9, processCpu, bytes * 8 / processCpu / 1e9);
        System.out.flush();
    }
}
