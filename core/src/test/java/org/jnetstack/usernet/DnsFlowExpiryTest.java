package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.udp.UdpEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A resolver sends each query from a new port, so every lookup is a UDP flow of its own: once it
 * is answered the flow is kept only {@link UdpNat#DNS_IDLE_NANOS}, not the general idle timeout,
 * or a guest that looks up names quickly holds the whole flow table with exchanges that are over.
 * Other flows keep the general timeout. The test reads the flows' idle timers, no waiting.
 */
@Timeout(60)
class DnsFlowExpiryTest {

    @Test
    void anAnsweredDnsFlowExpiresSoonAndOtherFlowsKeepTheIdleTimeout() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
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
            UserNetConfig config = UserNetConfig.defaults();
            InetSocketAddress upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort());
            try (Harness h = new Harness(config, l -> UserNet.create(l, config, upstream))) {
                long general = config.udpIdleTimeout().toNanos();

                exchange(h, config.dns().bits(), 53, 40053);
                long left = h.onLoop(() -> h.net.udpNat().latestExpiry() - h.loop.clock().nanos());
                assertThat(left).as("the answered DNS flow's time left").isPositive().isLessThanOrEqualTo(UdpNat.DNS_IDLE_NANOS);

                exchange(h, config.gateway().bits(), echo.getLocalPort(), 40054);
                left = h.onLoop(() -> h.net.udpNat().latestExpiry() - h.loop.clock().nanos());
                assertThat(left).as("another flow's time left").isGreaterThan(general - TimeUnit.SECONDS.toNanos(30));
                assertThat(h.onLoop(() -> h.net.activeUdpFlows())).isEqualTo(2);
            }
        }
    }

    /** One datagram from the guest's {@code port} to {@code dst:dstPort} and its echo back. */
    private static void exchange(Harness h, int dst, int dstPort, int port) throws Exception {
        CompletableFuture<Integer> back = new CompletableFuture<>();
        UdpEndpoint ep = h.onLoop(() -> h.guest.udp().open(port, (e, s, sp, b, o, l) -> back.complete(l)));
        byte[] query = new byte[33];
        query[0] = 0x12;
        query[5] = 1; // looks like a query with one question; the echo does not care
        h.onLoop(() -> ep.send(dst, dstPort, query, 0, query.length));
        assertThat(back.get(20, TimeUnit.SECONDS)).isEqualTo(query.length);
    }
}
