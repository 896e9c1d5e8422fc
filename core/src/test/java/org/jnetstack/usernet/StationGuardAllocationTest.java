package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.stats.Counters;
import org.jnetstack.testing.Allocations;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/** The guard sits on every frame of an outside machine: judging one (with the DHCP server's leases) allocates nothing. */
class StationGuardAllocationTest {
    private static final long MAC = 0x52_54_00_12_34_99L;
    private static final int LEASED = 0x0A00020F; // 10.0.2.15

    @Test
    void judgingArpIpv4AndIpv6FramesAllocatesNothing() {
        org.jnetstack.loop.EventLoop loop = org.jnetstack.loop.EventLoop.system();
        UserNet net = UserNet.create(loop, UserNetConfig.defaults());
        try {
            judge(new StationGuard.Owners(a -> a == LEASED ? MAC : net.dhcp().holderOf(a), (hi, lo) -> hi == 1 && lo == 2,
                    new Counters()));
        } finally {
            net.close();
            loop.close();
        }
    }

    private static void judge(StationGuard.Owners owners) {
        StationGuard guard = new StationGuard(new VirtualWire().a(), owners);
        byte[] arp = frame(0x0806, 60);
        ArpPacket.write(arp, 14, ArpPacket.OP_REQUEST, MAC, LEASED, 0, 0x0A000202);
        byte[] ipv4 = frame(0x0800, 60);
        ipv4[14] = 0x45;
        ipv4[23] = 6;
        ipv4[26] = 10;
        ipv4[29] = 16; // 10.0.2.16: asks the DHCP server
        byte[] ipv6 = frame(0x86DD, 14 + 40 + 24);
        ipv6[14] = 0x60;
        ipv6[20] = 58;
        ipv6[54] = (byte) 135; // a neighbour solicitation: passes
        long[] passed = new long[1];
        FrameHandler up = new FrameHandler() {
            @Override
            public void onFrame(byte[] buf, int off, int len) {
                passed[0]++;
            }

            @Override
            public void onFrame(byte[] buf, int off, int len, int flags) {
                passed[0]++;
            }
        };
        long least = Allocations.leastAllocatedBy(2000, () -> {
            for (int i = 0; i < 100; i++) {
                guard.received(arp, 0, arp.length, up);
                guard.received(ipv4, 0, ipv4.length, up);
                guard.received(ipv6, 0, ipv6.length, up);
            }
            return passed[0];
        });
        assertThat(passed[0]).as("all passed").isPositive();
        assertThat(least).as("bytes allocated for 300 frames").isZero();
    }

    private static byte[] frame(int type, int len) {
        byte[] f = new byte[len];
        MacAddress.write(f, 0, MacAddress.BROADCAST.bits());
        MacAddress.write(f, 6, MAC);
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        return f;
    }
}
