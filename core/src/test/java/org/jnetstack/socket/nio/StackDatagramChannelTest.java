package org.jnetstack.socket.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.socket.TwoHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Datagram channels between two stacks on a real-time loop. */
@Timeout(60)
class StackDatagramChannelTest {
    final TwoHosts net = new TwoHosts();
    final StackSelectorProvider client = new StackSelectorProvider(net.client);
    final StackSelectorProvider server = new StackSelectorProvider(net.server);

    @AfterEach
    void tearDown() {
        net.close();
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String ascii(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    @Test
    void sendAndReceiveThroughASelectorWithTheSourceAddress() throws Exception {
        try (DatagramChannel srv = server.openDatagramChannel(); DatagramChannel cli = client.openDatagramChannel();
                Selector selector = server.openSelector()) {
            srv.bind(new InetSocketAddress(5353)).configureBlocking(false);
            SelectionKey key = srv.register(selector, SelectionKey.OP_READ);
            assertThat(srv.receive(ByteBuffer.allocate(10))).isNull(); // non-blocking, nothing yet
            assertThat(selector.selectNow()).isZero();

            assertThat(cli.send(ascii("hello"), TwoHosts.server(5353))).isEqualTo(5); // binds an ephemeral port
            int cliPort = ((InetSocketAddress) cli.getLocalAddress()).getPort();
            assertThat(cliPort).isPositive();
            assertThat(selector.select(10_000)).isEqualTo(1);
            assertThat(key.isReadable()).isTrue();
            ByteBuffer got = ByteBuffer.allocateDirect(100);
            assertThat(srv.receive(got)).isEqualTo(new InetSocketAddress(TwoHosts.clientIp(), cliPort));
            assertThat(ascii(got)).isEqualTo("hello");
            selector.selectedKeys().clear();
            assertThat(selector.selectNow()).isZero(); // the queue is empty again

            // a datagram longer than the buffer is truncated; the rest is lost
            cli.send(ascii("0123456789"), TwoHosts.server(5353));
            selector.select(10_000);
            ByteBuffer small = ByteBuffer.allocate(4);
            srv.receive(small);
            assertThat(ascii(small)).isEqualTo("0123");
            assertThat(srv.receive(ByteBuffer.allocate(10))).isNull();
        }
    }

    @Test
    void aConnectedChannelReadsAndWritesOnlyWithItsPeer() throws Exception {
        try (DatagramChannel srv = server.openDatagramChannel(); DatagramChannel a = client.openDatagramChannel();
                DatagramChannel other = client.openDatagramChannel()) {
            srv.bind(new InetSocketAddress(7000));
            assertThatThrownBy(() -> a.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
            a.bind(new InetSocketAddress(7001));
            srv.connect(new InetSocketAddress(TwoHosts.clientIp(), 7001));
            other.send(ascii("not for you"), TwoHosts.server(7000)); // filtered: not the peer
            a.connect(TwoHosts.server(7000));
            assertThat(a.write(new ByteBuffer[] {ascii("gath"), ascii("ered")})).isEqualTo(8); // one datagram
            ByteBuffer first = ByteBuffer.allocate(3);
            ByteBuffer rest = ByteBuffer.allocate(10);
            assertThat(srv.read(new ByteBuffer[] {first, rest})).isEqualTo(8); // blocking, scattering
            assertThat(ascii(first) + ascii(rest)).isEqualTo("gathered");
            srv.write(ascii("back"));
            ByteBuffer back = ByteBuffer.allocate(10);
            assertThat(a.read(back)).isEqualTo(4);
            assertThat(ascii(back)).isEqualTo("back");
            assertThat(a.getRemoteAddress()).isEqualTo(TwoHosts.server(7000));
        }
    }

    @Test
    void aConnectedChannelHearsPortUnreachable() throws Exception {
        try (DatagramChannel c = client.openDatagramChannel()) {
            c.connect(TwoHosts.server(4444)); // nobody there: the server stack answers ICMP port unreachable
            c.write(ascii("?"));
            assertThatThrownBy(() -> c.read(ByteBuffer.allocate(10))).isInstanceOf(PortUnreachableException.class);
        }
    }

    @Test
    void closingAChannelBlockedInReceiveThrowsAsynchronousCloseException() throws Exception {
        DatagramChannel c = client.openDatagramChannel();
        c.bind(null);
        CompletableFuture<Throwable> outcome = StackChannelsTest.blockedIn(() -> c.receive(ByteBuffer.allocate(10)));
        c.close();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isExactlyInstanceOf(AsynchronousCloseException.class);
    }
    @Test
    void theSocketAdaptorSendsAndReceivesAsAJavaNetDatagramSocket() throws Exception {
        try (DatagramChannel srv = server.openDatagramChannel(); DatagramChannel cli = client.openDatagramChannel()) {
            java.net.DatagramSocket s = srv.socket();
            assertThat(srv.socket()).isSameAs(s);
            assertThat(s.getChannel()).isSameAs(srv);
            assertThat(s.isBound()).isFalse();
            s.bind(new InetSocketAddress(6000));
            assertThat(s.getLocalPort()).isEqualTo(6000);
            java.net.DatagramSocket c = cli.socket();
            c.connect(TwoHosts.server(6000));
            assertThat(c.isConnected()).isTrue();
            assertThat(c.getInetAddress()).isEqualTo(TwoHosts.serverIp());
            assertThat(c.getPort()).isEqualTo(6000);

            // a packet without an address goes to the connected peer; one with another address is refused
            byte[] hello = "hello, adaptor".getBytes(StandardCharsets.US_ASCII);
            c.send(new java.net.DatagramPacket(hello, hello.length));
            assertThatThrownBy(() -> c.send(new java.net.DatagramPacket(hello, 1, TwoHosts.server(6001))))
                    .isInstanceOf(IllegalArgumentException.class);

            // truncated to the packet's length; the packet keeps its whole buffer for the next receive
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[100], 2, 5);
            s.receive(p);
            assertThat(p.getLength()).isEqualTo(5);
            assertThat(new String(p.getData(), 2, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(p.getSocketAddress()).isEqualTo(new InetSocketAddress(TwoHosts.clientIp(), c.getLocalPort()));
            c.send(new java.net.DatagramPacket(new byte[] {1, 2}, 2));
            s.receive(p);
            assertThat(p.getLength()).isEqualTo(2);
            c.send(new java.net.DatagramPacket(hello, hello.length));
            s.receive(p);
            assertThat(p.getLength()).as("the buffer's length is kept across receives, as the JDK keeps it").isEqualTo(5);

            // an unconnected socket answers to the packet's address
            s.send(new java.net.DatagramPacket(new byte[] {7}, 1, p.getSocketAddress()));
            java.net.DatagramPacket back = new java.net.DatagramPacket(new byte[10], 10);
            c.receive(back);
            assertThat(back.getLength()).isEqualTo(1);
            assertThat(back.getData()[0]).isEqualTo((byte) 7);

            s.setSoTimeout(200);
            assertThatThrownBy(() -> s.receive(new java.net.DatagramPacket(new byte[10], 10)))
                    .isInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(srv.isOpen()).as("a timeout leaves the socket open").isTrue();

            s.setTrafficClass(0x28);
            assertThat(srv.getOption(java.net.StandardSocketOptions.IP_TOS)).isEqualTo(0x28);
            srv.configureBlocking(false);
            assertThatThrownBy(() -> s.receive(new java.net.DatagramPacket(new byte[10], 10)))
                    .isInstanceOf(java.nio.channels.IllegalBlockingModeException.class);
            s.close();
            assertThat(srv.isOpen()).isFalse();
            assertThat(s.isClosed()).isTrue();
        }
    }

    @Test
    void multicastIsRefusedWithAReason() throws Exception {
        try (DatagramChannel ch = client.openDatagramChannel()) {
            java.net.InetAddress group = java.net.InetAddress.getByName("239.1.2.3");
            java.net.NetworkInterface any = java.net.NetworkInterface.getByIndex(1);
            assertThatThrownBy(() -> ch.join(group, any)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("multicast not supported on jnetstack");
            assertThatThrownBy(() -> ch.socket().joinGroup(new InetSocketAddress(group, 0), any))
                    .isInstanceOf(java.net.SocketException.class).hasMessageContaining("no IGMP");
        }
    }
}
