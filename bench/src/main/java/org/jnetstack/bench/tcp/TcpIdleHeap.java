package org.jnetstack.bench.tcp;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;

/**
 * Heap per idle established connection: opens N connections between two stacks in one JVM
 * (see {@link TwoStacks}), lets them idle a virtual minute (delayed ACKs sent, nothing
 * outstanding), collects garbage, and divides the heap growth by the number of connection
 * endpoints (2N: each connection has a client and a server end, both in this heap). Nothing was
 * written or read, so the lazily allocated send and receive buffers should not exist. A class
 * histogram diff (before vs after, live objects only) shows where the bytes are.
 *
 * <pre>{@code java -cp ... org.jnetstack.bench.tcp.TcpIdleHeap [N]}</pre>
 */
public final class TcpIdleHeap {
    static final int BATCH = 100;
    /** Frames per wire end: room for one batch's SYNs and ACKs. */
    static final int QUEUE = 256;
    /** Warm-up connections: 300 SYN-ACKs through one end's ring, 600 SYNs and ACKs through the other. */
    static final int WARMUP = 300;

    private TcpIdleHeap() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        TwoStacks s = new TwoStacks(1500, QUEUE, TcpConfig.defaults());
        TcpHandler idle = new TcpHandler() { };
        s.b.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(idle);
            }
        });
        // Some connections first, so every class and table on the path exists before "before",
        // and every slot of the wire's frame rings has been used once (they are allocated on
        // first use: wire memory, not connection memory).
        List<TcpConnection> clients = new ArrayList<>(n + WARMUP);
        open(s, clients, idle, WARMUP);
        s.loop.runFor(60_000_000_000L);
        Map<String, long[]> h0 = histogram();
        long before = usedAfterGc();
        open(s, clients, idle, n);
        s.loop.runFor(60_000_000_000L); // idle a virtual minute
        long after = usedAfterGc();
        Map<String, long[]> h1 = histogram();
        long established = clients.stream().filter(c -> c.state() == TcpState.ESTABLISHED).count();
        long serverEnds = s.b.tcp().connections().size();
        if (established != n + WARMUP || serverEnds != n + WARMUP) {
            throw new IllegalStateException("expected " + (n + WARMUP) + " established, got " + established + " clients, "
                    + serverEnds + " server ends");
        }
        long delta = after - before;
        System.out.printf(Locale.ROOT, "%d idle established connections (%d endpoints): heap +%d bytes = %.0f B per endpoint, %.0f B per connection (both ends)%n",
                n, 2 * n, delta, delta / (2.0 * n), delta / (double) n);
        System.out.println("live-object growth by class, per endpoint (top 20):");
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        for (var e : h1.entrySet()) {
            long[] a = e.getValue();
            long[] b = h0.getOrDefault(e.getKey(), new long[2]);
            rows.add(Map.entry(e.getKey(), new long[] {a[0] - b[0], a[1] - b[1]}));
        }
        rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        for (int i = 0; i < Math.min(20, rows.size()); i++) {
            long[] v = rows.get(i).getValue();
            System.out.printf(Locale.ROOT, "  %8.1f B %6.2f objects  %s%n", v[1] / (2.0 * n), v[0] / (2.0 * n), rows.get(i).getKey());
        }
        System.out.println("tcp.tx.segments=" + s.segments() + " retransmits=" + s.retransmits()
                + " syn_cookies_sent=" + s.b.counters().get("tcp.syn_cookies_sent") + " loop.errors=" + s.loopErrors());
    }

    /** Opens {@code count} more connections, 100 at a time (within the listener's SYN queue). */
    private static void open(TwoStacks s, List<TcpConnection> clients, TcpHandler h, int count) {
        for (int done = 0; done < count; ) {
            int batch = Math.min(BATCH, count - done);
            List<TcpConnection> now = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                now.add(s.a.tcp().connect(TwoStacks.B, 80, h));
            }
            if (!s.loop.runUntil(() -> now.stream().allMatch(c -> c.state() == TcpState.ESTABLISHED), 10_000_000_000L)) {
                throw new IllegalStateException("connections did not open: " + now.get(0));
            }
            clients.addAll(now);
            done += batch;
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Live objects per class (a full GC first), from the GC.class_histogram diagnostic command. */
    private static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> m = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return m;
    }
}
