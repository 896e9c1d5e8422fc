package org.jnetstack.link;

import java.util.Objects;
import org.jnetstack.loop.Pollable;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.MacAddress;

/**
 * Base of the in-process devices (switch ports, loopback, wire ends): frames for this device are
 * copied (or, large ones sent through {@link #deliverExchanging}, handed over) into a bounded
 * {@link FrameQueue} by whoever sends them, and the device's loop is told
 * with {@link DeviceContext#framesReady()}. A full queue drops the frame and counts it, as a NIC
 * with a full receive ring would.
 *
 * <p>{@link #deliver} may be called from any thread (ports of one switch may belong to different
 * loops); everything else on this device's loop thread.
 */
abstract class QueuedDevice implements LinkDevice {
    /** Ethernet header (14) plus one 802.1Q tag (4): the most a frame may exceed the MTU by. */
    static final int MAX_HEADER = 18;
    static final int ETHERNET_HEADER = 14;

    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final FrameQueue inbox;
    final DeviceStats stats;
    private final Counter rxQueueFull;
    private final Counter rxNotOpen;
    final Counter txRunt;
    final Counter txOversize;
    private final long[] drainedBytes = new long[1];
    private volatile DeviceContext context;
    private volatile boolean closed;

    QueuedDevice(String name, MacAddress mac, int mtu, int queueFrames) {
        this.name = Objects.requireNonNull(name, "name");
        this.mac = Objects.requireNonNull(mac, "mac");
        if (mtu < 68 || mtu > 65_535) {
            throw new IllegalArgumentException("MTU must be 68-65535 bytes: " + mtu);
        }
        this.mtu = mtu;
        this.inbox = new FrameQueue(queueFrames);
        this.stats = new DeviceStats();
        this.rxQueueFull = stats.counters().counter("rx.dropped.queue_full");
        this.rxNotOpen = stats.counters().counter("rx.dropped.not_open");
        this.txRunt = stats.counters().counter("tx.dropped.runt");
        this.txOversize = stats.counters().counter("tx.dropped.oversize");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public DeviceStats stats() {
        return stats;
    }

    @Override
    public void open(DeviceContext context) {
        if (closed) {
            throw new IllegalStateException("device " + name + " is closed");
        }
        if (this.context != null) {
            throw new IllegalStateException("device " + name + " is already attached to a loop");
        }
        this.context = Objects.requireNonNull(context, "context");
    }

    /** Frames waiting to be received (for tests and diagnostics). */
    public int queuedFrames() {
        return inbox.size();
    }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        if (closed) {
            return 0;
        }
        drainedBytes[0] = 0;
        int n = inbox.drainTo(handler, maxFrames, drainedBytes);
        stats.rxFrames.add(n);
        stats.rxBytes.add(drainedBytes[0]);
        return n;
    }

    /**
     * Checks a frame handed to {@link #send} and counts it as transmitted; false (counted as a
     * drop) for a closed device, a frame shorter than an Ethernet header or longer than the MTU
     * allows.
     */
    final boolean acceptForSend(byte[] buf, int off, int len) {
        return acceptForSend(buf, off, len, mtu);
    }

    /** Like {@link #acceptForSend(byte[], int, int)}, for a frame of an IP packet up to {@code maxPacket} bytes. */
    final boolean acceptForSend(byte[] buf, int off, int len, int maxPacket) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (closed) {
            stats.txDropped.inc();
            return false;
        }
        if (len < ETHERNET_HEADER) {
            txRunt.inc();
            stats.txDropped.inc();
            return false;
        }
        if (len > maxPacket + MAX_HEADER) {
            txOversize.inc();
            stats.txDropped.inc();
            return false;
        }
        stats.txFrames.inc();
        stats.txBytes.add(len);
        return true;
    }

    /**
     * Queues a frame for this device's host and wakes its loop; any thread. Returns false (and
     * counts) when the device is not attached or its queue is full.
     */
    final boolean deliver(byte[] buf, int off, int len) {
        return deliver(buf, off, len, 0);
    }

    /** Like {@link #deliver(byte[], int, int)}, with the frame's flags. */
    final boolean deliver(byte[] buf, int off, int len, int frameFlags) {
        DeviceContext ctx = context;
        if (ctx == null || closed) {
            rxNotOpen.inc();
            stats.rxDropped.inc();
            return false;
        }
        if (!inbox.offer(buf, off, len, frameFlags)) {
            rxQueueFull.inc();
            stats.rxDropped.inc();
            return false;
        }
        ctx.framesReady();
        return true;
    }

    /**
     * Like {@link #deliver}, but when called on this device's loop thread with nothing queued the
     * frame is handed on at once, without a copy: it is lent to the queue and the device's
     * attachment polled for it, so it goes the way every frame of this device goes (through any
     * middleware wrapping the device) within the sender's call; order holds, as no earlier frame
     * waits. The caller makes sure that is safe: the handler only writes the frame to another
     * device (a bridge), or the sender is a device's receive path, not a stack in the middle of
     * sending.
     */
    final boolean deliverNow(byte[] buf, int off, int len, int frameFlags) {
        DeviceContext ctx = context;
        if (ctx instanceof Pollable attachment && !closed && ctx.loop().inLoop() && inbox.lend(buf, off, len, frameFlags)) {
            try {
                attachment.poll(1);
            } finally {
                inbox.endLoan();
            }
            return true;
        }
        return deliver(buf, off, len, frameFlags);
    }

    /**
     * Like {@link #deliver}, but a large frame is taken without a copy: returns the buffer the
     * sender owns afterwards — {@code buf} itself when the frame was copied or dropped, or a buffer
     * of at least {@code buf.length} bytes given in exchange ({@link FrameQueue#offerExchanging}).
     * Only frames of at least a quarter of their buffer are exchanged: the queue then holds
     * buffers at most four times the size of their frames, where copying would keep slots of the
     * frames' size; smaller frames cost little to copy.
     */
    final byte[] deliverExchanging(byte[] buf, int off, int len) {
        if (len < buf.length / 4) {
            deliver(buf, off, len);
            return buf;
        }
        DeviceContext ctx = context;
        if (ctx == null || closed) {
            rxNotOpen.inc();
            stats.rxDropped.inc();
            return buf;
        }
        byte[] replacement = inbox.offerExchanging(buf, off, len);
        if (replacement == null) {
            rxQueueFull.inc();
            stats.rxDropped.inc();
            return buf;
        }
        ctx.framesReady();
        return replacement;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inbox.clear();
        onClose();
    }

    /** Whether frames delivered now would be queued: attached and not closed. */
    final boolean receiving() {
        return context != null && !closed;
    }

    /** Hook for subclasses (a switch port leaves its switch). */
    void onClose() {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + ", " + mac + "]";
    }
}
