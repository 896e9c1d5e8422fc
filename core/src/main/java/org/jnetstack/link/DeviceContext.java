package org.jnetstack.link;

import org.jnetstack.loop.EventLoop;

/** What the event loop gives a device when the device is attached to it. */
public interface DeviceContext {
    /** The loop the device now belongs to: its clock and timers (loop thread only). */
    EventLoop loop();

    /**
     * Tells the loop that this device has frames ready for {@link LinkDevice#receive}. Safe
     * from any thread; devices with a {@link LinkDevice#pollFd() file descriptor} need not call it.
     */
    void framesReady();
}
