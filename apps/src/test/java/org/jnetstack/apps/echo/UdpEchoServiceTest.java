package org.jnetstack.apps.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** RFC 862 over UDP between two stacks on a virtual wire. */
class UdpEchoServiceTest {
    private static final int SERVER = Ipv4Address.parseBits("10.0.0.2");

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack server = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();

    @Test
    void everyDatagramComesBackUnchangedToItsSender() {
        UdpEchoService echo = UdpEchoService.open(server, UdpEchoService.PORT);
        List<String> from = new ArrayList<>();
        List<byte[]> got = new ArrayList<>();
        UdpEndpoint ep = client.udp().open(40000, (e, srcIp, srcPort, buf, off, len) -> {
            from.add(Ipv4Address.format(srcIp) + ":" + srcPort);
            got.add(Arrays.copyOfRange(buf, off, off + len));
        });
        int[] sizes = {0, 1, 1472, 1473, 20000};
        List<byte[]> sent = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(862);
        // One at a time, as an echo client does (and as the bounded ARP hold queue expects).
        for (int size : sizes) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            sent.add(data);
            ep.send(SERVER, 7, data, 0, data.length);
            int expected = sent.size();
            assertThat(loop.runUntil(() -> got.size() == expected, 10 * SECOND)).as("echo of %d bytes", size).isTrue();
        }

        for (int i = 0; i < sizes.length; i++) {
            assertThat(got.get(i)).as("datagram of %d bytes", sizes[i]).isEqualTo(sent.get(i));
        }
        assertThat(from).containsOnly("10.0.0.2:7");
        assertThat(echo.echoed()).isEqualTo(sizes.length);
        assertThat(echo.notEchoed()).isZero();
        assertThat(echo.port()).isEqualTo(7);
    }

    @Test
    void closedServiceNoLongerAnswers() {
        UdpEchoService echo = UdpEchoService.open(server, UdpEchoService.PORT);
        echo.close();
        List<String> events = new ArrayList<>();
        UdpEndpoint ep = client.udp().open(40001, new org.jnetstack.udp.UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint e, int srcIp, int srcPort, byte[] buf, int off, int len) {
                events.add("datagram");
            }

            @Override
            public void onError(UdpEndpoint e, int dstIp, int dstPort, int type, int code, String reason) {
                events.add(reason);
            }
        });
        ep.send(SERVER, 7, new byte[] {1}, 0, 1);

        assertThat(loop.runUntil(() -> !events.isEmpty(), 10 * SECOND)).isTrue();

        assertThat(events).containsExactly("Destination Port Unreachable");
    }
}
