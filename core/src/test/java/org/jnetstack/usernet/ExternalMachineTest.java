package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.link.DeviceAttachment;
import org.jnetstack.NetStack;
import org.jnetstack.dhcp.DhcpClient;
import org.jnetstack.dhcp.DhcpConfig;
import org.jnetstack.dhcp.DhcpLease;
import org.jnetstack.dhcp.DhcpListener;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.StreamDevice;
import org.jnetstack.link.StreamOptions;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine outside the gateway's JVM loop on the gateway's switch, as a QEMU guest is: the
 * gateway listens on a Unix stream socket ({@link StreamDevice}); the "machine" is a stack on its
 * own loop whose frames the test carries over a real socket in QEMU's stream framing. It must get
 * its lease from the gateway's DHCP server, reach a host server through the NAT, and be reached
 * through a forward.
 */
@Timeout(120)
class ExternalMachineTest {
    private static final MacAddress MACHINE_MAC = MacAddress.parse("52:54:00:12:34:99");

    @TempDir
    Path dir;

    @Test
    void aMachineOnAStreamSocketGetsALeaseReachesTheHostAndIsReachedThroughAForward() throws Exception {
        EventLoop gwLoop = EventLoop.system();
        EventLoop machineLoop = EventLoop.system();
        UserNet net = UserNet.create(gwLoop, UserNetConfig.defaults().withForwards(List.of(ForwardRule.tcp(0, 7))));
        StreamDevice dev = StreamDevice.listenUnix(dir.resolve("gw.sock"), null, StreamOptions.defaults());
        VirtualSwitch.Port port = net.attachExternal(dev);
        gwLoop.start("gw");
        VirtualWire wire = new VirtualWire("wire", MacAddress.parse("02:00:00:00:99:01"), "machine", MACHINE_MAC, 1500, 1024);
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(dev.unixPath()));
        NetStack machine = NetStack.builder(machineLoop).name("machine").device(wire.b()).seed(3).build();
        // The machine's NIC: frames of the wire's far end go to the socket, and back.
        DeviceAttachment.attach(machineLoop, wire.a(), (b, o, l) -> writeFramed(socket, b, o, l));
        Thread reader = Thread.ofPlatform().daemon().start(() -> readFramed(socket, wire.a()));
        machineLoop.start("machine");
        try (ServerSocket host = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<DhcpLease> bound = new CompletableFuture<>();
            machineLoop.execute(() -> DhcpClient.start(machine, DhcpConfig.defaults()
                    .withProbes(0, Duration.ofMillis(500), Duration.ofSeconds(1)), new DhcpListener() {
                        @Override
                        public void onBound(DhcpLease lease) {
                            bound.complete(lease);
                        }
                    }));
            DhcpLease lease = bound.get(30, TimeUnit.SECONDS);
            assertThat(lease.address().toString()).isEqualTo("10.0.2.15");
            assertThat(lease.routers()).extracting(Object::toString).containsExactly("10.0.2.2");
            assertThat(lease.dnsServers()).extracting(Object::toString).containsExactly("10.0.2.3");

            // Out through the NAT: the gateway address is the host's loopback.
            CompletableFuture<String> hostSaw = CompletableFuture.supplyAsync(() -> {
                try (Socket s = host.accept()) {
                    String line = new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
                    s.getOutputStream().write("pong!".getBytes(StandardCharsets.US_ASCII));
                    return line;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            GuestPeer peer = new GuestPeer("ping!".getBytes(StandardCharsets.US_ASCII), 0, false, true);
            machineLoop.execute(() -> machine.tcp().connect(org.jnetstack.wire.Ipv4Address.parseBits("10.0.2.2"),
                    host.getLocalPort(), peer));
            assertThat(hostSaw.get(30, TimeUnit.SECONDS)).isEqualTo("ping!");
            peer.endOfInput.get(30, TimeUnit.SECONDS);
            assertThat(peer.kept.toString(StandardCharsets.US_ASCII)).isEqualTo("pong!");

            // In through the forward to the machine's echo service, 1 MB byte-exact.
            CompletableFuture<GuestEcho> echo = new CompletableFuture<>();
            machineLoop.execute(() -> echo.complete(GuestEcho.listen(machine.tcp(), 7, 4)));
            echo.get(10, TimeUnit.SECONDS);
            InetSocketAddress fwd = net.forwards().values().iterator().next();
            byte[] data = new byte[1_000_000];
            new java.util.Random(5).nextBytes(data);
            try (Socket s = new Socket(fwd.getAddress(), fwd.getPort())) {
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(data);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                byte[] back = s.getInputStream().readAllBytes();
                sent.get(30, TimeUnit.SECONDS);
                assertThat(back).isEqualTo(data);
            }
            assertThat(dev.stats().counters().counter("rx.dropped.bad_length").get()).isZero();
            assertThat(port.stats().rxFrames.get()).as("frames the switch passed to the machine").isPositive();
        } finally {
            socket.close();
            reader.join(5000);
            machineLoop.close();
            net.close();
            gwLoop.close();
        }
    }

    @Test
    void withoutHostLoopbackTheGatewayAddressIsRefusedAndNothingReachesTheHost() throws Exception {
        try (ServerSocket host = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Harness h = new Harness(UserNetConfig.defaults().withHostLoopback(false))) {
            GuestPeer peer = new GuestPeer(10, false);
            h.onLoop(() -> h.guest.tcp().connect(org.jnetstack.wire.Ipv4Address.parseBits("10.0.2.2"), host.getLocalPort(), peer));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> peer.connected.get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(java.net.ConnectException.class);
            assertThat(h.counter("usernet.tcp.nat.denied")).isEqualTo(1);
            assertThat(h.counter("usernet.tcp.nat.connects")).as("host connects attempted").isZero();
        }
    }

    @Test
    void aUdpForwardGivesEachHostSenderItsOwnSessionWithTheGuest() throws Exception {
        try (Harness h = new Harness(List.of(ForwardRule.udp(0, 5353)))) {
            // The guest's service answers "<what it got> from <source port>".
            h.onLoop(() -> h.guest.udp().open(5353, (ep, srcIp, srcPort, buf, off, len) -> {
                byte[] answer = (new String(buf, off, len, StandardCharsets.US_ASCII) + " from "
                        + org.jnetstack.wire.Ipv4Address.format(srcIp) + ":" + srcPort).getBytes(StandardCharsets.US_ASCII);
                ep.send(srcIp, srcPort, answer, 0, answer.length);
            }));
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            try (java.net.DatagramSocket a = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
                 java.net.DatagramSocket b = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                a.setSoTimeout(10_000);
                b.setSoTimeout(10_000);
                String fromA = exchange(a, fwd, "a1");
                String fromB = exchange(b, fwd, "b1");
                String fromA2 = exchange(a, fwd, "a2");
                assertThat(fromA).startsWith("a1 from 10.0.2.2:");
                assertThat(fromB).startsWith("b1 from 10.0.2.2:");
                String portA = fromA.substring(fromA.lastIndexOf(':'));
                assertThat(fromA2).as("the same sender keeps its gateway port").isEqualTo("a2 from 10.0.2.2" + portA);
                assertThat(fromB).as("another sender has a port of its own").doesNotEndWith(portA);
            }
            assertThat(h.counter("usernet.forward.udp.datagrams_to_guest")).isEqualTo(3);
            assertThat(h.counter("usernet.forward.udp.datagrams_to_host")).isEqualTo(3);
        }
    }

    @Test
    void aUdpForwardGoesOnReadingWhenTheGatewayHasNoPortForANewSender() throws Exception {
        try (Harness h = new Harness(List.of(ForwardRule.udp(0, 5353)))) {
            h.onLoop(() -> h.guest.udp().open(5353, (ep, srcIp, srcPort, buf, off, len) -> ep.send(srcIp, srcPort, buf, off, len)));
            // Every ephemeral UDP port of the gateway stack taken.
            List<org.jnetstack.udp.UdpEndpoint> taken = h.onLoop(() -> {
                List<org.jnetstack.udp.UdpEndpoint> eps = new java.util.ArrayList<>();
                try {
                    while (true) {
                        eps.add(h.net.stack().udp().open(0, (ep, srcIp, srcPort, buf, off, len) -> { }));
                    }
                } catch (java.io.UncheckedIOException full) {
                    return eps;
                }
            });
            assertThat(taken).hasSizeGreaterThan(1000);
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            try (java.net.DatagramSocket a = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
                 java.net.DatagramSocket b = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                a.send(new java.net.DatagramPacket(new byte[] {1}, 1, fwd));
                long end = System.nanoTime() + 10_000_000_000L;
                while (h.counter("usernet.forward.udp.drop.no_port") == 0 && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
                assertThat(h.counter("usernet.forward.udp.drop.no_port")).isEqualTo(1);
                h.onLoop(() -> {
                    taken.get(0).close(); // one port free again
                    return null;
                });
                b.setSoTimeout(10_000);
                assertThat(exchange(b, fwd, "b1")).as("the forward still reads").isEqualTo("b1");
            }
        }
    }

    @Test
    void aUdpForwardToAGuestPortNobodyListensOnCountsTheGuestsPortUnreachable() throws Exception {
        try (Harness h = new Harness(List.of(ForwardRule.udp(0, 5353)));
             java.net.DatagramSocket client = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            byte[] b = "anyone?".getBytes(StandardCharsets.US_ASCII);
            client.send(new java.net.DatagramPacket(b, b.length, fwd));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (h.counter("usernet.forward.udp.guest_unreachable") == 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(h.counter("usernet.forward.udp.datagrams_to_guest")).isEqualTo(1);
            assertThat(h.counter("usernet.forward.udp.guest_unreachable")).isEqualTo(1);
            assertThat(h.counter("usernet.forward.udp.datagrams_to_host")).isZero();
        }
    }

    @Test
    void udpForwardSessionsAreBoundedAndASenderBeyondTheBoundIsDroppedAndCounted() throws Exception {
        UserNetConfig d = UserNetConfig.defaults();
        UserNetConfig two = new UserNetConfig(d.network(), d.prefixLength(), d.gateway(), d.dns(), d.guest(), d.mtu(),
                d.spliceBufferBytes(), d.connectTimeout(), d.udpIdleTimeout(), 2, d.maxTcpSplices(), d.hostLoopback(), d.keepClientAddress(),
                List.of(ForwardRule.udp(0, 7)), d.ipv6());
        try (Harness h = new Harness(two)) {
            h.onLoop(() -> h.guest.udp().open(7, (ep, srcIp, srcPort, buf, off, len) -> ep.send(srcIp, srcPort, buf, off, len)));
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            java.net.DatagramSocket[] senders = new java.net.DatagramSocket[3];
            try {
                for (int i = 0; i < 2; i++) {
                    senders[i] = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
                    senders[i].setSoTimeout(10_000);
                    assertThat(exchange(senders[i], fwd, "s" + i)).isEqualTo("s" + i);
                }
                senders[2] = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
                byte[] b = "s2".getBytes(StandardCharsets.US_ASCII);
                senders[2].send(new java.net.DatagramPacket(b, b.length, fwd));
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (h.counter("usernet.forward.udp.drop.too_many") == 0 && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                assertThat(h.counter("usernet.forward.udp.drop.too_many")).isEqualTo(1);
                assertThat(h.counter("usernet.forward.udp.datagrams_to_guest")).isEqualTo(2);
                // The first two keep working.
                assertThat(exchange(senders[0], fwd, "again")).isEqualTo("again");
            } finally {
                for (java.net.DatagramSocket s : senders) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
    }

    private static String exchange(java.net.DatagramSocket s, InetSocketAddress to, String what) throws IOException {
        byte[] b = what.getBytes(StandardCharsets.US_ASCII);
        s.send(new java.net.DatagramPacket(b, b.length, to));
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[1500], 1500);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static void writeFramed(SocketChannel socket, byte[] b, int off, int len) {
        ByteBuffer out = ByteBuffer.allocate(4 + len);
        out.putInt(len).put(b, off, len).flip();
        try {
            while (out.hasRemaining()) {
                socket.write(out);
            }
        } catch (IOException e) {
            // the test is over
        }
    }

    private static void readFramed(SocketChannel socket, LinkDevice into) {
        try {
            ByteBuffer len = ByteBuffer.allocate(4);
            while (true) {
                len.clear();
                while (len.hasRemaining()) {
                    if (socket.read(len) < 0) {
                        return;
                    }
                }
                ByteBuffer frame = ByteBuffer.allocate(len.getInt(0));
                while (frame.hasRemaining()) {
                    if (socket.read(frame) < 0) {
                        return;
                    }
                }
                into.send(frame.array(), 0, frame.capacity());
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }
}
