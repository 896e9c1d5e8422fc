package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every TCP splice holds a host socket: {@link UserNetConfig#maxTcpSplices()} bounds how many
 * exist. A guest that opens connection after connection, or a host client of a forward that does,
 * is refused beyond its half, and the connections already open keep working, and so do the other
 * side's: host clients of a forward cannot keep the guest from connecting out.
 */
@Timeout(120)
class SpliceBoundTest {
    /** Eight splices at once: four outbound, four forwarded. */
    private static final UserNetConfig EIGHT_SPLICES = UserNetConfig.defaults().withMaxTcpSplices(8);

    @Test
    void aGuestCannotOpenMoreSplicesThanTheBoundAllows() throws Exception {
        try (ServerSocket host = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Harness h = new Harness(EIGHT_SPLICES)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(host.accept());
                    }
                } catch (java.io.IOException e) {
                    // closed at the end
                }
            });
            List<GuestPeer> peers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                GuestPeer p = new GuestPeer(0, false);
                peers.add(p);
                h.onLoop(() -> h.guest.tcp().connect(h.net.config().gateway().bits(), host.getLocalPort(), p));
                p.connected.get(30, TimeUnit.SECONDS);
            }
            GuestPeer fifth = new GuestPeer(0, false);
            h.onLoop(() -> h.guest.tcp().connect(h.net.config().gateway().bits(), host.getLocalPort(), fifth));
            assertThatThrownBy(() -> fifth.connected.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(java.net.ConnectException.class);

            assertThat(h.onLoop(() -> h.net.activeTcpSplices())).isEqualTo(4);
            assertThat(h.counter("usernet.tcp.drop.too_many_splices")).isEqualTo(1);
            assertThat(h.counter("usernet.tcp.nat.connects")).as("no host socket for the refused one").isEqualTo(4);
            host.close();
            acceptor.join(5000);
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aHostClientOfAForwardCannotOpenMoreSplicesThanTheirMemoryBoundAllows() throws Exception {
        try (Harness h = new Harness(EIGHT_SPLICES.withForwards(List.of(ForwardRule.tcp(0, 7))))) {
            h.onLoop(() -> GuestEcho.listen(h.guest.tcp(), 7, 16));
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket(fwd.getAddress(), fwd.getPort());
                    s.setSoTimeout(30_000);
                    clients.add(s);
                    s.getOutputStream().write(i);
                    assertThat(s.getInputStream().read()).as("echoed through the forward").isEqualTo(i);
                }
                Socket fifth = new Socket(fwd.getAddress(), fwd.getPort());
                fifth.setSoTimeout(30_000);
                clients.add(fifth);
                InputStream in = fifth.getInputStream();
                assertThatThrownBy(() -> {
                    fifth.getOutputStream().write(9);
                    if (in.read() < 0) {
                        throw new SocketException("end of stream");
                    }
                }).isInstanceOf(SocketException.class);
                assertThat(h.onLoop(() -> h.net.activeTcpSplices())).isEqualTo(4);
                assertThat(h.counter("usernet.tcp.drop.too_many_splices")).isEqualTo(1);
                clients.getFirst().getOutputStream().write(42);
                assertThat(clients.getFirst().getInputStream().read()).as("the first still works").isEqualTo(42);
                try (ServerSocket host = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
                    GuestPeer out = new GuestPeer(0, false);
                    h.onLoop(() -> h.guest.tcp().connect(h.net.config().gateway().bits(), host.getLocalPort(), out));
                    out.connected.get(30, TimeUnit.SECONDS);
                    host.accept().close();
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }
}
