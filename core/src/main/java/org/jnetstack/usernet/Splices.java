package org.jnetstack.usernet;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * What all {@link TcpSplice}s of a gateway share (loop thread): the most one host socket read or
 * write takes, the live splices (closed with the gateway), and their counters.
 */
final class Splices {
    final int bufferBytes;
    private final Set<TcpSplice> live = new LinkedHashSet<>();

    final Counter opened;
    final Counter active;
    final Counter bytesToHost;
    final Counter bytesToGuest;
    /** Times a host socket took less than it was offered: the guest's bytes wait in its connection. */
    final Counter hostBlocked;
    final Counter hostResets;
    final Counter guestResets;

    Splices(int bufferBytes, Counters counters) {
        this.bufferBytes = bufferBytes;
        opened = counters.counter("usernet.tcp.splices");
        active = counters.counter("usernet.tcp.active");
        bytesToHost = counters.counter("usernet.tcp.bytes_to_host");
        bytesToGuest = counters.counter("usernet.tcp.bytes_to_guest");
        hostBlocked = counters.counter("usernet.tcp.host_write_blocked");
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

    List<TcpSplice> live() {
        return List.copyOf(live);
    }
}
