package org.jnetstack.link;

import java.io.IOException;
import java.util.Objects;
import org.jnetstack.wire.MacAddress;

/**
 * Base of middleware: a {@link LinkDevice} that wraps another and is itself one (smoltcp's
 * {@code phy} middleware), so wrappers stack in any order:
 *
 * <pre>{@code
 * LinkDevice dev = Tracer.wrap(PcapWriter.toFile(Path.of("a.pcap"), FaultInjector.builder()
 *         .seed(1).rx(FaultProfile.builder().loss(0.01).build()).wrap(sw.newPort("a"))));
 * }</pre>
 *
 * A wrapper nearer the device sees the wire; one nearer the stack sees what the stack sees
 * (a capture outside a fault injector shows the frames after loss and corruption).
 *
 * <p>By default every frame passes through: subclasses override {@link #received} (frames going
 * up) and {@link #send} (frames going down). Name, MAC, MTU, poll descriptor and statistics are
 * the wrapped device's; middleware adds its own counters to the wrapped device's set.
 */
public abstract class ForwardingDevice implements LinkDevice {
    protected final LinkDevice inner;
    private DeviceContext context;
    /** The handler of the {@link #receive} call in progress. */
    private FrameHandler upstream;
    /** Flags of the frame in progress ({@link FrameHandler#RX_CHECKSUM_VERIFIED}). */
    private int rxFlags;
    /** Allocated once: receive() must not allocate per call. */
    private final FrameHandler interceptor = new FrameHandler() {
        @Override
        public void onFrame(byte[] buf, int off, int len) {
            onFrame(buf, off, len, 0);
        }

        @Override
        public void onFrame(byte[] buf, int off, int len, int flags) {
            rxFlags = flags;
            try {
                received(buf, off, len, upstream);
            } finally {
                rxFlags = 0;
            }
        }
    };

    protected ForwardingDevice(LinkDevice inner) {
        this.inner = Objects.requireNonNull(inner, "wrapped device");
    }

    /** The device this one wraps. */
    public LinkDevice wrapped() {
        return inner;
    }

    /** The loop's context, once attached (null before). */
    protected final DeviceContext context() {
        return context;
    }

    /** The context, or an exception saying to attach first (frames need the loop's clock). */
    protected final DeviceContext requireContext() {
        DeviceContext c = context;
        if (c == null) {
            throw new IllegalStateException("device " + name() + " is not attached: attach it to an EventLoop first");
        }
        return c;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public MacAddress mac() {
        return inner.mac();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public int pollFd() {
        return inner.pollFd();
    }

    @Override
    public DeviceStats stats() {
        return inner.stats();
    }

    @Override
    public void open(DeviceContext context) throws IOException {
        if (this.context != null) {
            throw new IllegalStateException("device " + name() + " is already attached to a loop");
        }
        this.context = Objects.requireNonNull(context, "context");
        inner.open(context);
        opened(context);
    }

    /** Called once after the wrapped device is open; create timers here. */
    protected void opened(DeviceContext context) {
    }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        FrameHandler previous = upstream;
        upstream = handler;
        try {
            return inner.receive(interceptor, maxFrames);
        } finally {
            upstream = previous;
        }
    }

    /**
     * A frame from the wrapped device on its way up to {@code up}; the default passes it on.
     * Middleware that passes the frame on unchanged passes {@link #rxFlags()} with it.
     */
    protected void received(byte[] buf, int off, int len, FrameHandler up) {
        up.onFrame(buf, off, len, rxFlags);
    }

    /** The device's flags for the frame being handed to {@link #received} (0 outside it). */
    protected final int rxFlags() {
        return rxFlags;
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        return inner.send(buf, off, len);
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inner + ")";
    }
}
