package org.jnetstack.apps.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.IOException;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** TCP discard (RFC 863): everything is read and dropped, nothing is sent back, FIN is answered with FIN. */
class TcpDiscardServiceTest {

    @Test
    void readsEverythingSendsNothingAndClosesAfterTheClient() {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        NetStack client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        NetStack server = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
        TcpDiscardService discard = TcpDiscardService.open(server, TcpDiscardService.PORT);
        byte[] data = new byte[2_000_000];
        int[] written = {0};
        long[] received = {0};
        boolean[] closed = {false};
        IOException[] error = {null};
        TcpConnection conn = client.tcp().connect(Ipv4Address.parseBits("10.0.0.2"), 9, new TcpHandler() {
            @Override
            public void onConnected(TcpConnection c) {
                onSent(c, 0);
            }

            @Override
            public void onSent(TcpConnection c, int bytes) {
                while (written[0] < data.length) {
                    int n = c.write(data, written[0], data.length - written[0]);
                    if (n == 0) {
                        return;
                    }
                    written[0] += n;
                }
                if (!c.isOutputShutdown()) {
                    c.shutdownOutput();
                }
            }

            @Override
            public void onReceive(TcpConnection c) {
                received[0] += c.readable();
            }

            @Override
            public void onError(TcpConnection c, IOException e) {
                error[0] = e;
            }

            @Override
            public void onClosed(TcpConnection c) {
                closed[0] = true;
            }
        });

        assertThat(loop.runUntil(() -> closed[0], 600 * SECOND)).as("%s", conn.info()).isTrue();

        assertThat(error[0]).isNull();
        assertThat(discard.discardedBytes()).isEqualTo(data.length);
        assertThat(received[0]).as("discard sends nothing back").isZero();
        assertThat(conn.isEndOfInput()).as("the service closed its side").isTrue();
        loop.runFor(SECOND);
        assertThat(discard.openConnections()).isZero();
        assertThat(server.tcp().connections()).isEmpty();
    }
}
