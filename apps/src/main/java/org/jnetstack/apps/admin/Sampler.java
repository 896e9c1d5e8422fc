package org.jnetstack.apps.admin;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.link.DeviceStats;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpInfo;

/**
 * Takes one sample a second, on the loop thread, for the admin page's charts: per interface the
 * bit rate and packet rate in and out, the drops of the second by counter (each counter named
 * {@code *.drop.*} or {@code *.dropped*} is a reason), TCP connections by state, segments
 * retransmitted in the second; and for each of the few connections a page is looking at
 * ({@link #watch}, at most {@link #MAX_WATCHED}, the least recently asked for forgotten first)
 * its congestion window, send window and smoothed RTT. One sample costs a pass over the counters
 * and the connections; nothing is sampled per packet.
 */
final class Sampler {
    /** Samples kept: five minutes at one a second. */
    static final int SAMPLES = 300;
    /**
     * Series kept: 4 per interface, one per drop reason seen, one per TCP state, retransmissions.
     * Our counters name about 40 drop reasons and TCP has 11 states, so 128 leaves room for a few
     * interfaces; past it new series are refused and counted.
     */
    static final int MAX_SERIES = 128;
    /** Connections sampled for their detail view at once. */
    static final int MAX_WATCHED = 4;
    private static final long PERIOD_NANOS = 1_000_000_000L;

    private final NetStack stack;
    private final History history = new History(SAMPLES, MAX_SERIES);
    /** Watched connections by id, least recently asked for first. Guarded by itself. */
    private final LinkedHashMap<String, History> watched = new LinkedHashMap<>(8, 0.75f, true);
    private final Map<String, Long> lastCounts = new HashMap<>();
    /** TCP states seen so far: a state whose last connection went shows 0, not a gap. */
    private final java.util.Set<String> knownStates = new java.util.LinkedHashSet<>();
    /** Drop reasons that have counted something: from then on they show 0, not a gap. */
    private final java.util.Set<String> dropSeries = new java.util.HashSet<>();
    private final Timer timer;
    private long lastNanos;
    private volatile boolean stopped;

    Sampler(NetStack stack) {
        this.stack = stack;
        this.timer = stack.loop().newTimer(this::tick);
    }

    /** Starts sampling (any thread). */
    void start() {
        stack.loop().execute(() -> {
            lastNanos = System.nanoTime();
            sample(true);
            timer.schedule(PERIOD_NANOS);
        });
    }

    /** Stops sampling (any thread; the loop may be gone). */
    void stop() {
        stopped = true;
        try {
            stack.loop().execute(timer::cancel);
        } catch (IllegalStateException loopClosed) {
            // nothing runs any more
        }
    }

    History history() {
        return history;
    }

    /**
     * The history of connection {@code id} ({@link #connectionId}), sampled from now on if it was
     * not; watching a fifth forgets the one least recently asked for.
     */
    History watch(String id) {
        synchronized (watched) {
            History h = watched.get(id);
            if (h == null) {
                h = new History(SAMPLES, 3);
                watched.put(id, h);
                if (watched.size() > MAX_WATCHED) {
                    Iterator<String> oldest = watched.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
            return h;
        }
    }

    int watchedCount() {
        synchronized (watched) {
            return watched.size();
        }
    }

    /** How a connection is named in the API: its two endpoints. */
    static String connectionId(TcpInfo info) {
        return info.local() + " " + info.remote();
    }

    private void tick() {
        if (stopped) {
            return;
        }
        sample(false);
        timer.schedule(PERIOD_NANOS);
    }

    private void sample(boolean first) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        lastNanos = now;
        if (!first) {
            history.begin(System.currentTimeMillis());
        }
        for (NetInterface ni : stack.interfaces()) {
            DeviceStats d = ni.device().stats();
            String p = "if." + ni.name() + ".";
            rate(first, p + "rx_bps", d.rxBytes.get() * 8, seconds);
            rate(first, p + "tx_bps", d.txBytes.get() * 8, seconds);
            rate(first, p + "rx_pps", d.rxFrames.get(), seconds);
            rate(first, p + "tx_pps", d.txFrames.get(), seconds);
        }
        for (Counter c : stack.counters().all()) {
            String n = c.name();
            if (n.contains(".drop.") || n.contains(".dropped")) {
                long delta = delta("c." + n, c.get());
                String name = "drop." + n;
                if (!first && (delta > 0 || dropSeries.contains(name))) {
                    dropSeries.add(name);
                    history.put(name, delta);
                }
            }
        }
        rate(first, "tcp.retransmits", stack.counters().get("tcp.retransmitted_segments"), seconds);
        Map<String, Integer> states = new LinkedHashMap<>();
        Map<String, TcpInfo> infos = new HashMap<>();
        boolean anyWatched;
        synchronized (watched) {
            anyWatched = !watched.isEmpty();
        }
        for (TcpConnection c : stack.tcp().connections()) {
            TcpInfo info = c.info();
            states.merge(info.state().name(), 1, Integer::sum);
            if (anyWatched) {
                infos.put(connectionId(info), info);
            }
        }
        if (!first) {
            states.forEach((s, n) -> history.put("tcp.state." + s, n));
            for (String s : knownStates) {
                if (!states.containsKey(s)) {
                    history.put("tcp.state." + s, 0);
                }
            }
            knownStates.addAll(states.keySet());
            sampleWatched(infos);
        }
    }

    private void sampleWatched(Map<String, TcpInfo> infos) {
        long t = System.currentTimeMillis();
        synchronized (watched) {
            for (Map.Entry<String, History> e : watched.entrySet()) {
                TcpInfo info = infos.get(e.getKey());
                History h = e.getValue();
                h.begin(t);
                if (info != null) {
                    h.put("cwnd", info.cwnd());
                    h.put("sendWindow", info.sendWindow());
                    h.put("srttMs", info.srttMicros() / 1000.0);
                }
            }
        }
    }

    private void rate(boolean first, String name, long count, double seconds) {
        long delta = delta(name, count);
        if (!first) {
            history.put(name, delta / seconds);
        }
    }

    private long delta(String key, long count) {
        Long before = lastCounts.put(key, count);
        return before == null ? 0 : Math.max(0, count - before);
    }
}
