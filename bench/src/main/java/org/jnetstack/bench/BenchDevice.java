package org.jnetstack.bench;

import org.jnetstack.link.DeviceContext;
import org.jnetstack.link.DeviceStats;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.wire.MacAddress;

/**
 * A device for benchmarks: hands the same pre-built frame up as often as it is {@link #arm armed}
 * (as a TAP device would after reading it into its buffer) and discards what the stack sends,
 * counting it. Nothing is allocated per frame.
 */
final class BenchDevice implements LinkDevice {
    private final MacAddress mac;
    private final DeviceStats stats = new DeviceStats("benchdev.");
    private DeviceContext ctx;
    private byte[] frame = new byte[0];
    private int armed;
    long sent;
    long sentBytes;

    BenchDevice(MacAddress mac) {
        this.mac = mac;
    }

    void frame(byte[] frame) {
        this.frame = frame;
    }

    /** The next {@code n} receive opportunities each hand the frame up once. */
    void arm(int n) {
        armed = n;
        ctx.framesReady();
    }

    @Override public String name() { return "bench0"; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return 1500; }
    @Override public void open(DeviceContext context) { ctx = context; }
    @Override public DeviceStats stats() { return stats; }
    @Override public void close() { }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        int n = Math.min(armed, maxFrames);
        byte[] f = frame;
        for (int i = 0; i < n; i++) {
            handler.onFrame(f, 0, f.length);
        }
        armed -= n;
        return n;
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        sent++;
        sentBytes += len;
        return true;
    }
}
