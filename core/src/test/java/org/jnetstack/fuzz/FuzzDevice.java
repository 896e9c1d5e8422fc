package org.jnetstack.fuzz;

import java.util.Arrays;
import org.jnetstack.link.DeviceContext;
import org.jnetstack.link.DeviceStats;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.wire.MacAddress;

/**
 * Test-only device for the fuzz harness: {@link #inject} queues one received frame, which the
 * loop picks up on its next turn; every frame the stack sends is checked by an
 * {@link OutputChecker} and then discarded.
 *
 * <p>An injected frame is handed up in an array that ends exactly where the frame ends, so a
 * parser that reads past the frame's length fails with an index exception instead of quietly
 * reading stale bytes; an optional prefix of junk bytes before it catches code that confuses
 * offsets relative to the frame with offsets into the array.
 */
final class FuzzDevice implements LinkDevice {
    private final MacAddress mac;
    private final DeviceStats stats = new DeviceStats("fuzzdev.");
    private final OutputChecker checker;
    private DeviceContext ctx;
    private byte[] pending;
    private int pendingOff;
    long sendCalls;

    FuzzDevice(MacAddress mac, OutputChecker checker) {
        this.mac = mac;
        this.checker = checker;
    }

    /** Queues {@code frame} as the next received frame, placed after {@code prefix} junk bytes. */
    void inject(byte[] frame, int prefix) {
        if (pending != null) {
            throw new IllegalStateException("previous frame not yet received");
        }
        byte[] buf = new byte[prefix + frame.length];
        Arrays.fill(buf, 0, prefix, (byte) 0xEE);
        System.arraycopy(frame, 0, buf, prefix, frame.length);
        pending = buf;
        pendingOff = prefix;
        ctx.framesReady();
    }

    @Override public String name() { return "fuzz0"; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return 1500; }
    @Override public void open(DeviceContext context) { ctx = context; }
    @Override public DeviceStats stats() { return stats; }
    @Override public void close() { }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        if (pending == null || maxFrames < 1) {
            return 0;
        }
        byte[] buf = pending;
        pending = null;
        stats.rxFrames.inc();
        stats.rxBytes.add(buf.length - pendingOff);
        handler.onFrame(buf, pendingOff, buf.length - pendingOff);
        return 1;
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        sendCalls++;
        checker.check(buf, off, len);
        stats.txFrames.inc();
        stats.txBytes.add(len);
        return true;
    }
}
