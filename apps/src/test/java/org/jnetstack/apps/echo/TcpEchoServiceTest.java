package org.jnetstack.apps.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.testing.TcpExchange;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** TCP echo between two stacks on a virtual wire, virtual clock: exact echo, backpressure, half-close, many clients. */
class TcpEchoServiceTest {
    private static final int SERVER = Ipv4Address.parseBits("10.0.0.2");

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack server = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
    private final TcpEchoService echo = TcpEchoService.open(server, TcpEchoService.PORT);

    /** Writes {@code data}, then half-closes; reads what comes back only while {@code reading}. */
    static final class EchoClient extends TcpExchange {
        EchoClient(byte[] data) {
            super(data, 7000);
        }
    }

    static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    @Test
    void echoesEveryByteAndClosesAfterTheClientsFin() {
        byte[] data = random(3_000_000, 1);
        EchoClient c = new EchoClient(data);
        TcpConnection conn = client.tcp().connect(SERVER, 7, c);

        assertThat(loop.runUntil(() -> c.closed, 600 * SECOND)).as("client %s", conn.info()).isTrue();

        assertThat(c.error).isNull();
        assertThat(c.eof).as("the service sent FIN after the echo").isTrue();
        assertThat(c.got.toByteArray()).isEqualTo(data);
        assertThat(echo.echoedBytes()).isEqualTo(data.length);
        loop.runFor(SECOND);
        assertThat(echo.openConnections()).isZero();
        assertThat(echo.failedConnections()).isZero();
        assertThat(server.tcp().connections()).as("the server closed its side (LAST_ACK -> CLOSED)").isEmpty();
    }

    @Test
    void aClientThatDoesNotReadStallsTheServiceWithoutLosingData() {
        // 4 MB is far more than the client's receive buffer plus the service's send buffer
        // (256 KiB each): the service must stop reading, not drop or buffer without bound.
        byte[] data = random(4_000_000, 2);
        EchoClient c = new EchoClient(data);
        c.reading = false;
        TcpConnection conn = client.tcp().connect(SERVER, 7, c);

        loop.runFor(30 * SECOND);
        long echoedWhileStalled = echo.echoedBytes();
        assertThat(c.written).as("the client is held back by the closed window").isLessThan(data.length);
        assertThat(echoedWhileStalled).as("the service took only what it could give back")
                .isLessThanOrEqualTo(2L * 256 * 1024 + 65535);
        assertThat(conn.state()).isEqualTo(TcpState.ESTABLISHED);

        c.reading = true;
        c.onReceive(conn); // resume reading
        assertThat(loop.runUntil(() -> c.closed, 600 * SECOND)).as("client %s", conn.info()).isTrue();
        assertThat(c.got.toByteArray()).isEqualTo(data);
        assertThat(echo.failedConnections()).isZero();
    }

    @Test
    void servesManyClientsAtOnce() {
        List<EchoClient> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            EchoClient c = new EchoClient(random(20_000 + i * 977, 100 + i));
            clients.add(c);
            client.tcp().connect(SERVER, 7, c);
        }

        assertThat(loop.runUntil(() -> clients.stream().allMatch(c -> c.closed), 600 * SECOND)).isTrue();

        for (EchoClient c : clients) {
            assertThat(c.error).isNull();
            assertThat(c.got.toByteArray()).isEqualTo(c.data);
        }
        assertThat(echo.acceptedConnections()).isEqualTo(50);
        loop.runFor(SECOND);
        assertThat(echo.openConnections()).isZero();
    }

    @Test
    void anEmptyConnectionIsClosedAtOnce() {
        EchoClient c = new EchoClient(new byte[0]);
        client.tcp().connect(SERVER, 7, c);

        assertThat(loop.runUntil(() -> c.closed, 60 * SECOND)).isTrue();
        assertThat(c.eof).isTrue();
        assertThat(c.got.size()).isZero();
    }

    @Test
    void aClientResetIsCountedAndForgotten() {
        EchoClient c = new EchoClient(random(1_000_000, 3));
        c.reading = false;
        TcpConnection conn = client.tcp().connect(SERVER, 7, c);
        loop.runFor(5 * SECOND);
        assertThat(echo.openConnections()).isEqualTo(1);

        conn.abort();
        loop.runFor(5 * SECOND);

        assertThat(echo.openConnections()).isZero();
        assertThat(echo.failedConnections()).isEqualTo(1);
        assertThat(server.tcp().connections()).isEmpty();
    }
}
