package org.jnetstack.bench.tcp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;

/**
 * End-to-end TCP between two stacks in one JVM on one virtual-clock loop (see {@link TwoStacks}),
 * measured in wall time, side by side in one run:
 * <ul>
 *   <li>{@code bulk}: one connection a → b, Gbit/s of application payload, at MTU 1500 and 65535;</li>
 *   <li>{@code rr}: request/response round trips per second on one connection (1 and 64 bytes);</li>
 *   <li>{@code cps}: connection setups per second (connect, accept, data-less close by both sides).</li>
 * </ul>
 * Every result is the median of several runs, each after a warm-up; every run is checked clean
 * (no drop, no retransmission, no loop error).
 *
 * <pre>{@code java -cp ... org.jnetstack.bench.tcp.TcpInProcessRun [--seconds 5] [--runs 3] [--warmup 2] [--buffers BYTES] [--mtu BYTES] [--app copy|inplace|inplace-touch] [--family 4|6|both] [bulk] [rr] [cps]}</pre>
 *
 * <p>{@code --app} chooses what the bulk applications do with the payload (see {@link BulkPair.App}):
 * copy it in and out (the default), or write and read it in place. {@code --family} runs bulk over
 * IPv4 (the default), IPv6 (fd00::1 → fd00::2), or both, each IPv4 run followed by an IPv6 one.
 */
public final class TcpInProcessRun {
    private TcpInProcessRun() {
    }

    public static void main(String[] args) {
        double seconds = 5;
        double warmup = 2;
        int runs = 3;
        int buffers = org.jnetstack.tcp.TcpConfig.defaults().sendBuffer(); // the stack's default (256 KiB)
        List<String> what = new ArrayList<>();
        int[] mtus = {1500, 65535};
        BulkPair.App app = BulkPair.App.COPY;
        int[] families = {4};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--buffers" -> buffers = Integer.parseInt(args[++i]);
                case "--mtu" -> mtus = new int[] {Integer.parseInt(args[++i])};
                case "--app" -> app = BulkPair.App.ofOption(args[++i]);
                case "--family" -> families = switch (args[++i]) {
                    case "4" -> new int[] {4};
                    case "6" -> new int[] {6};
                    case "both" -> new int[] {4, 6};
                    default -> throw new IllegalArgumentException("--family takes 4, 6 or both: " + args[i]);
                };
                case "bulk", "rr", "cps" -> what.add(args[i]);
                default -> {
                    System.err.println("usage: TcpInProcessRun [--seconds S] [--warmup S] [--runs N] [--buffers BYTES] [--mtu BYTES] [--app copy|inplace|inplace-touch] [--family 4|6|both] [bulk] [rr] [cps]");
                    System.exit(2);
                }
            }
        }
        if (what.isEmpty()) {
            what = List.of("bulk", "rr", "cps");
        }
        System.out.printf(Locale.ROOT, "%d CPUs, %s; %d runs of %.1f s after %.1f s warm-up, median reported; checksum %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), runs, seconds, warmup,
                org.jnetstack.wire.Checksum.simd() ? "SIMD (jdk.incubator.vector)" : "scalar");
        long measure = (long) (seconds * 1e9);
        long warm = (long) (warmup * 1e9);
        if (what.contains("bulk")) {
            for (int mtu : mtus) {
                // with both families, each run of IPv4 is followed by one of IPv6 (interleaved, one JVM)
                double[][] r = new double[families.length][runs];
                for (int i = 0; i < runs; i++) {
                    for (int f = 0; f < families.length; f++) {
                        r[f][i] = bulk(mtu, buffers, app, families[f], warm, measure, i);
                    }
                }
                for (int f = 0; f < families.length; f++) {
                    System.out.printf(Locale.ROOT, "bulk mtu=%d buffers=%d KiB app=%s%s: median %.2f Gbit/s (runs %s)%n",
                            mtu, buffers >> 10, app.option(), families[f] == 6 ? " ipv6" : "", median(r[f]), list(r[f], "%.2f"));
                }
            }
        }
        if (what.contains("rr")) {
            for (int size : new int[] {1, 64}) {
                double[] r = new double[runs];
                for (int i = 0; i < runs; i++) {
                    r[i] = requestResponse(size, warm, measure, i);
                }
                System.out.printf(Locale.ROOT, "rr size=%d: median %.0f round trips/s (runs %s)%n", size, median(r), list(r, "%.0f"));
            }
        }
        if (what.contains("cps")) {
            double[] r = new double[runs];
            for (int i = 0; i < runs; i++) {
                r[i] = connectionSetups(warm, measure, i);
            }
            System.out.printf(Locale.ROOT, "cps: median %.0f connections/s (runs %s)%n", median(r), list(r, "%.0f"));
        }
    }

    /** Gbit/s of payload the server application read during {@code measureNanos} of wall time. */
    static double bulk(int mtu, int buffers, BulkPair.App app, int family, long warmNanos, long measureNanos, int run) {
        BulkPair p = new BulkPair(mtu, buffers, app, family);
        long slice = 8L << 20;
        long end = System.nanoTime() + warmNanos;
        while (System.nanoTime() < end) {
            p.transfer(slice);
        }
        long bytes0 = p.received;
        long seg0 = p.stacks.a.counters().get("tcp.tx.segments");
        long ack0 = p.stacks.b.counters().get("tcp.tx.segments");
        // CPU time as well as wall time (threadCpuNanos), and bytes allocated by the loop's thread.
        var allocation = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threadCpuNanos();
        long alloc0 = allocation.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        end = t0 + measureNanos;
        long t;
        while ((t = System.nanoTime()) < end) {
            p.transfer(slice);
        }
        long cpu = threadCpuNanos() - cpu0;
        long allocated = allocation.getCurrentThreadAllocatedBytes() - alloc0;
        long bytes = p.received - bytes0;
        long segs = p.stacks.a.counters().get("tcp.tx.segments") - seg0;
        long acks = p.stacks.b.counters().get("tcp.tx.segments") - ack0;
        double gbps = bytes * 8.0 / (t - t0);
        System.out.printf(Locale.ROOT,
                "  bulk mtu=%d app=%s%s run %d: %.2f Gbit/s (%.2f per CPU-second, %.0f%% CPU), %d MB in %.2f s, %d data segments (%.0f B each, %.2f M/s), %d ACKs (%.2f per data segment), %.3f B allocated per segment, mss %d, cwnd %d%n",
                mtu, app.option(), family == 6 ? " ipv6" : "", run + 1, gbps, bytes * 8.0 / cpu, 100.0 * cpu / (t - t0), bytes / 1_000_000, (t - t0) / 1e9, segs, (double) bytes / segs, segs / ((t - t0) / 1e3),
                acks, (double) acks / segs, (double) allocated / (segs + acks), p.client.info().mss(), p.client.info().cwnd());
        return gbps;
    }

    /** Round trips per second: the client sends {@code size} bytes, the server echoes them, repeat. */
    static double requestResponse(int size, long warmNanos, long measureNanos, int run) {
        TwoStacks s = new TwoStacks(1500, 256, TcpConfig.defaults());
        byte[] req = new byte[size];
        byte[] buf = new byte[4096];
        long[] trips = {0};
        int[] got = {0};
        s.b.tcp().listen(7, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setNoDelay(true);
                c.setHandler(new TcpHandler() {
                    @Override
                    public void onReceive(TcpConnection c) {
                        int n;
                        while ((n = c.read(buf, 0, buf.length)) > 0) {
                            c.write(buf, 0, n); // echo
                        }
                    }
                });
            }
        });
        TcpConnection client = s.a.tcp().connect(TwoStacks.B, 7, new TcpHandler() {
            @Override
            public void onConnected(TcpConnection c) {
                c.setNoDelay(true);
                c.write(req, 0, size);
            }

            @Override
            public void onReceive(TcpConnection c) {
                int n;
                while ((n = c.read(buf, 0, buf.length)) > 0) {
                    got[0] += n;
                }
                if (got[0] == size) { // the whole response: next request
                    got[0] = 0;
                    trips[0]++;
                    c.write(req, 0, size);
                }
            }
        });
        long[] stop = {0};
        java.util.function.BooleanSupplier due = () -> trips[0] >= stop[0];
        // Runs in batches of 1024 trips, checking the wall clock between batches.
        stop[0] = 1024;
        long end = System.nanoTime() + warmNanos;
        while (System.nanoTime() < end) {
            runOrFail(s, due, client);
            stop[0] += 1024;
        }
        long trips0 = trips[0];
        long cpu0 = threadCpuNanos();
        long t0 = System.nanoTime();
        end = t0 + measureNanos;
        long t;
        while ((t = System.nanoTime()) < end) {
            runOrFail(s, due, client);
            stop[0] += 1024;
        }
        long cpu = threadCpuNanos() - cpu0;
        double rate = (trips[0] - trips0) / ((t - t0) / 1e9);
        System.out.printf(Locale.ROOT, "  rr size=%d run %d: %.0f round trips/s (%.0f per CPU-second, %.0f%% CPU; %.2f µs each), %d segments, retransmits %d%n",
                size, run + 1, rate, (trips[0] - trips0) / (cpu / 1e9), 100.0 * cpu / (t - t0), 1e6 / rate, s.segments(), s.retransmits());
        return rate;
    }

    /**
     * Setups per second: connect, accept, the client closes at once, the server closes on the
     * FIN; one cycle ends when both ends are done (client in TIME_WAIT, server CLOSED). Every
     * 4096 cycles the virtual clock runs 2 MSL ahead so TIME_WAIT ends and ports come free; that
     * time is counted too.
     */
    static double connectionSetups(long warmNanos, long measureNanos, int run) {
        TwoStacks s = new TwoStacks(1500, 256, TcpConfig.defaults());
        long[] serverClosed = {0};
        long[] clientClosed = {0};
        IOException[] error = {null};
        TcpHandler serverHandler = new TcpHandler() {
            @Override
            public void onEndOfInput(TcpConnection c) {
                c.close();
            }

            @Override
            public void onClosed(TcpConnection c) {
                serverClosed[0]++;
            }

            @Override
            public void onError(TcpConnection c, IOException e) {
                error[0] = e;
            }
        };
        TcpHandler clientHandler = new TcpHandler() {
            @Override
            public void onConnected(TcpConnection c) {
                c.close();
            }

            @Override
            public void onEndOfInput(TcpConnection c) {
                // the server's FIN; nothing to read
            }

            @Override
            public void onClosed(TcpConnection c) {
                clientClosed[0]++;
            }

            @Override
            public void onError(TcpConnection c, IOException e) {
                error[0] = e;
            }
        };
        s.b.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(serverHandler);
            }
        });
        long msl2 = 2 * TcpConfig.defaults().msl().toNanos() + 1_000_000_000L;
        long[] cycles = {0};
        Runnable cycle = () -> {
            long want = cycles[0] + 1;
            s.a.tcp().connect(TwoStacks.B, 80, clientHandler);
            if (!s.loop.runUntil(() -> (serverClosed[0] >= want && clientClosed[0] >= want) || error[0] != null, TwoStacks.FOREVER)
                    || error[0] != null) {
                throw new IllegalStateException("cycle " + want + " failed", error[0]);
            }
            cycles[0] = want;
            if ((want & 4095) == 0) {
                s.loop.runFor(msl2); // TIME_WAIT ends
            }
        };
        long end = System.nanoTime() + warmNanos;
        while (System.nanoTime() < end) {
            cycle.run();
        }
        long c0 = cycles[0];
        long cpu0 = threadCpuNanos();
        long t0 = System.nanoTime();
        end = t0 + measureNanos;
        long t;
        while ((t = System.nanoTime()) < end) {
            cycle.run();
        }
        long cpu = threadCpuNanos() - cpu0;
        double rate = (cycles[0] - c0) / ((t - t0) / 1e9);
        System.out.printf(Locale.ROOT, "  cps run %d: %.0f setups/s (%.0f per CPU-second, %.0f%% CPU; %.2f µs each), %d cycles, %d segments per cycle, retransmits %d, active opens %d%n",
                run + 1, rate, (cycles[0] - c0) / (cpu / 1e9), 100.0 * cpu / (t - t0), 1e6 / rate, cycles[0], s.segments() / cycles[0], s.retransmits(),
                s.a.counters().get("tcp.active_opens"));
        return rate;
    }

    /**
     * CPU time of this (the loop's) thread: on a shared machine other jobs take the core at random
     * moments, and work per CPU-second shows the stacks' own cost where wall-clock rates do not.
     */
    static long threadCpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static void runOrFail(TwoStacks s, java.util.function.BooleanSupplier done, TcpConnection c) {
        if (!s.loop.runUntil(done, TwoStacks.FOREVER)) {
            throw new IllegalStateException("round trips stalled: " + c.info());
        }
    }

    static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    static String list(double[] v, String fmt) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, fmt, d));
        }
        return sb.toString();
    }
}
