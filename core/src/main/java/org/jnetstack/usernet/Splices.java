package org.jnetstack.usernet;

import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * What all {@link TcpSplice}s of a gateway share (loop thread): one scratch buffer for
 * host-to-guest copies, the per-direction bound, the live splices (closed with the gateway),
 * and the counters that show the bound holds.
 *
 * <p>Each splice holds a buffer of {@code bufferBytes} from its start, outside the gateway stack's
 * memory budget, so the number of splices is what bounds that memory: at most
 * {@link #BUFFER_MEMORY} of them together ({@link #maxLive}), half for the guests' outbound
 * connections and half for the forwards' host clients, so neither side can take the other's
 * share. A guest's connection beyond its half is refused with a reset, a host client of a forward
 * beyond its half is reset ({@code usernet.tcp.drop.too_many_splices}). Without it a guest (or a
 * host client of a forward) could open as many connections as the stack allows, 65536, and so
 * hold 4 GiB.
 */
final class Splices {
    /** What the splice buffers of one gateway may take together. */
    static final long BUFFER_MEMORY = 128L << 20;

    final int bufferBytes;
    /** Splices at once, at most. */
    final int maxLive;
    /** Host bytes pass through here straight into a guest connection's send buffer. */
    final ByteBuffer scratch;
    private final Set<TcpSplice> live = new LinkedHashSet<>();
    /** The live splices of forwards (the rest of {@link #live} are outbound). */
    private final Set<TcpSplice> forwarded = new java.util.HashSet<>();
    /** The next splice {@link #added} is a forward's: set by {@link #hasRoom} just before it is made. */
    private boolean nextIsForward;
    private long buffered;

    final Counter opened;
    final Counter active;
    final Counter bytesToHost;
    final Counter bytesToGuest;
    final Counter bufferedBytes;
    final Counter bufferedBytesMax;
    final Counter hostResets;
    final Counter guestResets;
    private final Counter tooMany;

    Splices(int bufferBytes, Counters counters) {
        this.bufferBytes = bufferBytes;
        this.maxLive = (int) Math.max(2, BUFFER_MEMORY / bufferBytes);
        this.scratch = ByteBuffer.allocate(bufferBytes);
        opened = counters.counter("usernet.tcp.splices");
        active = counters.counter("usernet.tcp.active");
        bytesToHost = counters.counter("usernet.tcp.bytes_to_host");
        bytesToGuest = counters.counter("usernet.tcp.bytes_to_guest");
        bufferedBytes = counters.counter("usernet.tcp.buffered_bytes");
        bufferedBytesMax = counters.counter("usernet.tcp.buffered_bytes_max");
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
