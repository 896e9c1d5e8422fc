package org.jnetstack.usernet;

import org.jnetstack.internal.LongMap;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.MacAddress;

/**
 * Port security for the machines outside the gateway's JVM (a QEMU guest, a namespace's TAP),
 * between each such device and its switch port. The switch learns whatever source address a
 * frame carries, so without this one guest could take another's address, or the gateway's, with
 * a single frame (the switch would then send it their traffic), or fill the switch's address
 * table with made-up addresses (later stations are then never learned and their frames are
 * flooded to every port, the attacker's too). Here each station address belongs to the first
 * port that sends from it, until that port closes: a frame from an address another port owns
 * is dropped, and a port owns at most {@link #STATIONS_PER_PORT} addresses; frames from more
 * are dropped ({@code usernet.switch.drop.foreign_source}, {@code usernet.switch.drop.too_many_stations}).
 * Group (multicast) source addresses pass: the switch never learns them. Loop thread only.
 */
final class StationGuard extends ForwardingDevice {
    /** Station addresses one outside machine may send from: a guest has one per NIC, a few for nested bridges. */
    static final int STATIONS_PER_PORT = 16;

    /** Which port owns which station address; one per gateway, shared by its guards. */
    static final class Owners {
        private final LongMap<Object> owner = new LongMap<>();
        private final Counter foreign;
        private final Counter tooMany;

        Owners(Counter foreign, Counter tooMany) {
            this.foreign = foreign;
            this.tooMany = tooMany;
        }

        /** {@code mac} belongs to {@code who} for good (the gateway's own address). */
        void reserve(long mac, Object who) {
            owner.put(mac, who);
        }

        private boolean admit(long mac, StationGuard port) {
            Object o = owner.get(mac);
            if (o == port) {
                return true;
            }
            if (o != null) {
                foreign.inc();
                return false;
            }
            if (port.ownedCount >= STATIONS_PER_PORT) {
                tooMany.inc();
                return false;
            }
            owner.put(mac, port);
            port.owned[port.ownedCount++] = mac;
            return true;
        }

        private void release(StationGuard port) {
            for (int i = 0; i < port.ownedCount; i++) {
                if (owner.get(port.owned[i]) == port) {
                    owner.remove(port.owned[i]);
                }
            }
            port.ownedCount = 0;
        }
    }

    private final Owners owners;
    private final long[] owned = new long[STATIONS_PER_PORT];
    private int ownedCount;

    StationGuard(LinkDevice device, Owners owners) {
        super(device);
        this.owners = owners;
    }

    @Override
    protected void received(byte[] buf, int off, int len, FrameHandler up) {
        if (len >= EthernetFrame.HEADER_LENGTH) {
            long src = MacAddress.read(buf, off + 6);
            if (!MacAddress.isMulticast(src) && !owners.admit(src, this)) {
                return;
            }
        }
        up.onFrame(buf, off, len, rxFlags());
    }

    @Override
    public LinkOffloads offloads() {
        return inner.offloads();
    }

    @Override
    public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
        return inner.sendOffloaded(buf, off, len, checksumStart, checksumOffset, segmentSize);
    }

    @Override
    public void close() {
        owners.release(this);
        super.close();
    }
}
