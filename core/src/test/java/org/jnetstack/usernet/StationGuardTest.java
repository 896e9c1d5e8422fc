package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.jnetstack.link.DeviceAttachment;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.NetStack;
import org.jnetstack.dhcp.DhcpClient;
import org.jnetstack.dhcp.DhcpConfig;
import org.jnetstack.dhcp.DhcpLease;
import org.jnetstack.dhcp.DhcpListener;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile machines on the gateway's switch: a frame from an address that belongs to the gateway
 * or to another machine must not move that address to the sender's port (the switch would send
 * it their traffic), and made-up source addresses must not fill the switch's table (later
 * machines would never be learned, and their frames would be flooded to the attacker).
 */
@Timeout(60)
class StationGuardTest {
    private static final MacAddress GATEWAY = MacAddress.parse("52:55:0a:00:02:02");
    private static final MacAddress ATTACKER = MacAddress.parse("52:54:00:66:66:66");
    private static final MacAddress VICTIM = MacAddress.parse("52:54:00:77:77:77");

    /** An outside machine: the far end of a wire whose near end is attached to the gateway. */
    private record Machine(VirtualWire wire, VirtualSwitch.Port port, java.util.concurrent.atomic.AtomicInteger fromAttacker) {
        /** Sends a broadcast frame from {@code src} (loop thread). */
        void sendFrom(long src) {
            byte[] f = new byte[60];
            MacAddress.write(f, 0, MacAddress.BROADCAST.bits());
            MacAddress.write(f, 6, src);
            f[12] = (byte) 0x88; // a local experimental EtherType: nobody answers
            f[13] = (byte) 0xB5;
            wire.b().send(f, 0, f.length);
        }

        /** Sends a broadcast frame of {@code type} from the attacker with {@code payload} after the Ethernet header (loop thread). */
        void sendRaw(int type, byte[] payload) {
            byte[] f = new byte[Math.max(60, 14 + payload.length)];
            MacAddress.write(f, 0, MacAddress.BROADCAST.bits());
            MacAddress.write(f, 6, ATTACKER.bits());
            f[12] = (byte) (type >>> 8);
            f[13] = (byte) type;
            System.arraycopy(payload, 0, f, 14, payload.length);
            wire.b().send(f, 0, f.length);
        }

        /** Sends a broadcast ARP request from {@code senderMac} saying {@code senderIp} is there (loop thread). */
        void arp(long senderMac, int senderIp, int targetIp) {
            byte[] f = new byte[60];
            MacAddress.write(f, 0, MacAddress.BROADCAST.bits());
            MacAddress.write(f, 6, senderMac);
            f[12] = 0x08;
            f[13] = 0x06;
            ArpPacket.write(f, 14, ArpPacket.OP_REQUEST, senderMac, senderIp, 0, targetIp);
            wire.b().send(f, 0, f.length);
        }
    }

    private static Machine attach(Harness h, String name, MacAddress mac) throws Exception {
        var fromAttacker = new java.util.concurrent.atomic.AtomicInteger();
        VirtualWire wire = new VirtualWire(name + "-nic", MacAddress.parse("02:00:00:00:99:01"), name, mac, 1500, 1024);
        VirtualSwitch.Port port = h.onLoop(() -> {
            VirtualSwitch.Port p = h.net.attachExternal(wire.a());
            DeviceAttachment.attach(h.loop, wire.b(), (b, o, l) -> {
                if (MacAddress.read(b, o + 6) == ATTACKER.bits()) {
                    fromAttacker.incrementAndGet();
                }
            });
            return p;
        });
        return new Machine(wire, port, fromAttacker);
    }

    /** Waits until the switch and the guard have together seen {@code frames} more frames from outside. */
    private static void settle(Harness h, VirtualSwitch sw, long before, long frames) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen(h, sw) < before + frames && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(seen(h, sw)).as("frames handled").isGreaterThanOrEqualTo(before + frames);
    }

    private static long seen(Harness h, VirtualSwitch sw) throws Exception {
        return h.onLoop(() -> sw.counters().get("switch.flooded") + sw.counters().get("switch.filtered")
                + sw.counters().get("switch.forwarded") + h.net.counters().get("usernet.switch.drop.foreign_source")
                + h.net.counters().get("usernet.switch.drop.too_many_stations")
                + h.net.counters().get("usernet.switch.drop.foreign_address")
                + h.net.counters().get("usernet.switch.drop.gateway_only"));
    }

    @Test
    void aMachineCannotTakeTheGatewaysOrAnotherMachinesAddress() throws Exception {
        try (Harness h = new Harness()) {
            Machine victim = attach(h, "victim", VICTIM);
            Machine attacker = attach(h, "attacker", ATTACKER);
            VirtualSwitch sw = victim.port().owner();
            long before = seen(h, sw);
            h.onLoop(() -> {
                victim.sendFrom(VICTIM.bits());
                attacker.sendFrom(ATTACKER.bits());
                return null;
            });
            settle(h, sw, before, 2);
            // The gateway has spoken (it answers ARP), so the switch knows where it is.
            h.onLoop(() -> h.guest.tcp().connect(h.net.config().gateway().bits(), 1, new GuestPeer(0, false)));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (h.onLoop(() -> sw.portOf(GATEWAY)) == null && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            VirtualSwitch.Port gatewayPort = h.onLoop(() -> sw.portOf(GATEWAY));
            assertThat(gatewayPort).isNotNull();

            before = seen(h, sw);
            h.onLoop(() -> {
                attacker.sendFrom(GATEWAY.bits());
                attacker.sendFrom(VICTIM.bits());
                attacker.sendFrom(UserNet.GUEST_MAC.bits());
                return null;
            });
            settle(h, sw, before, 3);

            assertThat(h.onLoop(() -> sw.portOf(GATEWAY))).as("the gateway's address stays with the gateway").isSameAs(gatewayPort);
            assertThat(h.onLoop(() -> sw.portOf(VICTIM))).as("the victim's address stays with the victim").isSameAs(victim.port());
            assertThat(h.onLoop(() -> sw.portOf(UserNet.GUEST_MAC))).as("the in-process guest's address is not the attacker's")
                    .isNotSameAs(attacker.port());
            assertThat(h.counter("usernet.switch.drop.foreign_source")).isEqualTo(3);
        }
    }

    @Test
    void aMachineCannotFillTheSwitchTableWithMadeUpAddresses() throws Exception {
        try (Harness h = new Harness()) {
            Machine attacker = attach(h, "attacker", ATTACKER);
            VirtualSwitch sw = attacker.port().owner();
            int made = 5000;
            long before = seen(h, sw);
            for (int i = 0; i < made; i += 100) {
                int from = i;
                h.onLoop(() -> {
                    for (int k = from; k < from + 100; k++) {
                        attacker.sendFrom(0x02_66_00_00_00_00L + k);
                    }
                    return null;
                });
                settle(h, sw, before, i + 100);
            }
            Machine victim = attach(h, "victim", VICTIM);
            before = seen(h, sw);
            h.onLoop(() -> {
                victim.sendFrom(VICTIM.bits());
                return null;
            });
            settle(h, sw, before, 1);

            assertThat(h.onLoop(() -> sw.portOf(VICTIM))).as("a machine that comes later is still learned").isSameAs(victim.port());
            assertThat(h.counter("usernet.switch.drop.too_many_stations")).isEqualTo(made - StationGuard.STATIONS_PER_PORT);
        }
    }

    @Test
    void aMachineCannotClaimTheGatewaysAddressOrAnotherMachinesLease() throws Exception {
        try (Harness h = new Harness()) {
            Machine attacker = attach(h, "attacker", ATTACKER);
            VirtualSwitch sw = attacker.port().owner();
            VirtualWire wire = new VirtualWire("victim-nic", MacAddress.parse("02:00:00:00:99:02"), "victim", VICTIM, 1500, 1024);
            NetStack victim = h.onLoop(() -> {
                h.net.attachExternal(wire.a());
                return NetStack.builder(h.loop).name("victim").device(wire.b()).seed(5).build();
            });
            try {
                java.util.concurrent.CompletableFuture<DhcpLease> bound = new java.util.concurrent.CompletableFuture<>();
                h.onLoop(() -> DhcpClient.start(victim, DhcpConfig.defaults()
                        .withProbes(0, java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(1)), new DhcpListener() {
                            @Override
                            public void onBound(DhcpLease lease) {
                                bound.complete(lease);
                            }
                        }));
                int victimIp = bound.get(30, TimeUnit.SECONDS).address().bits();
                int gw = h.net.config().gateway().bits();
                // The victim talks to the gateway: each learns the other's MAC.
                var ep = h.onLoop(() -> victim.udp().open(40000, (e, a, p, b, o, l) -> { }));
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while ((h.onLoop(() -> h.net.stack().iface().neighbors().lookup(victimIp)) == -1
                        || h.onLoop(() -> victim.iface().neighbors().lookup(gw)) == -1) && System.nanoTime() < end) {
                    h.onLoop(() -> ep.send(gw, 9, new byte[1], 0, 1));
                    Thread.sleep(50);
                }
                assertThat(h.onLoop(() -> victim.iface().neighbors().lookup(gw))).isEqualTo(GATEWAY.bits());

                long before = seen(h, sw);
                h.onLoop(() -> {
                    attacker.arp(ATTACKER.bits(), victimIp, gw);
                    attacker.arp(ATTACKER.bits(), gw, victimIp);
                    attacker.arp(ATTACKER.bits(), h.net.config().dns().bits(), victimIp);
                    return null;
                });
                settle(h, sw, before, 3);

                assertThat(h.onLoop(() -> h.net.stack().iface().neighbors().lookup(victimIp)))
                        .as("the gateway still sends the victim's traffic to the victim").isEqualTo(VICTIM.bits());
                assertThat(h.onLoop(() -> victim.iface().neighbors().lookup(gw)))
                        .as("the victim still sends to the gateway").isEqualTo(GATEWAY.bits());
                assertThat(h.counter("usernet.switch.drop.foreign_address")).isEqualTo(3);
            } finally {
                h.onLoop(() -> {
                    victim.close();
                    return null;
                });
            }
        }
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void theNextGuestOnAStreamSocketStartsWithNoAddressesOwned() throws Exception {
        try (Harness h = new Harness()) {
            org.jnetstack.link.StreamDevice dev = org.jnetstack.link.StreamDevice.listenUnix(dir.resolve("gw.sock"), null,
                    org.jnetstack.link.StreamOptions.defaults());
            VirtualSwitch.Port port = h.onLoop(() -> h.net.attachExternal(dev));
            VirtualSwitch sw = port.owner();
            long before = seen(h, sw);
            // A guest that used a whole port's share of addresses (a QEMU restarted with new MACs each time) ...
            try (var socket = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                socket.connect(java.net.UnixDomainSocketAddress.of(dev.unixPath()));
                for (int i = 0; i < StationGuard.STATIONS_PER_PORT; i++) {
                    writeFrameFrom(socket, 0x02_55_00_00_00_00L + i);
                }
                settle(h, sw, before, StationGuard.STATIONS_PER_PORT);
            }
            // ... and the next one, with an address of its own.
            long next = 0x02_55_00_00_01_00L;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (dev.isConnected() && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            try (var socket = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                socket.connect(java.net.UnixDomainSocketAddress.of(dev.unixPath()));
                before = seen(h, sw);
                writeFrameFrom(socket, next);
                settle(h, sw, before, 1);
            }
            assertThat(h.counter("usernet.switch.drop.too_many_stations")).isZero();
            assertThat(h.onLoop(() -> sw.portOf(new MacAddress(next)))).isSameAs(port);
        }
    }

    private static void writeFrameFrom(java.nio.channels.SocketChannel socket, long src) throws java.io.IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 60);
        b.putInt(60);
        byte[] f = new byte[60];
        MacAddress.write(f, 0, MacAddress.BROADCAST.bits());
        MacAddress.write(f, 6, src);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB5;
        b.put(f).flip();
        while (b.hasRemaining()) {
            socket.write(b);
        }
    }

    @Test
    void aMachineCannotSpeakForTheGatewayAsDhcpServerOrIpv6Router() throws Exception {
        try (Harness h = new Harness()) {
            Machine victim = attach(h, "victim", VICTIM);
            Machine attacker = attach(h, "attacker", ATTACKER);
            VirtualSwitch sw = attacker.port().owner();
            org.jnetstack.wire.Ipv6Address gw6 = h.net.ipv6Gateway();

            byte[] offer = new byte[20 + 8 + 240];
            offer[0] = 0x45;
            offer[2] = (byte) (offer.length >>> 8);
            offer[3] = (byte) offer.length;
            offer[8] = 64;
            offer[9] = 17; // UDP
            offer[12] = 10;
            offer[15] = 99; // from 10.0.0.99
            offer[16] = offer[17] = offer[18] = offer[19] = (byte) 0xFF;
            offer[21] = 67; // from the DHCP server port
            offer[23] = 68;
            offer[28] = 2; // BOOTREPLY

            byte[] ra = ipv6(58, new byte[] {(byte) 134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0});
            byte[] hopByHopRa = ipv6(0, new byte[] {58, 0, 1, 4, 0, 0, 0, 0, (byte) 134, 0, 0, 0, 64, 0, 0x07, 0x08,
                    0, 0, 0, 0, 0, 0, 0, 0});
            byte[] na = new byte[24];
            na[0] = (byte) 136;
            na[4] = (byte) 0xA0; // router, override
            org.jnetstack.wire.Bytes.putI64(na, 8, gw6.hi());
            org.jnetstack.wire.Bytes.putI64(na, 16, gw6.lo());
            byte[] naForGateway = ipv6(58, na);

            long before = seen(h, sw);
            h.onLoop(() -> {
                attacker.sendRaw(0x0800, offer);
                attacker.sendRaw(0x86DD, ra);
                attacker.sendRaw(0x86DD, hopByHopRa);
                attacker.sendRaw(0x86DD, naForGateway);
                attacker.sendFrom(ATTACKER.bits()); // a harmless frame after them, on the same path
                return null;
            });
            settle(h, sw, before, 5);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (victim.fromAttacker().get() == 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }

            assertThat(victim.fromAttacker().get()).as("frames of the attacker's that reached the victim: the harmless one").isEqualTo(1);
            assertThat(h.counter("usernet.switch.drop.gateway_only")).isEqualTo(4);
        }
    }

    /** An IPv6 packet from fe80::66 to all nodes, hop limit 255, with {@code nextHeader} and {@code payload}. */
    private static byte[] ipv6(int nextHeader, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        p[4] = (byte) (payload.length >>> 8);
        p[5] = (byte) payload.length;
        p[6] = (byte) nextHeader;
        p[7] = (byte) 255;
        p[8] = (byte) 0xFE;
        p[9] = (byte) 0x80;
        p[23] = 0x66;
        p[24] = (byte) 0xFF;
        p[25] = 0x02;
        p[39] = 1;
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }
}
