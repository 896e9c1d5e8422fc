package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two machines behind one gateway (the in-process guest and an outside one) that send from the
 * same UDP port to the same destination are two flows: one machine cannot take the other's flow
 * by using its port and destination first (NTP from port 123, a fixed-port game client...).
 */
@Timeout(60)
class UdpFlowPerGuestTest {

    @Test
    void twoMachinesOnTheSamePortAndDestinationEachGetTheirOwnFlowAndAnswers() throws Exception {
        try (Harness h = new Harness();
             DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                byte[] b = new byte[1500];
                try {
                    while (true) {
                        DatagramPacket p = new DatagramPacket(b, b.length);
                        echo.receive(p);
                        echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    }
                } catch (java.io.IOException e) {
                    // closed at the end
                }
            });
            VirtualWire wire = new VirtualWire("other-nic", MacAddress.parse("02:00:00:00:99:01"), "other",
                    MacAddress.parse("52:54:00:12:34:99"), 1500, 1024);
            NetStack other = h.onLoop(() -> {
                h.net.attachExternal(wire.a());
                return NetStack.builder(h.loop).name("other").device(wire.b())
                        .address(Ipv4Address.parse("10.0.2.16"), 24).gateway(h.net.config().gateway()).seed(9).build();
            });
            try {
                int gw = h.net.config().gateway().bits();
                int port = echo.getLocalPort();
                CompletableFuture<String> first = new CompletableFuture<>();
                CompletableFuture<String> second = new CompletableFuture<>();
                UdpEndpoint a = h.onLoop(() -> h.guest.udp().open(40123, (ep, s, sp, b, o, l) ->
                        first.complete(new String(b, o, l, StandardCharsets.US_ASCII))));
                UdpEndpoint b = h.onLoop(() -> other.udp().open(40123, (ep, s, sp, buf, o, l) ->
                        second.complete(new String(buf, o, l, StandardCharsets.US_ASCII))));
                byte[] one = "guest".getBytes(StandardCharsets.US_ASCII);
                byte[] two = "other".getBytes(StandardCharsets.US_ASCII);
                h.onLoop(() -> a.send(gw, port, one, 0, one.length));
                assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo("guest");
                // The second machine resolves the gateway's MAC first; it retries until its datagram gets out.
                for (int i = 0; i < 50 && !second.isDone(); i++) {
                    h.onLoop(() -> b.send(gw, port, two, 0, two.length));
                    try {
                        second.get(200, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        // again
                    }
                }
                assertThat(second.getNow(null)).as("the other machine's answer").isEqualTo("other");
                assertThat(h.onLoop(() -> h.net.activeUdpFlows())).isEqualTo(2);
            } finally {
                h.onLoop(() -> {
                    other.close();
                    return null;
                });
            }
        }
    }
}
