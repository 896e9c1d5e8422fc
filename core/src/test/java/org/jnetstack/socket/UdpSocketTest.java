package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Blocking UDP sockets between two stacks on a real-time loop. */
@Timeout(60)
class UdpSocketTest {
    final TwoHosts net = new TwoHosts();

    @AfterEach
    void tearDown() {
        net.close();
    }

    static DatagramPacket packet(int size) {
        return new DatagramPacket(new byte[size], size);
    }

    @Test
    void datagramsGoBothWaysWithTheSendersAddress() throws Exception {
        try (UdpSocket server = new UdpSocket(net.server, 5353); UdpSocket client = new UdpSocket(net.client)) {
            byte[] q = "question".getBytes(StandardCharsets.US_ASCII);
            client.send(q, 0, q.length, TwoHosts.server(5353));
            DatagramPacket p = packet(100);
            server.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("question");
            assertThat(p.getAddress()).isEqualTo(TwoHosts.clientIp());
            assertThat(p.getPort()).isEqualTo(client.localPort());
            byte[] a = "answer".getBytes(StandardCharsets.US_ASCII);
            server.send(new DatagramPacket(a, a.length, p.getAddress(), p.getPort()));
            DatagramPacket r = packet(3); // too small: truncated, like DatagramSocket
            client.receive(r);
            assertThat(new String(r.getData(), 0, r.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ans");
        }
    }

    @Test
    void aLargeDatagramIsFragmentedAndReassembled() throws Exception {
        try (UdpSocket server = new UdpSocket(net.server, 9); UdpSocket client = new UdpSocket(net.client)) {
            byte[] big = TcpSocketTest.random(60_000, 3);
            client.send(big, 0, big.length, TwoHosts.server(9));
            DatagramPacket p = packet(65_507);
            server.receive(p);
            assertThat(p.getLength()).isEqualTo(big.length);
            assertThat(java.util.Arrays.copyOf(p.getData(), p.getLength())).isEqualTo(big);
        }
    }

    @Test
    void receiveTimesOut() throws Exception {
        try (UdpSocket s = new UdpSocket(net.client)) {
            s.setSoTimeout(50);
            assertThatThrownBy(() -> s.receive(packet(10))).isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("Receive timed out");
        }
    }

    @Test
    void closeFromAnotherThreadWakesTheReceiver() throws Exception {
        UdpSocket s = new UdpSocket(net.client);
        CompletableFuture<Throwable> outcome = TcpSocketTest.blockedIn(() -> s.receive(packet(10)));
        s.close();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
    }

    @Test
    void aConnectedSocketHearsPortUnreachable() throws Exception {
        try (UdpSocket s = new UdpSocket(net.client)) {
            s.connect(TwoHosts.server(4444)); // nobody there: the server stack answers ICMP port unreachable
            byte[] b = {1};
            s.send(new DatagramPacket(b, 1));
            assertThatThrownBy(() -> s.receive(packet(10))).isInstanceOf(PortUnreachableException.class);
        }
    }

    @Test
    void aConnectedSocketIgnoresOtherSenders() throws Exception {
        try (UdpSocket s = new UdpSocket(net.server, 7000); UdpSocket peer = new UdpSocket(net.client, 7001);
                UdpSocket stranger = new UdpSocket(net.client, 7002)) {
            s.connect(new InetSocketAddress(TwoHosts.clientIp(), 7001));
            stranger.send(new byte[] {9}, 0, 1, TwoHosts.server(7000));
            peer.send(new byte[] {1}, 0, 1, TwoHosts.server(7000));
            DatagramPacket p = packet(10);
            s.receive(p);
            assertThat(p.getData()[0]).isEqualTo((byte) 1);
            assertThat(p.getPort()).isEqualTo(7001);
        }
    }

    @Test
    void aFullQueueDropsAndCounts() throws Exception {
        try (UdpSocket s = new UdpSocket(net.server, 7000); UdpSocket c = new UdpSocket(net.client)) {
            s.setReceiveBufferSize(1000);
            for (int i = 0; i < 5; i++) {
                c.send(new byte[400], 0, 400, TwoHosts.server(7000));
            }
            TcpSocketTest.waitUntil(() -> s.droppedCount() == 3);
            s.setSoTimeout(50);
            s.receive(packet(500));
            s.receive(packet(500));
            assertThatThrownBy(() -> s.receive(packet(500))).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aTakenPortSaysAddressInUse() throws Exception {
        try (UdpSocket s = new UdpSocket(net.server, 7000)) {
            assertThatThrownBy(() -> new UdpSocket(net.server, 7000)).isInstanceOf(BindException.class)
                    .hasMessageContaining("Address already in use");
        }
    }
}
