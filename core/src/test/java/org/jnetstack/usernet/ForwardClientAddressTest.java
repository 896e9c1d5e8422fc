package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A forwarded connection or datagram shows the guest its host client's own address when the
 * client is not on the host's loopback (as libslirp's host forwards and passt do), and the
 * guest's answers, sent back to that address through the gateway, reach the client; from
 * loopback, or with {@link UserNetConfig#keepClientAddress()} off, it comes from the gateway.
 */
@Timeout(60)
class ForwardClientAddressTest {
    private static final InetAddress ANY = InetAddress.ofLiteral("0.0.0.0");

    /** A guest service that answers each connection with "from ADDRESS" and closes. */
    private static void tellPeer(Harness h, int port) throws Exception {
        h.onLoop(() -> h.guest.tcp().listen(0, port, 16, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(new TcpHandler() {
                    @Override
                    public void onError(TcpConnection conn, IOException error) {
                    }
                });
                byte[] b = ("from " + Ipv4Address.format(c.remoteAddress())).getBytes(StandardCharsets.US_ASCII);
                c.write(b, 0, b.length);
                c.close();
            }
        }));
        h.onLoop(() -> h.guest.udp().open(port, (ep, srcIp, srcPort, buf, off, len) -> {
            byte[] b = ("from " + Ipv4Address.format(srcIp)).getBytes(StandardCharsets.US_ASCII);
            ep.send(srcIp, srcPort, b, 0, b.length);
        }));
    }

    @Test
    void aClientThatIsNotOnLoopbackIsSeenFromItsOwnAddressAndOneOnLoopbackFromTheGateway() throws Exception {
        InetAddress mine = nonLoopbackAddress();
        try (Harness h = new Harness(UserNetConfig.defaults().withForwards(List.of(
                new ForwardRule(ANY, 0, 80, false), new ForwardRule(ANY, 0, 80, false, true))))) {
            tellPeer(h, 80);
            int tcpPort = port(h, false);
            int udpPort = port(h, true);
            for (int i = 0; i < 3; i++) {
                assertThat(fetch(mine, tcpPort)).as("TCP connection %d from %s", i, mine.getHostAddress())
                        .isEqualTo("from " + mine.getHostAddress());
            }
            assertThat(fetch(InetAddress.getLoopbackAddress(), tcpPort)).isEqualTo("from 10.0.2.2");
            assertThat(exchange(mine, udpPort)).isEqualTo("from " + mine.getHostAddress());
            assertThat(exchange(InetAddress.getLoopbackAddress(), udpPort)).isEqualTo("from 10.0.2.2");
            assertThat(h.counter("usernet.forward.source.translated")).as("segments rewritten both ways").isPositive();
            assertThat(h.onLoop(() -> h.net.clientAddresses().size()))
                    .as("one TCP translation per client connection (lingering 2 MSL) and one UDP session")
                    .isEqualTo(4);
        }
    }

    @Test
    void clientsBeyondTheTranslationTableAreSeenFromTheGatewayAndCounted() throws Exception {
        // A client opening connection after connection fills the table (each TCP translation
        // lingers 2 MSL): beyond its bound, forwards still work, from the gateway's address.
        InetAddress mine = nonLoopbackAddress();
        try (Harness h = new Harness(UserNetConfig.defaults().withForwards(List.of(new ForwardRule(ANY, 0, 80, false))))) {
            tellPeer(h, 80);
            int tcpPort = port(h, false);
            h.onLoop(() -> {
                h.net.clientAddresses().configure(2, 60_000_000_000L, h.net.stack().counters());
                return null;
            });
            assertThat(fetch(mine, tcpPort)).isEqualTo("from " + mine.getHostAddress());
            assertThat(fetch(mine, tcpPort)).isEqualTo("from " + mine.getHostAddress());
            for (int i = 0; i < 5; i++) {
                assertThat(fetch(mine, tcpPort)).as("connection %d over the bound", i).isEqualTo("from 10.0.2.2");
            }
            assertThat(h.onLoop(() -> h.net.clientAddresses().size())).as("the table holds its bound").isEqualTo(2);
            assertThat(h.counter("usernet.forward.source.table_full")).isEqualTo(5);
        }
    }

    @Test
    void withTheSwitchOffEveryClientIsSeenFromTheGateway() throws Exception {
        InetAddress mine = nonLoopbackAddress();
        try (Harness h = new Harness(UserNetConfig.defaults().withKeepClientAddress(false).withForwards(List.of(
                new ForwardRule(ANY, 0, 80, false), new ForwardRule(ANY, 0, 80, false, true))))) {
            tellPeer(h, 80);
            assertThat(fetch(mine, port(h, false))).isEqualTo("from 10.0.2.2");
            assertThat(exchange(mine, port(h, true))).isEqualTo("from 10.0.2.2");
            assertThat(h.net.clientAddresses()).isNull();
        }
    }

    private static int port(Harness h, boolean udp) {
        return h.net.forwards().entrySet().stream().filter(e -> e.getKey().udp() == udp).findFirst().orElseThrow()
                .getValue().getPort();
    }

    private static String fetch(InetAddress from, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(from, port), 10_000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static String exchange(InetAddress from, int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0))) {
            s.setSoTimeout(10_000);
            byte[] q = "hello".getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(q, q.length, new InetSocketAddress(from, port)));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            s.receive(p);
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
        }
    }

    /** An IPv4 address of this host that is not loopback: connections from it are not loopback's. */
    private static InetAddress nonLoopbackAddress() throws IOException {
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : ni.inetAddresses().toList()) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()
                        && !a.getHostAddress().startsWith("10.0.2.")) {
                    return a;
                }
            }
        }
        assumeTrue(false, "this host has no non-loopback IPv4 address to connect from");
        return null;
    }
}
