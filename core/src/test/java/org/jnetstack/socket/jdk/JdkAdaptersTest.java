package org.jnetstack.socket.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.jnetstack.dns.NameResolver;
import org.jnetstack.socket.TcpSocketTest;
import org.jnetstack.socket.TwoHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** java.net.Socket / ServerSocket objects from our factories, between two stacks. */
@Timeout(60)
class JdkAdaptersTest {
    final TwoHosts net = new TwoHosts();
    final NameResolver names = host -> switch (host) {
        case "server.test" -> List.of(TwoHosts.serverIp());
        default -> NameResolver.literalsOnly().resolve(host);
    };
    final SocketFactory clients = StackSocketFactory.of(net.client, names);
    final ServerSocketFactory servers = StackServerSocketFactory.of(net.server);

    @AfterEach
    void tearDown() {
        net.close();
    }

    /** A line-echo server on one connection, in a virtual thread. */
    static CompletableFuture<Socket> lineEcho(ServerSocket server) {
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            try (Socket s = server.accept()) {
                accepted.complete(s);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                String line;
                while ((line = in.readLine()) != null) {
                    out.println("echo " + line);
                }
            } catch (Exception e) {
                accepted.completeExceptionally(e);
            }
        });
        return accepted;
    }

    @Test
    void realSocketsTalkOverTheStack() throws Exception {
        try (ServerSocket server = servers.createServerSocket(7)) {
            assertThat(server.getLocalPort()).isEqualTo(7);
            assertThat(server.isBound()).isTrue();
            CompletableFuture<Socket> accepted = lineEcho(server);
            try (Socket s = clients.createSocket("server.test", 7)) {
                assertThat(s.isConnected()).isTrue();
                assertThat(s.getInetAddress()).isEqualTo(TwoHosts.serverIp());
                assertThat(s.getPort()).isEqualTo(7);
                assertThat(s.getLocalAddress()).isEqualTo(TwoHosts.clientIp());
                assertThat(s.getLocalPort()).isPositive();
                PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                out.println("héllo");
                assertThat(in.readLine()).isEqualTo("echo héllo");
                Socket peer = accepted.get(10, TimeUnit.SECONDS);
                assertThat(peer.getInetAddress()).isEqualTo(TwoHosts.clientIp());
                assertThat(peer.getPort()).isEqualTo(s.getLocalPort());
                assertThat(peer.getLocalPort()).isEqualTo(7);
                s.shutdownOutput();
                assertThat(s.isOutputShutdown()).isTrue();
                assertThat(in.readLine()).isNull(); // the server closed after our FIN
            }
        }
    }

    @Test
    void anUnresolvedAddressResolvesThroughOurResolver() throws Exception {
        try (ServerSocket server = servers.createServerSocket(7)) {
            lineEcho(server);
            try (Socket s = clients.createSocket()) {
                s.connect(InetSocketAddress.createUnresolved("server.test", 7), 5000);
                assertThat(s.getInetAddress()).isEqualTo(TwoHosts.serverIp());
            }
            Socket unknown = clients.createSocket();
            assertThatThrownBy(() -> unknown.connect(InetSocketAddress.createUnresolved("nowhere.test", 7)))
                    .isInstanceOf(UnknownHostException.class);
            assertThat(unknown.isClosed()).isTrue();
        }
    }

    @Test
    void optionsRoundTrip() throws Exception {
        try (ServerSocket server = servers.createServerSocket()) {
            server.setReceiveBufferSize(65536);
            server.setSoTimeout(1234);
            server.bind(new InetSocketAddress(0));
            assertThat(server.getLocalPort()).isBetween(1024, 65535);
            assertThat(server.getSoTimeout()).isEqualTo(1234);
            assertThat(server.getReceiveBufferSize()).isEqualTo(65536);
            lineEcho(server);
            Socket s = clients.createSocket();
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.setSendBufferSize(32768);
            s.setReceiveBufferSize(100_000);
            s.setSoLinger(true, 3);
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.connect(new InetSocketAddress(TwoHosts.serverIp(), server.getLocalPort()), 5000);
            try (s) {
                assertThat(s.getTcpNoDelay()).isTrue();
                assertThat(s.getKeepAlive()).isTrue();
                assertThat(s.getSendBufferSize()).isEqualTo(32768);
                assertThat(s.getReceiveBufferSize()).isEqualTo(100_000);
                assertThat(s.getSoLinger()).isEqualTo(3);
                assertThat(s.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(3);
                s.setSoLinger(false, 0);
                assertThat(s.getSoLinger()).isEqualTo(-1);
                assertThat(s.getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
                assertThat(s.supportedOptions()).contains(StandardSocketOptions.TCP_NODELAY);
            }
        }
    }

    @Test
    void errorsAreJavaNetOnes() throws Exception {
        assertThatThrownBy(() -> clients.createSocket("10.0.0.2", 9))
                .isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        assertThatThrownBy(() -> clients.createSocket("nowhere.test", 9)).isInstanceOf(UnknownHostException.class);
        try (ServerSocket server = servers.createServerSocket(80)) {
            server.setSoTimeout(50);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("Accept timed out");
            server.setSoTimeout(0);
            CompletableFuture<Socket> accepted = lineEcho(server);
            try (Socket s = clients.createSocket(TwoHosts.serverIp(), 80)) {
                s.setSoTimeout(50);
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class)
                        .hasMessage("Read timed out");
                accepted.get(10, TimeUnit.SECONDS);
                // close() from another thread wakes the reader.
                s.setSoTimeout(0);
                CompletableFuture<Throwable> outcome = TcpSocketTest.blockedIn(() -> s.getInputStream().read());
                s.close();
                assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
                        .hasMessage("Socket closed");
            }
        }
    }

    @Test
    void closingTheServerSocketWakesItsAcceptor() throws Exception {
        ServerSocket server = servers.createServerSocket(80);
        CompletableFuture<Throwable> outcome = TcpSocketTest.blockedIn(() -> server.accept());
        server.close();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);
        assertThat(server.isClosed()).isTrue();
    }

    @Test
    void datagramSocketsOverTheStack() throws Exception {
        try (java.net.DatagramSocket server = StackDatagramSockets.bind(net.server, 5300);
                java.net.DatagramSocket client = StackDatagramSockets.create(net.client)) {
            assertThat(server.getLocalPort()).isEqualTo(5300);
            byte[] q = "ping".getBytes(StandardCharsets.US_ASCII);
            client.send(new java.net.DatagramPacket(q, q.length, TwoHosts.serverIp(), 5300)); // binds an ephemeral port
            assertThat(client.getLocalPort()).isPositive();
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[100], 100);
            server.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(p.getAddress()).isEqualTo(TwoHosts.clientIp());
            assertThat(p.getPort()).isEqualTo(client.getLocalPort());
            server.send(new java.net.DatagramPacket("pong".getBytes(StandardCharsets.US_ASCII), 4, p.getSocketAddress()));
            client.connect(TwoHosts.serverIp(), 5300);
            client.setSoTimeout(10_000);
            java.net.DatagramPacket r = new java.net.DatagramPacket(new byte[100], 100);
            client.receive(r);
            assertThat(new String(r.getData(), 0, r.getLength(), StandardCharsets.US_ASCII)).isEqualTo("pong");
            client.setSoTimeout(50);
            assertThatThrownBy(() -> client.receive(r)).isInstanceOf(SocketTimeoutException.class);
        }
    }
}
