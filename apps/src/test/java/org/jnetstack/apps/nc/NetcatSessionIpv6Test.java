package org.jnetstack.apps.nc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.apps.echo.TcpEchoService;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * netcat over IPv6 and over both families between two dual-stack hosts on a virtual wire
 * (nc 10.0.0.1 / fd00::1, peer 10.0.0.2 / fd00::2 running a TCP echo service on port 7).
 */
class NetcatSessionIpv6Test {
    private final EventLoop loop = EventLoop.system();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack nc = host("nc", 1, wire.a());
    private final NetStack peer = host("peer", 2, wire.b());
    private final StringWriter err = new StringWriter();

    private NetStack host(String name, int n, org.jnetstack.link.LinkDevice device) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address("fd00::" + n + "/64").dadTransmits(0).build();
        return NetStack.builder(loop).name(name).device(device).address("10.0.0." + n + "/24").config(cfg).seed(n).build();
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private int echo(String host, List<InetAddress> addresses, byte[] data, ByteArrayOutputStream out) throws Exception {
        TcpEchoService.open(peer, 7);
        loop.start("nc6-loop");
        return new NetcatSession(nc, new ByteArrayInputStream(data), out, new PrintWriter(err, true), true)
                .connect(host, addresses, null, 7);
    }

    @Test
    void echoesOverIpv6AndNamesThePeerAsNcDoes() throws Exception {
        byte[] data = "over IPv6\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = echo("fd00::2", List.of(InetAddress.getByName("fd00::2")), data, out);

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toByteArray()).isEqualTo(data);
        assertThat(err.toString()).isEqualTo("Connection to fd00::2 7 port [tcp/*] succeeded!" + System.lineSeparator());
    }

    /** An IPv6 address that black-holes does not stop the session: the IPv4 attempt 250 ms later wins. */
    @Test
    void aBlackHoledIpv6AddressFallsBackToIpv4() throws Exception {
        byte[] data = "both families\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = echo("peer.test", List.of(InetAddress.getByName("fd00::99"), InetAddress.getByName("10.0.0.2")), data, out);

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toByteArray()).isEqualTo(data);
        assertThat(err.toString()).startsWith("Connection to 10.0.0.2 7 ");
    }
}
