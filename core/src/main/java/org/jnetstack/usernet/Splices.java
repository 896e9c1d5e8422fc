package org.jnetstack.usernet;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * What all {@link TcpSplice}s of a gateway share (loop thread): the most one host socket read or
 * write takes, the bound on their number, the live splices (closed with the gateway), and their
 * counters.
 *
 * <p>Each splice holds a host socket (a file descriptor) and a connection on the gateway stack,
 * so their number is bounded: at most {@link #maxLive} ({@link UserNetConfig#maxTcpSplices()}),
 * half for the guests' outbound connections and half for the forwards' host clients, so neither
 * side can take the other's share. A guest's connection beyond its half is refused with a reset,
 * a host client of a forward beyond its half is reset ({@code usernet.tcp.drop.too_many_splices}).
 * Without it a guest (or a host client of a forward) could open as many connections as the stack
 * allows, 65536, and the process would run out of descriptors first.
 */
final class Splices {
    /**
     * The send buffer a guest connection gets when it is spliced, if its own is smaller: host
     * data waits there for the guest's window, and at tens of Gbit/s 256 KiB (the stack's default)
     * runs dry between two reads of the host socket. The buffer grows with the data it holds,
     * within the stack's memory budget, as Linux's send buffer autotuning does.
     */
    static final int GUEST_SEND_BUFFER = 1 << 20;

    final int bufferBytes;
    /** Splices at once, at most. */
    final int maxLive;
    private final Set<TcpSplice> live = new LinkedHashSet<>();
    /** The live splices of forwards (the rest of {@link #live} are outbound). */
    private final Set<TcpSplice> forwarded = new java.util.HashSet<>();
    /** The next splice {@link #added} is a forward's: set by {@link #hasRoom} just before it is made. */
    private boolean nextIsForward;

    final Counter opened;
    final Counter active;
    final Counter bytesToHost;
    final Counter bytesToGuest;
    /** Times a host socket took less than it was offered: the guest's bytes wait in its connection. */
    final Counter hostBlocked;
    final Counter hostResets;
    final Counter guestResets;
    private final Counter tooMany;

    Splices(int bufferBytes, int maxLive, Counters counters) {
        this.bufferBytes = bufferBytes;
        this.maxLive = maxLive;
        opened = counters.counter("usernet.tcp.splices");
        active = counters.counter("usernet.tcp.active");
        bytesToHost = counters.counter("usernet.tcp.bytes_to_host");
        bytesToGuest = counters.counter("usernet.tcp.bytes_to_guest");
        hostBlocked = counters.counter("usernet.tcp.host_write_blocked");
        hostResets = counters.counter("usernet.tcp.host_resets");
        guestResets = counters.counter("usernet.tcp.guest_resets");
        tooMany = counters.counter("usernet.tcp.drop.too_many_splices");
    }

    /**
     * Whether another splice fits in its half of {@link #maxLive}: a forward's ({@code forward})
     * or an outbound one; counts the refusal when it does not. A splice made next is counted in that half.
     */
    boolean hasRoom(boolean forward) {
        int inHalf = forward ? forwarded.size() : live.size() - forwarded.size();
        if (inHalf < maxLive / 2) {
            nextIsForward = forward;
            return true;
        }
        tooMany.inc();
        return false;
    }

    void added(TcpSplice s) {
        live.add(s);
        if (nextIsForward) {
            forwarded.add(s);
            nextIsForward = false;
        }
        opened.inc();
        active.inc();
    }

    void removed(TcpSplice s) {
        forwarded.remove(s);
        if (live.remove(s)) {
            active.add(-1);
        }
    }

    List<TcpSplice> live() {
        return List.copyOf(live);
    }
}
