package org.jnetstack.socket.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.socket.TwoHosts;
import org.jnetstack.tcp.TcpConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the socket options do on the wire and in close and bind; their values are compared with the JDK's in SameAsJdkPropertiesTest. */
@Timeout(60)
class StackChannelOptionsTest {
    /** One IPv4 packet the client's stack sent: its TOS byte, protocol and (TCP) flags. */
    record Sent(int tos, int protocol, int tcpFlags) {
        boolean syn() {
            return protocol == 6 && (tcpFlags & 0x02) != 0;
        }
    }

    /** Middleware on the client's end of the wire that notes every IPv4 packet going out. */
    static final class Recorder extends ForwardingDevice {
        final List<Sent> sent = new CopyOnWriteArrayList<>();

        Recorder(LinkDevice inner) {
            super(inner);
        }

        @Override
        public boolean send(byte[] buf, int off, int len) {
            if (len >= 14 + 20 + 8 && (buf[off + 12] & 0xFF) == 0x08 && buf[off + 13] == 0) {
                int ip = off + 14;
                int ihl = (buf[ip] & 0x0F) * 4;
                int protocol = buf[ip + 9] & 0xFF;
                boolean tcp = protocol == 6 && len >= 14 + ihl + 14;
                sent.add(new Sent(buf[ip + 1] & 0xFF, protocol, tcp ? buf[ip + ihl + 13] & 0xFF : 0));
            }
            return inner.send(buf, off, len);
        }
    }

    private Recorder recorder;

    private TwoHosts recordedHosts() {
        return new TwoHosts(TcpConfig.defaults(), d -> recorder = new Recorder(d));
    }

    @Test
    void ipTosMarksEverySegmentAfterTheSynAndCanChangeOnAConnection() throws Exception {
        try (TwoHosts net = recordedHosts();
             ServerSocketChannel l = new StackSelectorProvider(net.server).openServerSocketChannel().bind(new InetSocketAddress(7001));
             SocketChannel c = new StackSelectorProvider(net.client).openSocketChannel()) {
            c.setOption(StandardSocketOptions.IP_TOS, 0xB8 | 0x03); // EF, and ECN bits the stack keeps for itself
            assertThat(c.getOption(StandardSocketOptions.IP_TOS)).isEqualTo(0xB8);
            c.connect(TwoHosts.server(7001));
            SocketChannel s = l.accept();
            c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(s.read(ByteBuffer.allocate(10))).isEqualTo(3);
            List<Sent> tcp = recorder.sent.stream().filter(p -> p.protocol() == 6).toList();
            assertThat(tcp.getFirst().syn()).isTrue();
            assertThat(tcp.getFirst().tos()).as("the SYN leaves before the connection exists").isZero();
            assertThat(tcp.subList(1, tcp.size())).isNotEmpty().allSatisfy(p -> assertThat(p.tos()).isEqualTo(0xB8));

            int before = recorder.sent.size();
            c.setOption(StandardSocketOptions.IP_TOS, 0x20);
            c.write(ByteBuffer.wrap(new byte[] {4}));
            assertThat(s.read(ByteBuffer.allocate(10))).isEqualTo(1);
            awaitSentAfter(before);
            assertThat(recorder.sent.subList(before, recorder.sent.size())).allSatisfy(p -> assertThat(p.tos()).isEqualTo(0x20));
            s.close();
        }
    }

    @Test
    void ipTosOfAJavaNetSocketFromTheSocketFactoryMarksItsSegmentsToo() throws Exception {
        try (TwoHosts net = recordedHosts();
             ServerSocketChannel l = new StackSelectorProvider(net.server).openServerSocketChannel().bind(new InetSocketAddress(7005));
             java.net.Socket s = org.jnetstack.socket.jdk.StackSocketFactory.of(net.client).createSocket()) {
            s.setTrafficClass(0x88 | 0x01);
            assertThat(s.getTrafficClass()).isEqualTo(0x88);
            s.connect(TwoHosts.server(7005));
            SocketChannel peer = l.accept();
            s.getOutputStream().write(new byte[] {5, 6});
            assertThat(peer.read(ByteBuffer.allocate(10))).isEqualTo(2);
            List<Sent> tcp = recorder.sent.stream().filter(p -> p.protocol() == 6).toList();
            assertThat(tcp.subList(1, tcp.size())).isNotEmpty().allSatisfy(p -> assertThat(p.tos()).isEqualTo(0x88));
            peer.close();
        }
    }

    @Test
    void ipTosMarksDatagramsWithTheWholeByte() throws Exception {
        try (TwoHosts net = recordedHosts();
             DatagramChannel rx = new StackSelectorProvider(net.server).openDatagramChannel().bind(new InetSocketAddress(7002));
             DatagramChannel tx = new StackSelectorProvider(net.client).openDatagramChannel()) {
            tx.setOption(StandardSocketOptions.IP_TOS, 0xB9);
            assertThat(tx.getOption(StandardSocketOptions.IP_TOS)).isEqualTo(0xB9); // UDP keeps the ECN bits, as Linux
            tx.send(ByteBuffer.wrap(new byte[] {9}), TwoHosts.server(7002));
            assertThat(rx.receive(ByteBuffer.allocate(10))).isNotNull();
            assertThat(recorder.sent.stream().filter(p -> p.protocol() == 17)).singleElement()
                    .satisfies(p -> assertThat(p.tos()).isEqualTo(0xB9));
        }
    }

    private void awaitSentAfter(int before) throws InterruptedException {
        for (int i = 0; i < 500 && recorder.sent.size() == before; i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void positiveLingerWaitsForTheAcknowledgmentThenTheClosingPeerSeesEndOfInput() throws Exception {
        try (TwoHosts net = new TwoHosts();
             ServerSocketChannel l = new StackSelectorProvider(net.server).openServerSocketChannel().bind(new InetSocketAddress(7003));
             SocketChannel c = new StackSelectorProvider(net.client).openSocketChannel()) {
            c.connect(TwoHosts.server(7003));
            SocketChannel s = l.accept();
            byte[] data = StackChannelsTest.random(300_000, 3);
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return StackChannelsTest.readToEnd(s, false);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            c.setOption(StandardSocketOptions.SO_LINGER, 30);
            c.write(ByteBuffer.wrap(data));
            c.close(); // returns once the peer acknowledged the data and the FIN
            assertThat(LoopTasks.call(net.loop, () -> net.client.tcp().connections().stream()
                    .filter(x -> x.remotePort() == 7003).map(x -> x.state().toString()).toList()))
                    .as("nothing unacknowledged left").allMatch(st -> st.equals("FIN_WAIT_2"));
            assertThat(got.get()).isEqualTo(data);
            s.close();
        }
    }

    @Test
    void positiveLingerResetsWhatIsStillUnacknowledgedWhenTheTimeIsUp() throws Exception {
        TcpConfig small = TcpConfig.defaults().toBuilder().receiveBuffer(8192).sendBuffer(8192).build();
        try (TwoHosts net = new TwoHosts(small);
             ServerSocketChannel l = new StackSelectorProvider(net.server).openServerSocketChannel().bind(new InetSocketAddress(7004));
             SocketChannel c = new StackSelectorProvider(net.client).openSocketChannel()) {
            c.connect(TwoHosts.server(7004));
            SocketChannel s = l.accept(); // and never read from until the client has closed: the window closes
            c.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(4096);
            long written = 0;
            for (int idle = 0; idle < 50; ) { // fill everything between the two: the rings, the buffers, the window
                chunk.clear();
                int n = c.write(chunk);
                written += n;
                idle = n == 0 ? idle + 1 : 0;
                Thread.sleep(n == 0 ? 10 : 0);
            }
            c.configureBlocking(true);
            c.setOption(StandardSocketOptions.SO_LINGER, 1);
            long start = System.nanoTime();
            c.close();
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMillis).as("close lingered").isGreaterThanOrEqualTo(900);
            ByteBuffer sink = ByteBuffer.allocate(65536);
            long read = 0;
            IOException failure = null;
            try {
                for (int n; (n = s.read(sink.clear())) >= 0; ) {
                    read += n;
                }
            } catch (IOException e) {
                failure = e;
            }
            assertThat(failure).as("the peer sees a reset, not an orderly end, after %d of %d bytes", read, written)
                    .isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(read).isLessThan(written);
        }
    }

    /**
     * SO_REUSEADDR on a server channel decides whether it may bind a port an earlier server's
     * accepted connection still uses: the same outcome on the JDK's provider (kernel loopback) and
     * ours.
     */
    @Test
    void reuseAddressDecidesWhetherAPortInUseByAConnectionCanBeBoundAgainAsWithTheJdk() throws Exception {
        List<String> jdk = reuseAddressOutcomes(SelectorProvider.provider(), SelectorProvider.provider(),
                InetAddress.getLoopbackAddress());
        List<String> ours;
        try (TwoHosts net = new TwoHosts()) {
            ours = reuseAddressOutcomes(new StackSelectorProvider(net.server), new StackSelectorProvider(net.client),
                    TwoHosts.serverIp());
        }
        assertThat(jdk).containsExactly("default true", "off: BindException", "on: bound", "after close, off: BindException",
                "after close, on: bound");
        assertThat(ours).isEqualTo(jdk);
    }

    private static List<String> reuseAddressOutcomes(SelectorProvider server, SelectorProvider client, InetAddress at)
            throws IOException {
        List<String> out = new java.util.ArrayList<>();
        int port;
        SocketChannel accepted;
        try (SocketChannel c = client.openSocketChannel()) {
            try (ServerSocketChannel first = server.openServerSocketChannel()) {
                first.bind(new InetSocketAddress(at, 0));
                port = ((InetSocketAddress) first.getLocalAddress()).getPort();
                c.connect(new InetSocketAddress(at, port));
                accepted = first.accept();
            }
            try (ServerSocketChannel again = server.openServerSocketChannel()) {
                out.add("default " + again.getOption(StandardSocketOptions.SO_REUSEADDR));
                out.add("off: " + bindOutcome(server, at, port, false));
                out.add("on: " + bindOutcome(server, at, port, true));
            }
            accepted.close(); // the server's side closes first: it keeps the port in TIME-WAIT
            c.read(ByteBuffer.allocate(1));
        }
        out.add("after close, off: " + bindOutcome(server, at, port, false));
        out.add("after close, on: " + bindOutcome(server, at, port, true));
        return out;
    }

    private static String bindOutcome(SelectorProvider p, InetAddress at, int port, boolean reuse) throws IOException {
        try (ServerSocketChannel s = p.openServerSocketChannel()) {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, reuse);
            s.bind(new InetSocketAddress(at, port));
            return "bound";
        } catch (BindException e) {
            return "BindException";
        }
    }

    @Test
    void bufferSizesAreTakenAsTheJdkTakesThem() throws Exception {
        try (TwoHosts net = new TwoHosts(); SocketChannel c = new StackSelectorProvider(net.client).openSocketChannel()) {
            c.setOption(StandardSocketOptions.SO_RCVBUF, 0);
            assertThat(c.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(1);
            c.setOption(StandardSocketOptions.SO_SNDBUF, Integer.MAX_VALUE);
            assertThat(c.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(1 << 30);
            assertThatThrownBy(() -> c.setOption(StandardSocketOptions.SO_SNDBUF, -1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
