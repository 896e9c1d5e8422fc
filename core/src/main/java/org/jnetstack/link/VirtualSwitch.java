package org.jnetstack.link;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jnetstack.loop.EventLoop;
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
 * <p>Ports may be attached to different event loops: forwarding holds the switch's lock while
 * it hands a frame on, which is a copy into the receiving port's queue, or, for a frame handed on
 * at once on the receiving port's own loop thread, that port's device or stack taking it.
 *
 * <p><b>Offloaded frames.</b> A port whose owner handles partial checksums and TCP
 * super-segments (a stack, or a TAP opened with offloads: {@link Port#setOffloads},
 * {@link Port#bridge}) may send them ({@link Port#sendOffloaded}, {@link Port#send(byte[], int, int, int)}
 * with {@link FrameHandler#CHECKSUM_PARTIAL} / {@link FrameHandler#GSO_TCP}), and receives them
 * with those flags. Every other port receives frames fit for a wire: the switch completes the
 * checksum, or cuts the super-segment into segments, for that port alone ({@link OffloadFrames};
 * {@code switch.software_checksum}, {@code switch.software_segments}), so no plain port ever
 * sees a partial frame. A frame whose flags do not fit it is dropped at the sending port
 * ({@code tx.dropped.bad_offload}). Without offloaded frames nothing of this runs.
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
    private final Counter softwareChecksum = counters.counter("switch.software_checksum");
    private final Counter softwareSegments = counters.counter("switch.software_segments");
    /** Where offloaded frames are finished for plain ports; allocated when first needed. */
    private byte[] scratch;

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

    private synchronized void forward(Port in, byte[] buf, int off, int len, int flags) {
        boolean direct = in.fromDevice;
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
                out.take(buf, off, len, flags, direct);
                return;
            }
        }
        flooded.inc();
        for (Port p : portArray) {
            if (p != in) { // an unattached port counts what it missed (rx.dropped.not_open)
                // Never handed straight to a stack: one that changed the frame in place (a NAT's
                // rewrite) would change it for the ports after it.
                p.take(buf, off, len, flags, false);
            }
        }
    }

    /** Under the lock: {@link #scratch}, large enough for one frame of a packet up to the MTU. */
    private byte[] scratch() {
        if (scratch == null) {
            scratch = new byte[mtu + QueuedDevice.MAX_HEADER];
        }
        return scratch;
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
        private final Counter txBadOffload = stats.counters().counter("tx.dropped.bad_offload");
        /** Allocated once: a plain port's software segments go through it into the queue. */
        private final FrameHandler queue = new FrameHandler() {
            @Override
            public void onFrame(byte[] buf, int off, int len) {
                pass(buf, off, len, 0, false);
            }

            @Override
            public void onFrame(byte[] buf, int off, int len, int flags) {
                pass(buf, off, len, flags, false);
            }
        };
        private volatile LinkOffloads offloads = LinkOffloads.NONE;
        /** Bridged to a device ({@link #bridge}): frames for it are written through without queueing when they can be. */
        private volatile boolean bridged;
        /** While the bridged device hands up a frame (its loop thread): see {@link #pass}. */
        private boolean fromDevice;

        private Port(String portName, MacAddress mac) {
            super(portName, mac, mtu, queueFrames);
        }

        /** The switch this port belongs to. */
        public VirtualSwitch owner() {
            return VirtualSwitch.this;
        }

        /**
         * What this port's owner handles, both ways: with {@code txChecksum} the port may send and
         * receives frames with partial checksums, with {@code txSegmentation} TCP/IPv4
         * super-segments of up to that many bytes (with {@code txSegmentation6}, TCP/IPv6 too). A
         * stack attached to the port sees these as the device's offloads. {@link LinkOffloads#NONE}
         * (the default): plain frames only.
         */
        public void setOffloads(LinkOffloads offloads) {
            this.offloads = Objects.requireNonNull(offloads, "offloads");
        }

        @Override
        public LinkOffloads offloads() {
            return offloads;
        }

        /**
         * Joins {@code device} to this port on {@code loop}: frames both ways with their flags, the
         * port taking offloaded frames as far as the device does ({@link LinkDevice#offloads()},
         * {@link LinkDevice#sendOffloaded}). Loop thread, or before the loop runs.
         */
        public void bridge(EventLoop loop, LinkDevice device) {
            LinkOffloads o = device.offloads();
            setOffloads(o.txChecksum() ? o : LinkOffloads.NONE);
            DeviceAttachment.attach(loop, this, new ToDevice(device));
            bridged = true;
            DeviceAttachment.attach(loop, device, new FrameHandler() {
                @Override
                public void onFrame(byte[] buf, int off, int len) {
                    onFrame(buf, off, len, 0);
                }

                @Override
                public void onFrame(byte[] buf, int off, int len, int flags) {
                    fromDevice = true;
                    try {
                        send(buf, off, len, flags);
                    } finally {
                        fromDevice = false;
                    }
                }
            });
        }

        @Override
        public boolean send(byte[] buf, int off, int len) {
            return send(buf, off, len, 0);
        }

        /**
         * Sends a frame with its flags ({@link FrameHandler}): a partial checksum or a TCP
         * super-segment goes on as it is to ports that take them and is finished in software for the
         * others; flags that do not fit the frame drop it ({@code tx.dropped.bad_offload}).
         */
        public boolean send(byte[] buf, int off, int len, int flags) {
            int maxPacket = mtu;
            if ((flags & FrameHandler.OFFLOADED) != 0) {
                Objects.checkFromIndexSize(off, len, buf.length);
                if (!OffloadFrames.valid(buf, off, len, flags, mtu)) {
                    txBadOffload.inc();
                    stats.txDropped.inc();
                    return false;
                }
                flags |= FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.CHECKSUM_PARTIAL;
                if ((flags & FrameHandler.GSO_TCP) != 0) {
                    maxPacket = TapDevice.MAX_SUPER_SEGMENT;
                }
            }
            if (!acceptForSend(buf, off, len, maxPacket)) {
                return false;
            }
            forward(this, buf, off, len, flags);
            return true;
        }

        @Override
        public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
            int t = OffloadFrames.transportStart(buf, off, len);
            if (t < 0 || t != checksumStart || checksumOffset != OffloadFrames.checksumOffset(OffloadFrames.protocol(buf, off))) {
                if (segmentSize > 0) { // a super-segment is carried only where the flags can say it is
                    txBadOffload.inc();
                    stats.txDropped.inc();
                    return false;
                }
                return super.sendOffloaded(buf, off, len, checksumStart, checksumOffset, 0);
            }
            return send(buf, off, len, segmentSize > 0 ? FrameHandler.gso(segmentSize) : FrameHandler.CHECKSUM_PARTIAL);
        }

        /** Under the switch's lock: queues a frame for this port, finishing it first if the port takes no offloads. */
        private void take(byte[] buf, int off, int len, int flags, boolean direct) {
            if ((flags & FrameHandler.OFFLOADED) == 0 || !receiving()) {
                pass(buf, off, len, flags, direct);
                return;
            }
            LinkOffloads o = offloads;
            boolean gso = (flags & FrameHandler.GSO_TCP) != 0;
            if (o.txChecksum() && (!gso || (o.segments(OffloadFrames.isIpv6(buf, off)) && len - 14 <= o.txSegmentation()))) {
                pass(buf, off, len, flags, direct);
                return;
            }
            // Finished in the switch's scratch buffer: never handed straight to a stack, whose
            // answer could need the same buffer while this frame is still in it.
            byte[] s = scratch();
            int plain = flags & FrameHandler.RX_CHECKSUM_VERIFIED;
            if (gso) {
                softwareSegments.add(OffloadFrames.segment(buf, off, len, flags, s, queue, plain));
                return;
            }
            System.arraycopy(buf, off, s, 0, len);
            OffloadFrames.completeChecksum(s, 0, len);
            softwareChecksum.inc();
            pass(s, 0, len, plain, false);
        }

        /**
         * Queues a frame for this port, or, on this port's loop thread with nothing queued, hands
         * it on at once ({@link #deliverNow}), which saves copying a super-segment into the queue:
         * always for a bridged port, whose device only writes it out; for any port when a bridged
         * device's frame goes to that port alone ({@code direct}), as a device's own frames reach
         * its stack. A frame a stack sends is never handed to another stack within its call.
         */
        private void pass(byte[] buf, int off, int len, int flags, boolean direct) {
            if (bridged || direct) {
                deliverNow(buf, off, len, flags);
            } else {
                deliver(buf, off, len, flags);
            }
        }

        @Override
        void onClose() {
            remove(this);
        }
    }

    /** A port's frames to a bridged device: offloaded ones through {@link LinkDevice#sendOffloaded}. */
    private record ToDevice(LinkDevice device) implements FrameHandler {
        @Override
        public void onFrame(byte[] buf, int off, int len) {
            device.send(buf, off, len);
        }

        @Override
        public void onFrame(byte[] buf, int off, int len, int flags) {
            if ((flags & FrameHandler.OFFLOADED) == 0) {
                device.send(buf, off, len);
                return;
            }
            int t = OffloadFrames.transportStart(buf, off, len);
            device.sendOffloaded(buf, off, len, t, OffloadFrames.checksumOffset(OffloadFrames.protocol(buf, off)),
                    (flags & FrameHandler.GSO_TCP) != 0 ? FrameHandler.gsoSize(flags) : 0);
        }
    }
}
