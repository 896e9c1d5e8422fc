package org.jnetstack.link;

import org.jnetstack.wire.MacAddress;

/**
 * Two devices joined back to back, like a crossover cable: what one end sends, the other
 * receives. Cheaper than a two-port {@link VirtualSwitch} (no learning) and it passes every frame,
 * whatever its destination address.
 *
 * <pre>{@code
 * VirtualWire wire = new VirtualWire();
 * DeviceAttachment.attach(loop, wire.a(), stackA::onFrame);
 * DeviceAttachment.attach(loop, wire.b(), stackB::onFrame);
 * }</pre>
 */
public final class VirtualWire {
    private final End a;
    private final End b;

    /** Ends "a" (MAC 02:00:00:00:00:01) and "b" (02:00:00:00:00:02), MTU 1500, 256-frame queues. */
    public VirtualWire() {
        this("a", new MacAddress(0x02_00_00_00_00_01L), "b", new MacAddress(0x02_00_00_00_00_02L), 1500, 256);
    }

    public VirtualWire(String nameA, MacAddress macA, String nameB, MacAddress macB, int mtu, int queueFrames) {
        a = new End(nameA, macA, mtu, queueFrames);
        b = new End(nameB, macB, mtu, queueFrames);
        a.peer = b;
        b.peer = a;
    }

    public LinkDevice a() {
        return a;
    }

    public LinkDevice b() {
        return b;
    }

    private static final class End extends QueuedDevice {
        private End peer;

        End(String name, MacAddress mac, int mtu, int queueFrames) {
            super(name, mac, mtu, queueFrames);
        }

        @Override
        public boolean send(byte[] buf, int off, int len) {
            if (!acceptForSend(buf, off, len)) {
                return false;
            }
            // Delivered or not, the frame left this end; a drop at the far end is counted there.
            peer.deliver(buf, off, len);
            return true;
        }

        /** Large frames change hands without a copy: the far end's queue keeps {@code buf}. */
        @Override
        public byte[] sendExchanging(byte[] buf, int off, int len) {
            if (!acceptForSend(buf, off, len)) {
                return null;
            }
            return peer.deliverExchanging(buf, off, len);
        }
    }
}
