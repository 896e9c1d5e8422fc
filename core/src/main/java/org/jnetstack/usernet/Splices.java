package org.jnetstack.usernet;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * What all {@link TcpSplice}s of a gateway share (loop thread): the per-direction bound (also
 * the most one host read takes), the live splices (closed with the gateway), and the counters
 * that show the bound holds.
 */
final class Splices {
    final int bufferBytes;
    private final Set<TcpSplice> live = new LinkedHashSet<>();
    private long buffered;

    final Counter opened;
    final Counter active;
    final Counter bytesToHost;
    final Counter bytesToGuest;
    final Counter bufferedBytes;
    final Counter bufferedBytesMax;
    final Counter hostResets;
    final Counter guestResets;

    Splices(int bufferBytes, Counters counters) {
        this.bufferBytes = bufferBytes;
        opened = counters.counter("usernet.tcp.splices");
        active = counters.counter("usernet.tcp.active");
        bytesToHost = counters.counter("usernet.tcp.bytes_to_host");
        bytesToGuest = counters.counter("usernet.tcp.bytes_to_guest");
        bufferedBytes = counters.counter("usernet.tcp.buffered_bytes");
        bufferedBytesMax = counters.counter("usernet.tcp.buffered_bytes_max");
        hostResets = counters.counter("usernet.tcp.host_resets");
        guestResets = counters.counter("usernet.tcp.guest_resets");
    }

    void added(TcpSplice s) {
        live.add(s);
        opened.inc();
        active.inc();
    }

    void removed(TcpSplice s) {
        if (live.remove(s)) {
            active.add(-1);
        }
    }

    /** Guest bytes held for a host socket that is not writable: the one buffer the gateway adds. */
    void buffered(int delta) {
        buffered += delta;
        bufferedBytes.add(delta);
        long max = bufferedBytesMax.get();
        if (buffered > max) {
            bufferedBytesMax.add(buffered - max);
        }
    }

    List<TcpSplice> live() {
        return List.copyOf(live);
    }
}
