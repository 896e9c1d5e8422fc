package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.jnetstack.socket.jdk.StackServerSocketFactory;
import org.jnetstack.socket.jdk.StackSocketFactory;
import org.jnetstack.socket.nio.StackSelectorProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking sockets, the java.net adapters and the java.nio channels over IPv6 and dual stack,
 * between two stacks on a virtual wire (client 10.0.0.1 / fd00::1, server 10.0.0.2 / fd00::2).
 */
class Ipv6SocketsTest {
    final TwoHosts hosts = TwoHosts.dualStack();

    @AfterEach
    void close() {
        hosts.close();
    }

    /** Accepts one connection and echoes one line back, on a thread of its own. */
    static Thread echoOnce(TcpServerSocket server, InetAddress[] peer) {
        return Thread.ofVirtual().start(() -> {
            try (TcpSocket s = server.accept()) {
                peer[0] = s.remoteAddress().getAddress();
                byte[] b = new byte[64];
                int n = s.getInputStream().read(b);
                s.getOutputStream().write(b, 0, n);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    static String roundTrip(TcpSocket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        byte[] b = new byte[64];
        int n = s.getInputStream().read(b);
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    @Test
    void tcpSocketsOverIpv6ReportIpv6Addresses() throws Exception {
        try (TcpServerSocket server = new TcpServerSocket(hosts.server)) {
            server.bind(null, 7, 0);
            InetAddress[] peer = new InetAddress[1];
            Thread t = echoOnce(server, peer);
            try (TcpSocket s = new TcpSocket(hosts.client)) {
                s.connect(new InetSocketAddress(TwoHosts.serverIp6(), 7), 5000);
                assertThat(roundTrip(s, "hello6")).isEqualTo("hello6");
                assertThat(s.remoteAddress().getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(TwoHosts.serverIp6());
                assertThat(s.localAddress().getAddress()).isEqualTo(TwoHosts.clientIp6());
            }
            t.join();
            assertThat(peer[0]).isInstanceOf(Inet6Address.class).isEqualTo(TwoHosts.clientIp6());
        }
    }

    /** A wildcard listener (::) takes both families and reports each peer as Linux's JDK does. */
    @Test
    void serverSocketOnWildcardAcceptsBothFamiliesWithTheirAddressTypes() throws Exception {
        ServerSocketFactoryPair f = new ServerSocketFactoryPair();
        try (ServerSocket server = f.servers.createServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("::"), 8080));
            for (InetAddress dst : new InetAddress[] {TwoHosts.serverIp6(), TwoHosts.serverIp()}) {
                try (Socket c = f.clients.createSocket(dst, 8080); Socket accepted = server.accept()) {
                    c.getOutputStream().write(1);
                    assertThat(accepted.getInputStream().read()).isEqualTo(1);
                    InetAddress peer = accepted.getInetAddress();
                    if (dst instanceof Inet6Address) {
                        assertThat(peer).isInstanceOf(Inet6Address.class).isEqualTo(TwoHosts.clientIp6());
                        assertThat(accepted.getLocalAddress()).isEqualTo(TwoHosts.serverIp6());
                    } else {
                        assertThat(peer).isInstanceOf(Inet4Address.class).isEqualTo(TwoHosts.clientIp());
                        assertThat(accepted.getLocalAddress()).isEqualTo(TwoHosts.serverIp());
                    }
                    assertThat(c.getInetAddress()).isEqualTo(dst);
                }
            }
        }
    }

    @Test
    void v6OnlyListenerRefusesIpv4AndListenerOnAnIpv6AddressTakesOnlyIt() throws Exception {
        try (TcpServerSocket v6only = new TcpServerSocket(hosts.server)) {
            v6only.bind(null, true, 9000, 0);
            try (TcpSocket ok = new TcpSocket(hosts.client)) {
                ok.connect(new InetSocketAddress(TwoHosts.serverIp6(), 9000), 5000);
            }
            TcpSocket refused = new TcpSocket(hosts.client);
            assertThatThrownBy(() -> refused.connect(new InetSocketAddress(TwoHosts.serverIp(), 9000), 5000))
                    .isInstanceOf(ConnectException.class).hasMessageContaining("refused");
        }
        try (TcpServerSocket bound = new TcpServerSocket(hosts.server)) {
            bound.bind(TwoHosts.serverIp6(), 9001, 0);
            assertThat(bound.localAddress().getAddress()).isEqualTo(TwoHosts.serverIp6());
            TcpSocket refused = new TcpSocket(hosts.client);
            assertThatThrownBy(() -> refused.connect(new InetSocketAddress(TwoHosts.serverIp(), 9001), 5000))
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void udpSocketsOverIpv6AndBothFamiliesOnOneSocket() throws Exception {
        try (UdpSocket server = new UdpSocket(hosts.server, 5353); UdpSocket client = new UdpSocket(hosts.client)) {
            server.setSoTimeout(5000);
            byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            client.send(ping, 0, ping.length, new InetSocketAddress(TwoHosts.serverIp6(), 5353));
            client.send(ping, 0, ping.length, new InetSocketAddress(TwoHosts.serverIp(), 5353));
            DatagramPacket p = new DatagramPacket(new byte[16], 16);
            server.receive(p);
            assertThat(p.getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(TwoHosts.clientIp6());
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            server.send(new DatagramPacket("pong".getBytes(StandardCharsets.US_ASCII), 4, p.getAddress(), p.getPort()));
            DatagramPacket q = new DatagramPacket(new byte[16], 16);
            server.receive(q);
            assertThat(q.getAddress()).isInstanceOf(Inet4Address.class).isEqualTo(TwoHosts.clientIp());

            client.setSoTimeout(5000);
            DatagramPacket r = new DatagramPacket(new byte[16], 16);
            client.receive(r);
            assertThat(new String(r.getData(), 0, r.getLength(), StandardCharsets.US_ASCII)).isEqualTo("pong");
            assertThat(r.getAddress()).isEqualTo(TwoHosts.serverIp6());
            assertThat(r.getPort()).isEqualTo(5353);
        }
    }

    /** ICMPv6 destination unreachable code 4 from the server's stack reaches the connected sender. */
    @Test
    void udpPortUnreachableOverIpv6IsSeenByTheSender() throws Exception {
        try (UdpSocket client = new UdpSocket(hosts.client)) {
            client.connect(new InetSocketAddress(TwoHosts.serverIp6(), 9999)); // nobody listens there
            client.setSoTimeout(5000);
            client.send(new DatagramPacket(new byte[] {1}, 1));
            assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[8], 8)))
                    .isInstanceOf(PortUnreachableException.class);
        }
        assertThat(hosts.server.counters().get("udp.rx.drop.no_port")).isEqualTo(1);
        assertThat(hosts.server.counters().get("icmp6.tx.errors")).isEqualTo(1);
    }

    @Test
    void nioChannelsOverIpv6() throws Exception {
        StackSelectorProvider sp = new StackSelectorProvider(hosts.server);
        StackSelectorProvider cp = new StackSelectorProvider(hosts.client);
        try (ServerSocketChannel server = sp.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("::"), 8081));
            try (SocketChannel c = cp.openSocketChannel()) {
                assertThat(c.connect(new InetSocketAddress(TwoHosts.serverIp6(), 8081))).isTrue();
                try (SocketChannel a = server.accept()) {
                    assertThat(((InetSocketAddress) a.getRemoteAddress()).getAddress()).isEqualTo(TwoHosts.clientIp6());
                    c.write(ByteBuffer.wrap(new byte[] {42}));
                    ByteBuffer in = ByteBuffer.allocate(1);
                    a.read(in);
                    assertThat(in.get(0)).isEqualTo((byte) 42);
                }
                assertThat(((InetSocketAddress) c.getRemoteAddress()).getAddress()).isInstanceOf(Inet6Address.class);
            }
        }
        try (DatagramChannel s = sp.openDatagramChannel(); DatagramChannel c = cp.openDatagramChannel()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::"), 5300));
            c.send(ByteBuffer.wrap(new byte[] {7}), new InetSocketAddress(TwoHosts.serverIp6(), 5300));
            ByteBuffer in = ByteBuffer.allocate(4);
            InetSocketAddress from = (InetSocketAddress) s.receive(in);
            assertThat(from.getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(TwoHosts.clientIp6());
            assertThat(in.position()).isEqualTo(1);
            c.connect(new InetSocketAddress(TwoHosts.serverIp6(), 5300));
            assertThat(c.getRemoteAddress()).isEqualTo(new InetSocketAddress(TwoHosts.serverIp6(), 5300));
        }
    }

    private final class ServerSocketFactoryPair {
        final StackServerSocketFactory servers = StackServerSocketFactory.of(hosts.server);
        final StackSocketFactory clients = StackSocketFactory.of(hosts.client);
    }
}
