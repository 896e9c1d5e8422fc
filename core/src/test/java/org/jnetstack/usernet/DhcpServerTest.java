package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.DhcpWriter;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway's DHCP server, asked by a guest that has no address yet. */
@Timeout(60)
class DhcpServerTest {

    @Test
    void discoverOfferRequestAckHandsOutThePlan() throws Exception {
        EventLoop loop = EventLoop.system();
        UserNet net = UserNet.create(loop, UserNetConfig.defaults());
        NetStack guest = NetStack.builder(loop).name("guest").device(net.guestDevice()).build();
        LinkedBlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        loop.start("dhcp-test");
        try {
            long mac = UserNet.GUEST_MAC.bits();
            CompletableFuture<UdpEndpoint> ep = new CompletableFuture<>();
            loop.execute(() -> ep.complete(guest.udp().open(0, DhcpMessage.CLIENT_PORT,
                    (e, srcIp, srcPort, buf, off, len) -> replies.add(java.util.Arrays.copyOfRange(buf, off, off + len)))));
            UdpEndpoint client = ep.get(10, TimeUnit.SECONDS);

            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1234, mac).messageType(DhcpMessage.DISCOVER));
            DhcpMessage offer = parse(replies.poll(10, TimeUnit.SECONDS));
            assertThat(offer.messageType()).isEqualTo(DhcpMessage.OFFER);
            assertThat(offer.xid()).isEqualTo(0x1234);
            assertThat(Ipv4Address.format(offer.yiaddr())).isEqualTo("10.0.2.15");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_ROUTER))).isEqualTo("10.0.2.2");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_DNS_SERVERS))).isEqualTo("10.0.2.3");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_SUBNET_MASK))).isEqualTo("255.255.255.0");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_SERVER_ID))).isEqualTo("10.0.2.2");
            assertThat(offer.optionU32(DhcpMessage.OPT_LEASE_TIME, 0)).isEqualTo(DhcpServer.LEASE_SECONDS);

            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1235, mac).messageType(DhcpMessage.REQUEST)
                    .address(DhcpMessage.OPT_REQUESTED_ADDRESS, Ipv4Address.parseBits("10.0.2.15"))
                    .address(DhcpMessage.OPT_SERVER_ID, Ipv4Address.parseBits("10.0.2.2")));
            DhcpMessage ack = parse(replies.poll(10, TimeUnit.SECONDS));
            assertThat(ack.messageType()).isEqualTo(DhcpMessage.ACK);
            assertThat(Ipv4Address.format(ack.yiaddr())).isEqualTo("10.0.2.15");

            // Asking for an address it was not given draws a NAK (RFC 2131 §4.3.2).
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1236, mac).messageType(DhcpMessage.REQUEST)
                    .address(DhcpMessage.OPT_REQUESTED_ADDRESS, Ipv4Address.parseBits("10.0.2.99")));
            assertThat(parse(replies.poll(10, TimeUnit.SECONDS)).messageType()).isEqualTo(DhcpMessage.NAK);

            // A second client (a station the switch has seen) gets the next address; the first keeps its own.
            loop.execute(() -> announce(net, 0x020000000099L));
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x2000, 0x020000000099L).messageType(DhcpMessage.DISCOVER));
            assertThat(Ipv4Address.format(parse(replies.poll(10, TimeUnit.SECONDS)).yiaddr())).isEqualTo("10.0.2.16");
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1237, mac).messageType(DhcpMessage.DISCOVER));
            assertThat(Ipv4Address.format(parse(replies.poll(10, TimeUnit.SECONDS)).yiaddr())).isEqualTo("10.0.2.15");
        } finally {
            net.close();
            guest.close();
            loop.close();
        }
    }

    @Test
    void madeUpClientAddressesDoNotEmptyThePoolAndOnePortGetsAFewLeasesAtMost() throws Exception {
        EventLoop loop = EventLoop.system();
        UserNet net = UserNet.create(loop, UserNetConfig.defaults());
        NetStack guest = NetStack.builder(loop).name("guest").device(net.guestDevice()).build();
        LinkedBlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        loop.start("dhcp-test");
        try {
            CompletableFuture<UdpEndpoint> ep = new CompletableFuture<>();
            loop.execute(() -> ep.complete(guest.udp().open(0, DhcpMessage.CLIENT_PORT,
                    (e, srcIp, srcPort, buf, off, len) -> replies.add(java.util.Arrays.copyOfRange(buf, off, off + len)))));
            UdpEndpoint client = ep.get(10, TimeUnit.SECONDS);

            // A whole pool's worth of client addresses no frame ever came from: nothing offered.
            for (int i = 0; i < DhcpServer.POOL_SIZE + 4; i++) {
                long fake = 0x026600000000L + i;
                send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x3000, fake).messageType(DhcpMessage.DISCOVER));
            }
            long mac = UserNet.GUEST_MAC.bits();
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1234, mac).messageType(DhcpMessage.DISCOVER));
            DhcpMessage offer = parse(replies.poll(10, TimeUnit.SECONDS));
            assertThat(offer.xid()).as("only the real client is answered").isEqualTo(0x1234);
            assertThat(Ipv4Address.format(offer.yiaddr())).isEqualTo("10.0.2.15");
            assertThat(counter(loop, net, "usernet.dhcp.drop.unknown_client")).isEqualTo(DhcpServer.POOL_SIZE + 4);

            // Real stations, but all behind one port: a few leases, not the pool.
            for (int i = 1; i < DhcpServer.LEASES_PER_PORT; i++) { // the guest's own lease is the port's first
                long station = 0x027700000000L + i;
                loop.execute(() -> announce(net, station));
                int xid = 0x4000 + i;
                send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, xid, station).messageType(DhcpMessage.DISCOVER));
                DhcpMessage o = parse(replies.poll(10, TimeUnit.SECONDS));
                assertThat(o.xid()).isEqualTo(xid);
                assertThat(o.messageType()).isEqualTo(DhcpMessage.OFFER);
                assertThat(Ipv4Address.format(o.yiaddr())).isEqualTo("10.0.2." + (15 + i));
            }
            long extra = 0x027700000099L;
            loop.execute(() -> announce(net, extra));
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x5000, extra).messageType(DhcpMessage.DISCOVER));
            assertThat(replies.poll(2, TimeUnit.SECONDS)).as("no offer beyond the port's share").isNull();
            assertThat(counter(loop, net, "usernet.dhcp.drop.port_limit")).isEqualTo(1);
        } finally {
            net.close();
            guest.close();
            loop.close();
        }
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void guestsThatComeAndGoOnOneStreamSocketWithNewAddressesKeepGettingLeases() throws Exception {
        EventLoop loop = EventLoop.system();
        UserNet net = UserNet.create(loop, UserNetConfig.defaults());
        org.jnetstack.link.StreamDevice dev = org.jnetstack.link.StreamDevice.listenUnix(dir.resolve("vm.sock"), null,
                org.jnetstack.link.StreamOptions.defaults());
        net.attachExternal(dev);
        loop.start("dhcp-test");
        try {
            // A QEMU restarted again and again, each time with another MAC (no mac= on its NIC, a random one).
            int guests = DhcpServer.LEASES_PER_PORT + 2;
            for (int k = 0; k < guests; k++) {
                long mac = 0x025400000100L + k;
                try (var socket = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                    socket.connect(java.net.UnixDomainSocketAddress.of(dev.unixPath()));
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(framedDiscover(mac, 0x7000 + k));
                    while (b.hasRemaining()) {
                        socket.write(b);
                    }
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    int want = k + 1;
                    while (counter(loop, net, "usernet.dhcp.offers") < want
                            && counter(loop, net, "usernet.dhcp.drop.port_limit") == 0 && System.nanoTime() < end) {
                        Thread.sleep(5);
                    }
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (dev.isConnected() && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
            }
            assertThat(counter(loop, net, "usernet.dhcp.offers")).as("every guest got an offer").isEqualTo(guests);
            assertThat(counter(loop, net, "usernet.dhcp.drop.port_limit")).isZero();
            assertThat(counter(loop, net, "usernet.dhcp.reclaimed")).isEqualTo(2);
        } finally {
            net.close();
            loop.close();
        }
    }

    /** A DHCPDISCOVER from {@code mac} as a client without an address sends it, behind the stream's length prefix. */
    private static byte[] framedDiscover(long mac, int xid) {
        byte[] dhcp = new byte[576];
        int n = new DhcpWriter().start(dhcp, 0, DhcpMessage.OP_REQUEST, xid, mac).messageType(DhcpMessage.DISCOVER).finish();
        int len = 14 + 20 + 8 + n;
        byte[] f = new byte[4 + len];
        f[0] = (byte) (len >>> 24);
        f[1] = (byte) (len >>> 16);
        f[2] = (byte) (len >>> 8);
        f[3] = (byte) len;
        int e = 4;
        org.jnetstack.wire.MacAddress.write(f, e, org.jnetstack.wire.MacAddress.BROADCAST.bits());
        org.jnetstack.wire.MacAddress.write(f, e + 6, mac);
        f[e + 12] = 0x08;
        int ip = e + 14;
        f[ip] = 0x45;
        f[ip + 2] = (byte) ((20 + 8 + n) >>> 8);
        f[ip + 3] = (byte) (20 + 8 + n);
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        for (int i = 16; i < 20; i++) {
            f[ip + i] = (byte) 0xFF; // from 0.0.0.0 to 255.255.255.255
        }
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((f[ip + i] & 0xFF) << 8) | (f[ip + i + 1] & 0xFF);
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
        f[ip + 10] = (byte) (sum >>> 8);
        f[ip + 11] = (byte) sum;
        int udp = ip + 20;
        f[udp + 1] = 68;
        f[udp + 3] = 67;
        f[udp + 4] = (byte) ((8 + n) >>> 8);
        f[udp + 5] = (byte) (8 + n); // checksum 0: none (RFC 768)
        System.arraycopy(dhcp, 0, f, udp + 8, n);
        return f;
    }

    private static long counter(EventLoop loop, UserNet net, String name) throws Exception {
        return Harness.onLoop(loop, () -> net.counters().get(name));
    }

    /** A frame from {@code mac} through the guest's port: the switch learns the station there (loop thread). */
    private static void announce(UserNet net, long mac) {
        byte[] f = new byte[60];
        org.jnetstack.wire.MacAddress.write(f, 0, org.jnetstack.wire.MacAddress.BROADCAST.bits());
        org.jnetstack.wire.MacAddress.write(f, 6, mac);
        f[12] = (byte) 0x88; // a local experimental EtherType: nobody answers
        f[13] = (byte) 0xB5;
        net.guestDevice().send(f, 0, f.length);
    }

    private static void send(EventLoop loop, UdpEndpoint client, java.util.function.BiFunction<DhcpWriter, byte[], DhcpWriter> build) {
        loop.execute(() -> {
            byte[] buf = new byte[576];
            int n = build.apply(new DhcpWriter(), buf).finish();
            client.send(-1, DhcpMessage.SERVER_PORT, buf, 0, n);
        });
    }

    private static DhcpMessage parse(byte[] b) {
        assertThat(b).as("a reply").isNotNull();
        DhcpMessage m = new DhcpMessage().wrap(b, 0, b.length);
        assertThat(m.check()).isNull();
        return m;
    }
}
