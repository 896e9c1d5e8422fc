package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code NetStack.endConnections}: what a program's exit does to its connections. Every test
 * stops a stack right after ending its connections, as {@code jns http} does when it exits, and
 * checks what the peer saw: all the data and a FIN, or a RST; never silence.
 */
@Timeout(60)
class EndConnectionsTest {
    final TwoHosts net = new TwoHosts();
    final Sockets client = Sockets.of(net.client);
    final Sockets server = Sockets.of(net.server);

    @AfterEach
    void tearDown() {
        net.close();
    }

    @Test
    void aSocketClosedJustBeforeTheStackStopsStillDeliversItsDataAndFin() throws Exception {
        byte[] data = new byte[200_000]; // more than the first flight: most of it is still queued at close
        new Random(5).nextBytes(data);
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80);
                TcpSocket peer = listener.accept()) {
            s.write(data, 0, data.length);
            s.close(); // handed to the loop; nothing is sent yet when this returns

            assertThat(net.client.endConnections(Duration.ofSeconds(10))).as("connections reset").isZero();
            assertThat(clientStates()).allMatch(st -> st == TcpState.FIN_WAIT_2 || st == TcpState.TIME_WAIT);
            net.client.close(); // the client's stack is gone: nothing more can come from it

            peer.setSoTimeout(10_000);
            assertThat(readToEnd(peer)).as("every byte, then end of input").isEqualTo(data);
        }
    }

    @Test
    void aConnectionTheProgramNeverClosedEndsWithAFin() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80);
                TcpSocket peer = listener.accept()) {
            s.write("last words".getBytes(), 0, 10);
            assertThat(net.client.endConnections(Duration.ofSeconds(10))).isZero();
            net.client.close();

            peer.setSoTimeout(10_000);
            assertThat(new String(readToEnd(peer))).isEqualTo("last words");
        }
    }

    @Test
    void aPeerThatNeverAcknowledgesIsResetWhenTheGraceRunsOut() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80);
                TcpSocket peer = listener.accept()) {
            net.server.close(); // the server's stack vanishes: our FIN is never acknowledged
            s.write("hello".getBytes(), 0, 5);
            s.close();
            long aborts = net.client.counters().get("tcp.aborts");

            assertThat(net.client.endConnections(Duration.ofMillis(300))).as("connections reset").isEqualTo(1);
            assertThat(clientStates()).isEmpty();
            assertThat(net.client.counters().get("tcp.aborts")).isEqualTo(aborts + 1);
        }
    }

    @Test
    void unreadDataMeansResetAndListenersStop() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80);
                TcpSocket peer = listener.accept()) {
            s.write("never read".getBytes(), 0, 10);
            awaitReadable(peer);
            // RFC 1122 §4.2.2.13: closing with received data unread resets the connection.
            assertThat(net.server.endConnections(Duration.ofSeconds(10))).isZero();

            s.setSoTimeout(10_000);
            assertThatThrownBy(() -> s.read(new byte[1], 0, 1)).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
            assertThatThrownBy(() -> client.connect("10.0.0.2", 80)).isInstanceOf(ConnectException.class)
                    .hasMessage("Connection refused");
        }
    }

    @Test
    void withNothingOpenItReturnsAtOnce() {
        assertThat(net.client.endConnections(Duration.ofSeconds(10))).isZero();
        assertThat(clientStates()).isEmpty();
    }

    private List<TcpState> clientStates() {
        try {
            return LoopCall.call(net.loop, () -> net.client.tcp().connections().stream().map(c -> c.state()).toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] readToEnd(TcpSocket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        int n;
        while ((n = s.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Until {@code s} holds received bytes (the application reads none). */
    private static void awaitReadable(TcpSocket s) throws Exception {
        for (int i = 0; i < 10_000 && s.available() == 0; i++) {
            Thread.sleep(1);
        }
        assertThat(s.available()).as("bytes waiting to be read").isPositive();
    }
}
