package org.jnetstack.link;

import java.io.IOException;
import org.jnetstack.wire.MacAddress;

/**
 * A link device: the seeds' {@code dev_init} / {@code dev_send} / {@code dev_recv}, in Java.
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
