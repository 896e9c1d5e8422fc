package org.jnetstack.link;

import java.io.IOException;
import org.jnetstack.wire.MacAddress;

/**
 * A link device: what carries Ethernet frames between the stack and the outside (a TAP, a QEMU
 * stream, a virtual wire or switch port): opened once, then polled for received frames and
 * given frames to send.
 *
 * <p>Contract, all on the event-loop thread after {@link #open}:
 * <ul>
 *   <li>{@link #open} is called once, when the device is attached to an {@code EventLoop}.</li>
 *   <li>{@link #receive} never blocks: it hands up to {@code maxFrames} frames that are ready
 *   now to the handler and returns how many it handed.</li>
 *   <li>{@link #send} never blocks: it copies or writes the frame before returning (the caller
 *   reuses the buffer at once). A frame that cannot be sent now is dropped and counted.</li>
 * </ul>
 * Middleware ({@code FaultInjector}, {@code PcapWriter}, {@code Tracer}) implements this
 * interface by wrapping another device.
 */
public interface LinkDevice extends AutoCloseable {
    /** Human-readable name (interface name for a TAP, port name on a switch). */
    String name();

    /** The hardware address frames from this host should carry by default. */
    MacAddress mac();

    /** Largest Ethernet payload, in bytes (1500 for ordinary Ethernet). */
    int mtu();

    /** Attaches the device to a loop; called once, on the loop thread. */
    void open(DeviceContext context) throws IOException;

    /** Hands up to {@code maxFrames} received frames to {@code handler}; never blocks. */
    int receive(FrameHandler handler, int maxFrames);

    /** Sends one Ethernet frame (without FCS); never blocks. Returns false if it was dropped. */
    boolean send(byte[] buf, int off, int len);

    /**
     * Sends one frame like {@link #send}, but the device may keep {@code buf} itself instead of
     * copying the frame out of it (ownership transfer): returns null if the frame was dropped
     * ({@code buf} is still the caller's), otherwise the buffer the caller owns from now on —
     * {@code buf} when the device copied, or another of at least {@code buf.length} bytes that the
     * device gives in exchange, after which the caller must never touch {@code buf} again. Only for
     * a caller that owns {@code buf} outright and builds each frame afresh in whatever buffer it
     * owns. The default copies ({@link #send}); a {@link VirtualWire} end exchanges large frames,
     * saving a copy of every bulk segment between two stacks in one process.
     */
    default byte[] sendExchanging(byte[] buf, int off, int len) {
        return send(buf, off, len) ? buf : null;
    }

    /**
     * Bytes in front of a frame that a device may overwrite with its own header (a TAP's
     * {@code virtio_net_hdr}) when {@link #send} is given a frame at an offset at least this
     * large; callers that build frames in their own scratch buffers leave this much room so the
     * frame goes out without a copy. Bytes outside {@code [off - TX_HEADROOM, off + len)} are
     * never touched.
     */
    int TX_HEADROOM = 10;

    /** What this device does for the stack (checksums, segmentation); {@link LinkOffloads#NONE} unless it says. */
    default LinkOffloads offloads() {
        return LinkOffloads.NONE;
    }

    /**
     * Sends a frame whose transport checksum is partial: the 16-bit field at
     * {@code checksumStart + checksumOffset} (offsets in the frame) holds the pseudo-header sum,
     * and the device completes it; with {@code segmentSize > 0} the frame is a TCP super-segment
     * (IPv4, or IPv6 where {@link LinkOffloads#txSegmentation6()}) of up to
     * {@link LinkOffloads#txSegmentation()} bytes that the device cuts into segments of
     * {@code segmentSize} payload bytes. Call only as {@link #offloads()} allows.
     *
     * <p>The default completes the checksum in software and sends the frame as it is (a device
     * without segmentation offload drops a super-segment larger than its MTU).
     */
    default boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
        if (!VirtioNetHeader.completeChecksum(buf, off, len, checksumStart, checksumOffset)) {
            stats().txDropped.inc();
            return false;
        }
        return send(buf, off, len);
    }

    /**
     * A file descriptor the loop may wait on with {@code poll(2)} for readability, or -1 for
     * in-process devices, which call {@link DeviceContext#framesReady()} instead.
     */
    default int pollFd() {
        return -1;
    }

    /** Frame and byte counters of this device (rx, tx, drops by reason). */
    DeviceStats stats();

    /** Releases the device; further sends are dropped. Idempotent. */
    @Override
    void close();
}
