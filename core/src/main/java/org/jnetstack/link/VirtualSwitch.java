package org.jnetstack.link;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.MacAddress;

/**
 * An in-process Ethernet learning switch: many stacks in one JVM, each on its own port.
 *
 * <pre>{@code
 * VirtualSwitch sw = new VirtualSwitch();
 * LinkDevice a = sw.newPort("a");          // MAC 02:00:00:00:00:01
 * LinkDevice b = sw.newPort("b");          // MAC 02:00:00:00:00:02
 * DeviceAttachment.attach(loop, a, stackA::onFrame);
 * DeviceAttachment.attach(loop, b, stackB::onFrame);
 * }</pre>
 *
 * <p>Like an IEEE 802.1D bridge it learns the source address of every frame it is sent,
 * forwards a frame for a known unicast address to that one port, and floods broadcast,
 * multicast and unknown unicast to every other attached port (in port creation order, so
 * simulations are reproducible). A frame whose destination sits behind its own ingress port is
 * filtered. Each port has a bounded receive queue; a full queue drops and counts.
 *
 * <p>Addresses are not aged out by time: ports belong to one JVM, a closed port's addresses
 * are forgotten at once, and a station that moves is re-learned on its next frame.
 *
 * <p>Ports may be attached to different event loops: forwarding holds the switch's lock
 * only while copying the frame into the receiving ports' queues.
 */
public final class VirtualSwitch {
    public static final int DEFAULT_QUEUE_FRAMES = 256;
    public static final int DEFAULT_MAC_TABLE_SIZE = 4096;

    private final String name;
    private final int mtu;
    private final int queueFrames;
    private final MacTable table;
    private final List<Port> ports = new ArrayList<>();
    private Port[] portArray = new Port[0];
    private int portsCreated;

    private final Counters counters = new Counters();
    private final Counter forwarded = counters.counter("switch.forwarded");
    private final Counter flooded = counters.counter("switch.flooded");
    private final Counter filtered = counters.counter("switch.filtered");
    private final Counter learned = counters.counter("switch.learned");
    private final Counter moved = counters.counter("switch.moved");
    private final Counter tableFull = counters.counter("switch.table_full");

    /** A switch with MTU 1500, 256-frame port queues and a 4096-address table. */
    public VirtualSwitch() {
        this("switch", 1500, DEFAULT_QUEUE_FRAMES, DEFAULT_MAC_TABLE_SIZE);
    }

    /**
     * @param mtu the MTU every port reports; longer frames are dropped at the sending port
     * @param queueFrames the receive queue bound of each port
     * @param macTableSize the most addresses learned; beyond it frames are flooded
     */
    public VirtualSwitch(String name, int mtu, int queueFrames, int macTableSize) {
        this.name = Objects.requireNonNull(name, "name");
        this.mtu = mtu;
        this.queueFrames = queueFrames;
        this.table = new MacTable(macTableSize);
        if (queueFrames < 1) {
            throw new IllegalArgumentException("port queue must hold at least 1 frame: " + queueFrames);
        }
    }

    public String name() {
        return name;
    }

    /** Switch-wide counters: forwarded, flooded, filtered, learned, moved, table_full. */
    public Counters counters() {
        return counters;
    }

    /** A new port whose default MAC is 02:00:00:00:HH:LL, HHLL being the port's number from 1. */
    public Port newPort(String portName) {
        synchronized (this) {
            return newPort(portName, new MacAddress(0x02_00_00_00_00_00L | ((portsCreated + 1) & 0xFFFF)));
        }
    }

    /** A new port whose attached stack should use {@code mac}. */
    public synchronized Port newPort(String portName, MacAddress mac) {
        Port p = new Port(portName, mac);
        portsCreated++;
        ports.add(p);
        portArray = ports.toArray(new Port[0]);
        return p;
    }

    /** The open ports, in creation order. */
    public synchronized List<Port> ports() {
        return List.copyOf(ports);
    }

    /** Number of learned addresses. */
    public synchronized int learnedAddresses() {
        return table.size();
    }

    /** The port behind which {@code mac} was last seen, or null. */
    public synchronized Port portOf(MacAddress mac) {
        return table.get(mac.bits());
    }

    private synchronized void forward(Port in, byte[] buf, int off, int len) {
        long dst = MacAddress.read(buf, off);
        long src = MacAddress.read(buf, off + 6);
        if (!MacAddress.isMulticast(src)) {
            // A group address is never a valid source (IEEE 802.1D 7.8), so it is not learned.
            switch (table.learn(src, in)) {
                case NEW -> learned.inc();
                case MOVED -> moved.inc();
                case TABLE_FULL -> tableFull.inc();
                case KNOWN -> { }
            }
        }
        if (!MacAddress.isMulticast(dst)) {
            Port out = table.get(dst);
            if (out == in) {
                filtered.inc();
                return;
            }
            if (out != null) {
                forwarded.inc();
                out.deliver(buf, off, len);
                return;
            }
        }
        flooded.inc();
        for (Port p : portArray) {
            if (p != in) { // an unattached port counts what it missed (rx.dropped.not_open)
                p.deliver(buf, off, len);
            }
        }
    }

    private synchronized void remove(Port p) {
        ports.remove(p);
        portArray = ports.toArray(new Port[0]);
        table.removePort(p);
    }

    @Override
    public String toString() {
        return "VirtualSwitch[" + name + ", " + portArray.length + " ports]";
    }

    /** One port of the switch: a {@link LinkDevice} for the stack attached to it. */
    public final class Port extends QueuedDevice {
        private Port(String portName, MacAddress mac) {
            super(portName, mac, mtu, queueFrames);
        }

        /** The switch this port belongs to. */
        public VirtualSwitch owner() {
            return VirtualSwitch.this;
        }

        @Override
        public boolean send(byte[] buf, int off, int len) {
            if (!acceptForSend(buf, off, len)) {
                return false;
            }
            forward(this, buf, off, len);
            return true;
        }

        @Override
        void onClose() {
            remove(this);
        }
    }
}
