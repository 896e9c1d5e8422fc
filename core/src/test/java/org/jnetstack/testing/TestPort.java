package org.jnetstack.testing;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Predicate;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualWire;

/**
 * Middleware for tests between a stack and its device. {@link #txFilter} decides, frame by frame,
 * what the stack's sends reach the wire: it sees a copy of each frame and passes it
 * ({@code true}) or drops it ({@code false}; the send still reports success, as a lossy wire
 * would); a test may keep the copy and send it later itself, or pull the plug with
 * {@code txFilter = f -> false}. {@link #injectReceived} hands the stack any bytes as a received
 * frame, even ones a wire would refuse to carry (a runt), for tests of malformed input.
 *
 * <pre>{@code
 * TestPort[] ends = TestPort.pair();            // both ends of a VirtualWire
 * ends[1].txFilter = f -> { held.add(f); return false; };
 * }</pre>
 */
public final class TestPort extends ForwardingDevice {
    private static final Predicate<byte[]> PASS_ALL = f -> true;

    /** Decides each frame sent; the default passes all. */
    public Predicate<byte[]> txFilter = PASS_ALL;
    private final ArrayDeque<byte[]> injected = new ArrayDeque<>();

    public TestPort(LinkDevice inner) {
        super(inner);
    }

    /** The two ends "a" and "b" of a new {@link VirtualWire}, each behind a port that passes all. */
    public static TestPort[] pair() {
        VirtualWire wire = new VirtualWire();
        return new TestPort[] {new TestPort(wire.a()), new TestPort(wire.b())};
    }

    /** Queues {@code frame} to be handed up as received, ahead of what the wire holds; wakes the loop. */
    public void injectReceived(byte[] frame) {
        injected.add(frame.clone());
        requireContext().framesReady();
    }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        int n = 0;
        byte[] f;
        while (n < maxFrames && (f = injected.poll()) != null) {
            handler.onFrame(f, 0, f.length);
            n++;
        }
        return n + super.receive(handler, maxFrames - n);
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        if (txFilter != PASS_ALL && !txFilter.test(Arrays.copyOfRange(buf, off, off + len))) {
            return true;
        }
        return inner.send(buf, off, len);
    }
}
