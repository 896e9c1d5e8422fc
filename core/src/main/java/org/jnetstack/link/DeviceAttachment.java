package org.jnetstack.link;

import java.io.IOException;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.PollContext;
import org.jnetstack.loop.Pollable;

/**
 * A link device bound to the handler of its frames: what the event loop polls for the device.
 * Polling hands the device's ready frames to the handler; an exception from the handler is
 * contained per frame (the loop logs and counts it), so one bad frame does not cut the batch short.
 *
 * <pre>{@code
 * DeviceAttachment.attach(loop, tap, stack::onFrame);   // the loop polls tap.pollFd()
 * }</pre>
 */
public final class DeviceAttachment implements Pollable, DeviceContext, FrameHandler {
    private final LinkDevice device;
    private final FrameHandler handler;
    private PollContext context;

    private DeviceAttachment(LinkDevice device, FrameHandler handler) {
        this.device = device;
        this.handler = handler;
    }

    /**
     * Attaches {@code device} to {@code loop}: opens it and delivers its frames to
     * {@code handler} from now on. Call on the loop thread, or before the loop runs.
     */
    public static EventLoop.Attachment attach(EventLoop loop, LinkDevice device, FrameHandler handler) {
        return loop.attach(new DeviceAttachment(device, handler));
    }

    public LinkDevice device() {
        return device;
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public void open(PollContext context) throws IOException {
        this.context = context;
        device.open(this);
    }

    @Override
    public int poll(int max) {
        return device.receive(this, max);
    }

    @Override
    public int pollFd() {
        return device.pollFd();
    }

    @Override
    public void close() {
        device.close();
    }

    @Override
    public EventLoop loop() {
        return context.loop();
    }

    @Override
    public void framesReady() {
        context.ready();
    }

    @Override
    public void onFrame(byte[] buf, int off, int len) {
        try {
            handler.onFrame(buf, off, len);
        } catch (Throwable t) {
            context.fault("frame handler of ", t);
        }
    }

    @Override
    public void onFrame(byte[] buf, int off, int len, int flags) {
        try {
            handler.onFrame(buf, off, len, flags);
        } catch (Throwable t) {
            context.fault("frame handler of ", t);
        }
    }
}
