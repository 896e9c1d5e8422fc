package org.jnetstack.tcp;

import java.util.SplittableRandom;
import org.jnetstack.link.DeviceContext;
import org.jnetstack.link.DeviceStats;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.wire.MacAddress;

/** Test-only: drops a seeded fraction of the frames a device sends. */
final class Lossy implements LinkDevice {
    private final LinkDevice inner;
    private final SplittableRandom random;
    double loss;
    long dropped;

    Lossy(LinkDevice inner, double loss, long seed) {
        this.inner = inner;
        this.loss = loss;
        this.random = new SplittableRandom(seed);
    }

    @Override public String name() { return inner.name(); }
    @Override public MacAddress mac() { return inner.mac(); }
    @Override public int mtu() { return inner.mtu(); }
    @Override public void open(DeviceContext context) throws java.io.IOException { inner.open(context); }
    @Override public int receive(FrameHandler handler, int maxFrames) { return inner.receive(handler, maxFrames); }
    @Override public DeviceStats stats() { return inner.stats(); }
    @Override public void close() { inner.close(); }

    java.util.function.Consumer<String> log;

    @Override
    public boolean send(byte[] buf, int off, int len) {
        if (log != null) {
            org.jnetstack.wire.TcpSegment t = new org.jnetstack.wire.TcpSegment().wrap(buf, off + 34, len - 34);
            log.accept(name() + " flags=" + Integer.toHexString(t.flags()) + " seq=" + Integer.toUnsignedString(t.sequenceNumber())
                    + " ack=" + Integer.toUnsignedString(t.acknowledgmentNumber()) + " win=" + t.window() + " len=" + t.payloadLength());
        }
        if (loss > 0 && random.nextDouble() < loss) {
            dropped++;
            return true;
        }
        return inner.send(buf, off, len);
    }
}
