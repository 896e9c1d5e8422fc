package org.jnetstack.link;

import org.jnetstack.wire.MacAddress;

/**
 * A device whose sent frames come back to itself, queued and delivered on the next loop
 * iteration (never re-entrantly from inside {@link #send}), like a looped-back cable.
 */
public final class Loopback extends QueuedDevice {
    public Loopback() {
        this("lo", new MacAddress(0x02_00_00_00_00_01L), 65_535, 256);
    }

    public Loopback(String name, MacAddress mac, int mtu, int queueFrames) {
        super(name, mac, mtu, queueFrames);
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        if (!acceptForSend(buf, off, len)) {
            return false;
        }
        return deliver(buf, off, len);
    }
}
