package org.jnetstack.apps.admin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin page's charts' memory: named series of one value per sample, in rings of
 * {@code capacity} samples (the oldest overwritten), all sampled together, each sample numbered.
 * A reader asks for what came after the sample number it last saw ({@link #since}), so a page that
 * polls every few seconds gets a few samples, not the whole history. At most {@code maxSeries}
 * series are kept (their names come from our own counters, but the bound holds whatever adds
 * them); a value for a series beyond it is counted in {@link #refusedSeries()} and left out.
 * A series that starts late has no value ({@code null} in JSON) for the samples before it.
 * Thread-safe: the loop thread adds, HTTP threads read.
 */
public final class History {
    private final int capacity;
    private final int maxSeries;
    private final long[] times;
    private final Map<String, double[]> series = new LinkedHashMap<>();
    /** The number the next sample gets; samples {@code next - size .. next - 1} are held. */
    private long next = 1;
    private int size;
    private long refusedSeries;
    /** The sample being written by {@link #begin}, its slot in every ring. */
    private int slot = -1;

    public History(int capacity, int maxSeries) {
        if (capacity < 1 || maxSeries < 1) {
            throw new IllegalArgumentException("capacity and maxSeries must be at least 1: " + capacity + ", " + maxSeries);
        }
        this.capacity = capacity;
        this.maxSeries = maxSeries;
        this.times = new long[capacity];
    }

    public int capacity() {
        return capacity;
    }

    /** Starts sample number {@link #latest()}{@code + 1}, taken at {@code epochMillis}: every series is empty in it until {@link #put}. */
    public synchronized void begin(long epochMillis) {
        slot = (int) (next % capacity);
        times[slot] = epochMillis;
        for (double[] ring : series.values()) {
            ring[slot] = Double.NaN;
        }
        next++;
        size = Math.min(size + 1, capacity);
    }

    /** Sets {@code name}'s value in the sample begun last. */
    public synchronized void put(String name, double value) {
        if (slot < 0) {
            throw new IllegalStateException("put before begin");
        }
        double[] ring = series.get(name);
        if (ring == null) {
            if (series.size() >= maxSeries) {
                refusedSeries++;
                return;
            }
            ring = new double[capacity];
            Arrays.fill(ring, Double.NaN);
            series.put(name, ring);
        }
        ring[slot] = value;
    }

    /** The number of the newest sample, 0 before the first. */
    public synchronized long latest() {
        return next - 1;
    }

    public synchronized long refusedSeries() {
        return refusedSeries;
    }

    public synchronized int seriesCount() {
        return series.size();
    }

    /**
     * The samples after number {@code after} (all that are held when it is older than the ring):
     * {@code {"latest": n, "times": [epoch ms...], "series": {name: [value or null...]}}}; a series
     * with no value in those samples is left out.
     */
    public synchronized Map<String, Object> since(long after) {
        long first = Math.max(after + 1, next - size);
        int n = (int) Math.max(0, next - first);
        List<Long> t = new ArrayList<>(n);
        for (long s = first; s < next; s++) {
            t.add(times[(int) (s % capacity)]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("latest", next - 1);
        out.put("times", t);
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            List<Double> v = new ArrayList<>(n);
            boolean any = false;
            for (long s = first; s < next; s++) {
                double d = e.getValue()[(int) (s % capacity)];
                any |= !Double.isNaN(d);
                v.add(Double.isNaN(d) ? null : d);
            }
            if (any) {
                values.put(e.getKey(), v);
            }
        }
        out.put("series", values);
        return out;
    }
}
