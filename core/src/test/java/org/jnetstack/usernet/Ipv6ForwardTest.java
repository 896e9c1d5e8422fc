package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jnetstack.udp.UdpEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Forwards whose host side listens on IPv6 ({@code tcp:[::1]:P:G}), reached from host clients on [::1] only. */
@Timeout(120)
class Ipv6ForwardTest {

    @Test
    void bracketedIpv6HostAddressesParseAndBadFormsNameTheAcceptedOnes() {
        ForwardRule r = ForwardRule.parse("tcp:[::1]:8080:80");
        assertThat(r.hostAddress()).isInstanceOf(Inet6Address.class);
        assertThat(r.hostAddress().isLoopbackAddress()).isTrue();
        assertThat(r.hostPort()).isEqualTo(8080);
        assertThat(r.guestPort()).isEqualTo(80);
        assertThat(r.toString()).isEqualTo("tcp:[::1]:8080:80");
        ForwardRule any = ForwardRule.parse("udp:[::]:5353:53");
        assertThat(any.udp()).isTrue();
        assertThat(any.hostAddress().isAnyLocalAddress()).isTrue();
        assertThat(ForwardRule.parse(any.toString())).isEqualTo(any);
        for (String bad : List.of("tcp:::1:8080:80", "tcp:[::1]8080:80", "tcp:[::1:8080:80", "tcp:[nonsense]:8080:80",
                "tcp:[::1]:8080", "tcp:[::1]:8080:80:1")) {
            assertThatThrownBy(() -> ForwardRule.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid forward '" + bad + "'").hasMessageContaining("tcp:[::1]:8080:80");
        }
    }

    @Test
    void hostClientsOnIpv6LoopbackReachTheGuestThroughATcpForward() throws Exception {
        Nat66Test.assumeIpv6Loopback();
        try (Harness h = new Harness(List.of(ForwardRule.parse("tcp:[::1]:0:80")))) {
            h.onLoop(() -> {
                TestServers.guestSaysHi(h.guest.tcp(), 80);
                return null;
            });
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            assertThat(fwd.getAddress()).isEqualTo(Nat66Test.LOOPBACK6);
            try (Socket s = new Socket(Nat66Test.LOOPBACK6, fwd.getPort())) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).endsWith("guest says hi");
            }
            // curl -6, as a user would (on the host's loopback only)
            Process p = new ProcessBuilder("curl", "-6", "-sS", "--max-time", "20", "http://[::1]:" + fwd.getPort() + "/")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo("guest says hi");
            assertThat(h.counter("usernet.forward.accepted")).isEqualTo(2);
        }
    }

    @Test
    void aUdpForwardOnIpv6LoopbackRelaysBothWays() throws Exception {
        Nat66Test.assumeIpv6Loopback();
        try (Harness h = new Harness(List.of(ForwardRule.parse("udp:[::1]:0:5000")))) {
            h.onLoop(() -> h.guest.udp().open(5000, (UdpEndpoint e, int srcIp, int srcPort, byte[] buf, int off, int len) -> {
                byte[] reply = ("guest got " + new String(buf, off, len, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
                e.send(srcIp, srcPort, reply, 0, reply.length);
            }));
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(Nat66Test.LOOPBACK6, 0))) {
                s.setSoTimeout(20_000);
                byte[] q = "hello".getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(q, q.length, fwd));
                byte[] b = new byte[100];
                DatagramPacket p = new DatagramPacket(b, b.length);
                s.receive(p);
                assertThat(new String(b, 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("guest got hello");
                assertThat(p.getSocketAddress()).isEqualTo(fwd);
            }
        }
    }
}
