package org.jnetstack.link;

import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/** The counters every link device keeps. Devices may register more in {@link #counters()}. */
public final class DeviceStats {
    private final Counters counters;
    public final Counter rxFrames;
    public final Counter rxBytes;
    public final Counter txFrames;
    public final Counter txBytes;
    public final Counter txDropped;
    public final Counter rxDropped;

    public DeviceStats(String prefix) {
        counters = new Counters();
        rxFrames = counters.counter(prefix + "rx.frames");
        rxBytes = counters.counter(prefix + "rx.bytes");
        txFrames = counters.counter(prefix + "tx.frames");
        txBytes = counters.counter(prefix + "tx.bytes");
        txDropped = counters.counter(prefix + "tx.dropped");
        rxDropped = counters.counter(prefix + "rx.dropped");
    }

    public DeviceStats() {
        this("");
    }

    public Counters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return counters.toString();
    }
}
