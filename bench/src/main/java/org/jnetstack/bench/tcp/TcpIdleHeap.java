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
 * Heap per connection in three phases, N connections between two stacks in one JVM (see
 * {@link TwoStacks}): <b>never used</b> (established, idle a virtual minute); <b>after one byte
 * each way</b> (the client writes a byte, the server reads it and writes one back, the client
 * reads it, then a virtual minute of idling: delayed ACKs sent, nothing outstanding); and
 * <b>TIME-WAIT</b> (the client closes, the server closes on end of input, the client's end waits
 * out 2 MSL as a small record; the bench drops its references to the connection objects, as an
 * application does after {@code onClosed}). Each phase collects garbage and divides the heap
 * growth since the start by the endpoints that hold something: 2N for the first two phases (both
 * ends are in this heap), N in TIME-WAIT (only the client's end waits). A class histogram diff
 * (live objects) shows where the bytes are.
 *
 * <pre>{@code java -Xmx512m -cp ... org.jnetstack.bench.tcp.TcpIdleHeap [N]}</pre>
 *
 * Connections use explicit local ports and {@link #PER_PORT} of them per server port, so N can
 * pass the 16,384 ephemeral ports of one client address towards one server port.
 */
public final class TcpIdleHeap {
    static final int BATCH = 100;
    /** Frames per wire end: room for one batch's SYNs and ACKs. */
    static final int QUEUE = 256;
    /** Warm-up connections: 300 SYN-ACKs through one end's ring, 600 SYNs and ACKs through the other. */
    static final int WARMUP = 300;
    /** Connections per server port (local ports 10,000 to 59,999). */
    static final int PER_PORT = 50_000;

    private TcpIdleHeap() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        // One client address opens everything: the per-source and per-listener limits, and the
        // connection and TIME-WAIT bounds, are raised for the measurement.
        TcpConfig cfg = TcpConfig.defaults().toBuilder().maxConnections(4 * (n + WARMUP))
                .maxConnectionsPerSource(4 * (n + WARMUP)).maxConnectionsPerListener(4 * (n + WARMUP))
                .maxTimeWaits(4 * (n + WARMUP)).build();
        TwoStacks s = new TwoStacks(1500, QUEUE, cfg);
        List<TcpConnection> servers = new ArrayList<>(n + WARMUP);
        byte[] one = new byte[1];
        TcpHandler echoOnce = new TcpHandler() {
            @Override
            public void onReceive(TcpConnection c) {
                int got = c.read(one, 0, 1);
                if (got > 0) {
                    c.write(one, 0, got);
                }
            }

            @Override
            public void onEndOfInput(TcpConnection c) {
                c.close();
            }
        };
        for (int port = 80; port <= 80 + (n + WARMUP) / PER_PORT; port++) {
            s.b.tcp().listen(0, port, 1024, cfg, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) {
                    c.setHandler(echoOnce);
                    servers.add(c);
                }
            });
        }
        TcpHandler reader = new TcpHandler() {
            @Override
            public void onReceive(TcpConnection c) {
                c.read(one, 0, 1);
            }
        };
        // Some connections first, so every class and table on the path exists before "before",
        // and every slot of the wire's frame rings has been used once (they are allocated on
        // first use: wire memory, not connection memory).
        List<TcpConnection> clients = new ArrayList<>(n + WARMUP);
        open(s, clients, reader, WARMUP);
        exchangeOneByte(s, clients);
        s.loop.runFor(60_000_000_000L);
        Map<String, long[]> h0 = histogram();
        long before = usedAfterGc();

        open(s, clients, reader, n);
        s.loop.runFor(60_000_000_000L); // idle a virtual minute
        check(clients, servers, n + WARMUP, s);
        long idle = usedAfterGc() - before;
        report("never used", n, 2 * n, idle);

        exchangeOneByte(s, clients.subList(WARMUP, clients.size()));
        s.loop.runFor(60_000_000_000L);
        check(clients, servers, n + WARMUP, s);
        long afterData = usedAfterGc() - before;
        Map<String, long[]> h1 = histogram();
        report("after 1 byte each way", n, 2 * n, afterData);
        System.out.printf(Locale.ROOT, "  buffer memory charged: client stack %d B, server stack %d B (pool cache %d + %d B)%n",
                s.a.tcp().memory().used(), s.b.tcp().memory().used(), s.a.tcp().memory().cachedBytes(),
                s.b.tcp().memory().cachedBytes());
        printHistogram(h0, h1, 2 * n);

        for (int i = WARMUP; i < clients.size(); i++) {
            clients.get(i).close();
            if (i % BATCH == BATCH - 1) {
                s.loop.runFor(10_000_000L); // a batch of FINs at a time: within the wire's queue
            }
        }
        s.loop.runFor(10_000_000_000L); // FINs both ways; well inside 2 MSL (60 s)
        long waiting = clients.stream().skip(WARMUP).filter(c -> c.state() == TcpState.TIME_WAIT).count();
        clients.subList(WARMUP, clients.size()).clear(); // the application lets go, as after onClosed
        servers.removeIf(c -> c.state() == TcpState.CLOSED);
        long timeWait = usedAfterGc() - before;
        Map<String, long[]> h2 = histogram();
        if (waiting != n || s.a.tcp().timeWaitCount() != n) {
            throw new IllegalStateException("expected " + n + " in TIME_WAIT, got " + waiting + " (records: "
                    + s.a.tcp().timeWaitCount() + ")");
        }
        report("TIME-WAIT", n, n, timeWait);
        printHistogram(h0, h2, n);
        System.out.println("tcp.tx.segments=" + s.segments() + " retransmits=" + s.retransmits()
                + " syn_cookies_sent=" + s.b.counters().get("tcp.syn_cookies_sent") + " loop.errors=" + s.loopErrors()
                + " max heap=" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    }

    private static void report(String phase, int n, int endpoints, long delta) {
        System.out.printf(Locale.ROOT, "%-22s %d connections: heap +%d bytes = %.0f B per endpoint (%d endpoints)%n",
                phase, n, delta, delta / (double) endpoints, endpoints);
    }

    private static void check(List<TcpConnection> clients, List<TcpConnection> servers, int want, TwoStacks s) {
        long established = clients.stream().filter(c -> c.state() == TcpState.ESTABLISHED).count();
        long serverEnds = s.b.tcp().connections().size();
        if (established != want || serverEnds != want) {
            throw new IllegalStateException("expected " + want + " established, got " + established + " clients, "
                    + serverEnds + " server ends");
        }
    }

    /** Each client writes one byte; the server echoes it; the client reads it. */
    private static void exchangeOneByte(TwoStacks s, List<TcpConnection> clients) {
        byte[] one = {7};
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).write(one, 0, 1);
            if (i % BATCH == BATCH - 1) {
                s.loop.runFor(10_000_000L);
            }
        }
        s.loop.runFor(1_000_000_000L);
    }

    private static void printHistogram(Map<String, long[]> h0, Map<String, long[]> h1, int endpoints) {
        System.out.println("  live-object growth by class, per endpoint (top 12):");
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        for (var e : h1.entrySet()) {
            long[] a = e.getValue();
            long[] b = h0.getOrDefault(e.getKey(), new long[2]);
            rows.add(Map.entry(e.getKey(), new long[] {a[0] - b[0], a[1] - b[1]}));
        }
        rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        for (int i = 0; i < Math.min(12, rows.size()); i++) {
            long[] v = rows.get(i).getValue();
            System.out.printf(Locale.ROOT, "    %8.1f B %6.2f objects  %s%n", v[1] / (double) endpoints,
                    v[0] / (double) endpoints, rows.get(i).getKey());
        }
    }

    /** Opens {@code count} more connections, 100 at a time (within the listener's SYN queue). */
    private static void open(TwoStacks s, List<TcpConnection> clients, TcpHandler h, int count) {
        for (int done = 0; done < count; ) {
            int batch = Math.min(BATCH, count - done);
            List<TcpConnection> now = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                int k = clients.size() + now.size();
                now.add(s.a.tcp().connect(10_000 + k % PER_PORT, TwoStacks.B, 80 + k / PER_PORT, h));
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
