package org.jnetstack.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.util.SplittableRandom;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TcpExchange;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** The example echo server between two stacks on a virtual wire, on virtual time. */
class EchoServerTest {

    /** A client that sends {@code data}, half-closes, and keeps what comes back. */
    static final class Client extends TcpExchange {
        Client(byte[] data) {
            super(data);
        }
    }

    @Test
    void echoesEveryByteToSeveralClientsAndClosesAfterEach() {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        NetStack server = NetStack.builder(loop).device(wire.a()).address("10.0.0.2/24").seed(1).build();
        NetStack clients = NetStack.builder(loop).device(wire.b()).address("10.0.0.1/24").seed(2).build();
        EchoServer.listen(server, 7);
        Client[] c = new Client[3];
        for (int i = 0; i < c.length; i++) {
            byte[] data = new byte[1_000_000 + i];
            new SplittableRandom(i).nextBytes(data);
            c[i] = new Client(data);
            clients.tcp().connect(Ipv4Address.parseBits("10.0.0.2"), 7, c[i]);
        }

        boolean done = loop.runUntil(() -> c[0].closed && c[1].closed && c[2].closed, 600 * SECOND);

        assertThat(done).as("every client saw the server's FIN after its echo").isTrue();
        for (Client client : c) {
            assertThat(client.got.toByteArray()).isEqualTo(client.data);
        }
        loop.runFor(SECOND);
        assertThat(server.tcp().connections()).as("the server closed each connection").isEmpty();
    }
}
