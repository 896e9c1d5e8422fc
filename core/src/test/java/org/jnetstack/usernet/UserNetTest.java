package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway end to end, unprivileged: host sockets on 127.0.0.1 only. */
@Timeout(120)
class UserNetTest {
    private static final int GATEWAY = Ipv4Address.parseBits("10.0.2.2");

    @Test
    void guestFetchesFromHostHttpServerThroughTheNat() throws Exception {
        HttpServer http = TestServers.hostHello(InetAddress.getLoopbackAddress());
        try (Harness h = new Harness()) {
            byte[] request = "GET /hello HTTP/1.0\r\nHost: 10.0.2.2\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            GuestPeer peer = new GuestPeer(request, 0, false, true);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, http.getAddress().getPort(), peer));
            peer.endOfInput.get(30, TimeUnit.SECONDS);
            String response = peer.kept.toString(StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello guest, you came from 127.0.0.1");
            assertThat(h.counter("usernet.tcp.nat.connects")).isEqualTo(1);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void oneGuestPortToTwoHostAddressesOnTheSamePortAreTwoSplices() throws Exception {
        // A second address of this host besides loopback (the gateway address stands for 127.0.0.1).
        InetAddress other = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(other != null, "the host has no IPv4 address besides loopback");
        HttpServer http = HttpServer.create(new InetSocketAddress(0), 0);
        http.createContext("/who", ex -> {
            byte[] body = ("reached " + ex.getLocalAddress().getAddress().getHostAddress()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        http.start();
        try (Harness h = new Harness()) {
            int port = http.getAddress().getPort();
            byte[] request = "GET /who HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            GuestPeer viaGateway = new GuestPeer(request, 0, false, true);
            GuestPeer direct = new GuestPeer(request, 0, false, true);
            int otherBits = Ipv4Address.parseBits(other.getHostAddress());
            h.onLoop(() -> h.guest.tcp().connect(40123, GATEWAY, port, viaGateway));
            h.onLoop(() -> h.guest.tcp().connect(40123, otherBits, port, direct));
            viaGateway.endOfInput.get(30, TimeUnit.SECONDS);
            direct.endOfInput.get(30, TimeUnit.SECONDS);
            assertThat(viaGateway.kept.toString(StandardCharsets.UTF_8)).endsWith("reached 127.0.0.1");
            assertThat(direct.kept.toString(StandardCharsets.UTF_8)).endsWith("reached " + other.getHostAddress());
            assertThat(h.counter("usernet.tcp.nat.connects")).isEqualTo(2);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aSplicedGuestConnectionGetsTheLargerSendBuffer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Harness h = new Harness()) {
            GuestPeer peer = new GuestPeer(0, false);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, server.getLocalPort(), peer));
            try (Socket s = server.accept()) {
                peer.connected.get(30, TimeUnit.SECONDS);
                int size = 0;
                for (int i = 0; i < 3000 && size == 0; i++) { // the gateway's side is established by the guest's ACK
                    size = h.onLoop(() -> {
                        TcpConnection c = h.net.splices().live().get(0).guestConnection();
                        return c == null ? 0 : c.sendBufferSize();
                    });
                    if (size == 0) {
                        Thread.sleep(10);
                    }
                }
                assertThat(size).isEqualTo(Splices.GUEST_SEND_BUFFER).isGreaterThan(TcpConfig.DEFAULT_SEND_BUFFER);
            }
        }
    }

    @Test
    void aGuestThatStopsReadingStopsTheHostSenderAndTheGatewayHoldsItsSendBufferAtMost() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Harness h = new Harness()) {
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = server.accept()) {
                    byte[] chunk = new byte[64 * 1024];
                    while (true) {
                        s.getOutputStream().write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (Exception e) {
                    // the harness closed: done
                }
            });
            GuestPeer peer = new GuestPeer(new byte[0], 0, false, false); // connects, never reads
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, server.getLocalPort(), peer));
            peer.connected.get(30, TimeUnit.SECONDS);
            long last = -1;
            int stable = 0;
            for (int i = 0; i < 300 && stable < 10; i++) { // until the host sender stalls
                Thread.sleep(100);
                long now = written.get();
                stable = now == last ? stable + 1 : 0;
                last = now;
            }
            assertThat(stable).as("the host sender stalls").isEqualTo(10);
            int held = h.onLoop(() -> h.net.splices().live().get(0).guestConnection().sendBufferSize());
            assertThat(held).isLessThanOrEqualTo(Splices.GUEST_SEND_BUFFER);
            // In flight: the guest's receive window, the gateway's send buffer and the host kernel's
            // socket buffers, far below what an endless sender offers.
            assertThat(h.counter("usernet.tcp.bytes_to_guest")).isLessThan(16L << 20);
            sender.interrupt();
        }
    }

    @Test
    void guestHalfCloseReachesTheHostAndTheReplyComesBack() throws Exception {
        // The host server reads to EOF (the guest's FIN carried across), then answers and closes.
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Harness h = new Harness()) {
            long size = 3_000_000;
            CompletableFuture<byte[]> serverSaw = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    MessageDigest md = Pattern.sha256();
                    byte[] b = new byte[65536];
                    InputStream in = s.getInputStream();
                    int n;
                    while ((n = in.read(b)) > 0) {
                        md.update(b, 0, n);
                    }
                    byte[] digest = md.digest();
                    s.getOutputStream().write(digest);
                    return digest;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            GuestPeer peer = new GuestPeer(size, true);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, server.getLocalPort(), peer));
            peer.endOfInput.get(60, TimeUnit.SECONDS);
            assertThat(serverSaw.get(10, TimeUnit.SECONDS)).isEqualTo(Pattern.digest(size));
            assertThat(peer.kept.toByteArray()).isEqualTo(Pattern.digest(size));
        }
    }

    @Test
    void refusedHostPortIsSeenByTheGuestAsReset() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (Harness h = new Harness()) {
            GuestPeer peer = new GuestPeer(10, false);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, closedPort, peer));
            assertThatThrownBy(() -> peer.connected.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConnectException.class).hasMessageContaining("refused");
            assertThat(h.counter("usernet.tcp.nat.refused")).isEqualTo(1);
            assertThat(h.counter("tcp.tx.resets")).isEqualTo(1); // the gateway's RST, not a SYN-ACK
            assertThat(h.counter("tcp.passive_opens")).isZero();
        }
    }

    @Test
    void connectionsToNonRoutableDestinationsAreRefused() throws Exception {
        try (Harness h = new Harness()) {
            GuestPeer peer = new GuestPeer(10, false);
            // 127.0.0.1 as the guest means itself; the gateway passes nothing to the host's loopback but via 10.0.2.2.
            h.onLoop(() -> h.guest.tcp().connect(Ipv4Address.parseBits("0.1.2.3"), 80, peer));
            assertThatThrownBy(() -> peer.connected.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(ConnectException.class);
            assertThat(h.counter("usernet.tcp.nat.denied")).isEqualTo(1);
        }
    }

    @Test
    void hundredMegabytesEachWayThroughTheNatAreIdentical() throws Exception {
        long size = 100L << 20;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Harness h = new Harness()) {
            Thread echo = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            GuestPeer peer = new GuestPeer(size, true);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, server.getLocalPort(), peer));
            assertThat(peer.endOfInput.get(100, TimeUnit.SECONDS)).isEqualTo(size);
            assertThat(peer.received.digest()).isEqualTo(Pattern.digest(size));
            echo.join(10_000);
            assertThat(h.counter("usernet.tcp.bytes_to_host")).isEqualTo(size);
            assertThat(h.counter("usernet.tcp.bytes_to_guest")).isEqualTo(size);
        }
    }

    @Test
    void hundredMegabytesEachWayThroughAForwardAreIdentical() throws Exception {
        long size = 100L << 20;
        try (Harness h = new Harness(List.of(ForwardRule.tcp(0, 7)))) {
            h.onLoop(() -> GuestEcho.listen(h.guest.tcp(), 7, 16));
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            try (Socket s = new Socket(fwd.getAddress(), fwd.getPort())) {
                CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        MessageDigest md = Pattern.sha256();
                        byte[] b = new byte[65536];
                        long total = 0;
                        int n;
                        while ((n = s.getInputStream().read(b)) > 0) {
                            md.update(b, 0, n);
                            total += n;
                        }
                        assertThat(total).isEqualTo(size);
                        return md.digest();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                OutputStream out = s.getOutputStream();
                byte[] b = new byte[65536];
                for (long done = 0; done < size; done += b.length) {
                    Pattern.fill(b, 0, b.length, done);
                    out.write(b);
                }
                s.shutdownOutput();
                assertThat(reader.get(100, TimeUnit.SECONDS)).isEqualTo(Pattern.digest(size));
            }
        }
    }

    @Test
    void curlOnTheHostReachesAGuestServiceThroughAForward() throws Exception {
        try (Harness h = new Harness(List.of(ForwardRule.parse("tcp:127.0.0.1:0:80")))) {
            h.onLoop(() -> {
                TestServers.guestSaysHi(h.guest.tcp(), 80);
                return null;
            });
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "http://127.0.0.1:" + fwd.getPort() + "/")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo("guest says hi");
            assertThat(p.exitValue()).isZero();
        }
    }

    @Test
    void twoHundredConcurrentForwardedConnections() throws Exception {
        int count = 200;
        try (Harness h = new Harness(List.of(ForwardRule.tcp(0, 7)))) {
            GuestEcho echo = h.onLoop(() -> GuestEcho.listen(h.guest.tcp(), 7, 256));
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    Socket s = new Socket(fwd.getAddress(), fwd.getPort());
                    s.setSoTimeout(30_000);
                    sockets.add(s);
                }
                // All open at once: each sends its own line, then reads its own echo.
                for (int i = 0; i < count; i++) {
                    sockets.get(i).getOutputStream().write(("connection " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                for (int i = 0; i < count; i++) {
                    byte[] want = ("connection " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                    assertThat(sockets.get(i).getInputStream().readNBytes(want.length)).isEqualTo(want);
                }
                assertThat(echo.maxOpen.get()).isEqualTo(count);
                assertThat(h.onLoop(() -> h.net.activeTcpSplices())).isEqualTo(count);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            assertThat(echo.accepted.get()).isEqualTo(count);
        }
    }

    @Test
    void aHostPeerThatStopsReadingStopsTheGuestWithinTheBound() throws Exception {
        int bound = 64 * 1024;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Harness h = new Harness(UserNetConfig.defaults().withSpliceBufferBytes(bound))) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket s = server.accept(); // and never read
                    return s;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long offered = 1L << 30;
            GuestPeer peer = new GuestPeer(offered, false);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, server.getLocalPort(), peer));
            peer.connected.get(30, TimeUnit.SECONDS);
            try (Socket s = accepted.get(30, TimeUnit.SECONDS)) {
                // Wait for the guest to stall: what it managed to write stops changing.
                long last = -1;
                int stable = 0;
                for (int i = 0; i < 300 && stable < 10; i++) {
                    Thread.sleep(100);
                    long now = peer.sent;
                    stable = now == last ? stable + 1 : 0;
                    last = now;
                }
                assertThat(stable).as("the guest stalls").isEqualTo(10);
                assertThat(h.counter("usernet.tcp.host_write_blocked")).as("the host socket stopped taking").isPositive();
                // Everything in flight: the guest's and gateway's TCP buffers (256 KiB each way)
                // and the host kernel's socket buffers — far below what was offered.
                assertThat(peer.sent).isLessThan(64L << 20);
                assertThat(h.counter("usernet.tcp.bytes_to_host")).as("the host took what it buffers, no more")
                        .isLessThan(peer.sent);
            }
        }
    }

    @Test
    void udpFlowsReachTheHostAndRepliesComeBack() throws Exception {
        try (DatagramSocket hostEcho = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             Harness h = new Harness()) {
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    byte[] b = new byte[2048];
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    hostEcho.receive(p);
                    byte[] reply = ("echo:" + new String(b, 0, p.getLength(), StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
                    hostEcho.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<String> reply = new CompletableFuture<>();
            int port = hostEcho.getLocalPort();
            h.onLoop(() -> {
                UdpEndpoint ep = h.guest.udp().open(0, (e, srcIp, srcPort, buf, off, len) -> {
                    if (srcIp == GATEWAY && srcPort == port) {
                        reply.complete(new String(buf, off, len, StandardCharsets.US_ASCII));
                    }
                });
                byte[] m = "ping".getBytes(StandardCharsets.US_ASCII);
                return ep.send(GATEWAY, port, m, 0, m.length);
            });
            assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo("echo:ping");
            t.join(5000);
            assertThat(h.onLoop(() -> h.net.activeUdpFlows())).isEqualTo(1);
        }
    }

    @Test
    void dnsSentToTheDnsAddressIsRelayedToTheHostResolver() throws Exception {
        try (DatagramSocket resolver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            EventLoop loop = EventLoop.system();
            UserNet net = UserNet.create(loop, UserNetConfig.defaults(), (InetSocketAddress) resolver.getLocalSocketAddress());
            NetStack guest = NetStack.builder(loop).name("guest").device(net.guestDevice())
                    .address(net.config().guest(), 24).gateway(net.config().gateway()).build();
            loop.start("dns-test");
            try {
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        byte[] b = new byte[512];
                        DatagramPacket p = new DatagramPacket(b, b.length);
                        resolver.receive(p);
                        byte[] reply = ("answer:" + new String(b, 0, p.getLength(), StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
                        resolver.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                CompletableFuture<String> reply = new CompletableFuture<>();
                int dns = Ipv4Address.parseBits("10.0.2.3");
                loop.execute(() -> {
                    UdpEndpoint ep = guest.udp().open(0, (e, srcIp, srcPort, buf, off, len) -> {
                        if (srcIp == dns && srcPort == 53) {
                            reply.complete(new String(buf, off, len, StandardCharsets.US_ASCII));
                        }
                    });
                    byte[] q = "query".getBytes(StandardCharsets.US_ASCII);
                    ep.send(dns, 53, q, 0, q.length); // the guest ARPs for 10.0.2.3: the gateway answers
                });
                assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo("answer:query");
                t.join(5000);
            } finally {
                net.close();
                guest.close();
                loop.close();
            }
        }
    }

    @Test
    void forwardRulesParse() {
        ForwardRule r = ForwardRule.parse("tcp:8080:80");
        assertThat(r.hostAddress().isLoopbackAddress()).isTrue();
        assertThat(r.hostPort()).isEqualTo(8080);
        assertThat(r.guestPort()).isEqualTo(80);
        ForwardRule any = ForwardRule.parse("tcp:0.0.0.0:2222:22");
        assertThat(any.hostAddress().isAnyLocalAddress()).isTrue();
        assertThat(any.guestPort()).isEqualTo(22);
        assertThat(r.udp()).isFalse();
        ForwardRule udp = ForwardRule.parse("udp:5353:53");
        assertThat(udp.udp()).isTrue();
        assertThat(udp.toString()).isEqualTo("udp:127.0.0.1:5353:53");
        assertThatThrownBy(() -> ForwardRule.parse("sctp:53:53")).hasMessageContaining("expected tcp:");
        assertThatThrownBy(() -> ForwardRule.parse("tcp:80")).hasMessageContaining("expected tcp:");
        assertThatThrownBy(() -> ForwardRule.parse("tcp:8080:0")).hasMessageContaining("guest port");
    }
}
