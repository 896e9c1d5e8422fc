package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream device against a peer written by the test (as QEMU's {@code -netdev stream} would
 * write) over a real Unix socket and a real TCP socket on loopback, with the device on a running
 * event loop that waits in {@code ppoll(2)} on the device's descriptor.
 */
class StreamDeviceTest {
    private static final long A = 0x02_00_00_00_00_0AL;
    private static final long B = 0x02_00_00_00_00_0BL;

    @TempDir
    Path dir;

    private EventLoop loop;
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void startLoop() {
        loop = EventLoop.system();
    }

    @AfterEach
    void stopLoop() {
        loop.close();
    }

    private StreamDevice unixDevice(StreamOptions options) throws IOException {
        StreamDevice dev = StreamDevice.listenUnix(dir.resolve("vm.sock"), null, options);
        DeviceAttachment.attach(loop, dev, (b, o, l) -> received.add(Arrays.copyOfRange(b, o, o + l)));
        loop.start("stream-test");
        return dev;
    }

    private SocketChannel connectUnix(StreamDevice dev) throws IOException {
        return connect(UnixDomainSocketAddress.of(dev.unixPath()), StandardProtocolFamily.UNIX, dev);
    }

    private SocketChannel connect(SocketAddress at, StandardProtocolFamily family, StreamDevice dev) throws IOException {
        long accepted = dev.stats().counters().counter("conn.accepted").get();
        SocketChannel peer = SocketChannel.open(family);
        peer.connect(at);
        await(() -> dev.stats().counters().counter("conn.accepted").get() > accepted && dev.isConnected(), "device accepts");
        return peer;
    }

    /** The frame with payload bytes {@code tag}, {@code len} bytes long. */
    private static byte[] frame(int tag, int len) {
        byte[] f = TestFrames.ethernet(B, A, TestFrames.ETHERTYPE_IPV4, tag);
        byte[] g = Arrays.copyOf(f, len);
        Arrays.fill(g, 14, len, (byte) tag);
        return g;
    }

    /** {@code frames} in the stream framing: each behind its 32-bit big-endian length. */
    private static byte[] framed(byte[]... frames) {
        int n = 0;
        for (byte[] f : frames) {
            n += 4 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] f : frames) {
            b.putInt(f.length).put(f);
        }
        return b.array();
    }

    private static void writeAll(SocketChannel ch, byte[] bytes, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, off, len);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private byte[] next() throws InterruptedException {
        byte[] f = received.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("a frame arrives through the device").isNotNull();
        return f;
    }

    private static void await(BooleanSupplier cond, String what) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting until: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Reads exactly {@code n} bytes from the peer side. */
    private static byte[] readExactly(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("end of stream after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.array();
    }

    @Test
    void framesCutAtEveryByteBoundaryArriveWholeAndInOrder() throws Exception {
        StreamDevice dev = unixDevice(StreamOptions.defaults());
        try (SocketChannel peer = connectUnix(dev)) {
            // Sizes from the Ethernet minimum to a full 1500-byte MTU frame with a VLAN tag.
            byte[][] frames = {frame(1, 60), frame(2, 1514), frame(3, 14), frame(4, 1518), frame(5, 61)};
            byte[] stream = framed(frames);
            // One byte per write, with a pause, so the device sees lengths and frames cut everywhere.
            for (int i = 0; i < stream.length; i++) {
                writeAll(peer, stream, i, 1);
                if (i % 97 == 0) {
                    Thread.sleep(1);
                }
            }
            for (byte[] f : frames) {
                assertThat(next()).isEqualTo(f);
            }
            assertThat(dev.stats().rxFrames.get()).isEqualTo(frames.length);
            assertThat(dev.stats().rxBytes.get()).isEqualTo(60 + 1514 + 14 + 1518 + 61);
        }
    }

    @Test
    void manyFramesInOneWriteAreHandedUpInBatchesInOrder() throws Exception {
        // A read buffer far smaller than the burst: frames straddle reads all the time.
        StreamDevice dev = unixDevice(StreamOptions.defaults().withReadBufferBytes(4096));
        try (SocketChannel peer = connectUnix(dev)) {
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                frames.add(frame(i & 0xFF, 60 + (i * 37) % 1455));
            }
            byte[] stream = framed(frames.toArray(new byte[0][]));
            writeAll(peer, stream, 0, stream.length);
            for (byte[] f : frames) {
                assertThat(next()).isEqualTo(f);
            }
            assertThat(received).isEmpty();
            assertThat(dev.stats().counters().counter("rx.dropped.bad_length").get()).isZero();
        }
    }

    @Test
    void framesSentThroughTheDeviceReachThePeerInTheStreamFraming() throws Exception {
        StreamDevice dev = unixDevice(StreamOptions.defaults());
        try (SocketChannel peer = connectUnix(dev)) {
            byte[][] frames = new byte[200][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = frame(i, 60 + i * 7);
            }
            // Sent from one task: gathered and written at the iteration's end; at a non-zero offset too.
            loop.execute(() -> {
                for (byte[] f : frames) {
                    byte[] padded = new byte[f.length + 5];
                    System.arraycopy(f, 0, padded, 5, f.length);
                    assertThat(dev.send(padded, 5, f.length)).isTrue();
                }
            });
            byte[] got = readExactly(peer, framed(frames).length);
            assertThat(got).isEqualTo(framed(frames));
            assertThat(dev.stats().txFrames.get()).isEqualTo(frames.length);
        }
    }

    @Test
    void aPeerThatDoesNotReadCostsOnlyTheWriteBufferAndThenGetsTheRestInOrder() throws Exception {
        int bufferBytes = 64 * 1024;
        StreamDevice dev = unixDevice(StreamOptions.defaults().withWriteBufferBytes(bufferBytes));
        try (SocketChannel peer = connectUnix(dev)) {
            // Far more than the socket buffers and the write buffer hold while the peer does not read.
            int total = 4000;
            byte[] f = frame(7, 1514);
            for (int i = 0; i < total; i += 100) {
                int batch = i;
                loop.execute(() -> {
                    for (int k = 0; k < 100; k++) {
                        byte[] g = f.clone();
                        g[20] = (byte) (batch + k);
                        g[21] = (byte) ((batch + k) >>> 8);
                        dev.send(g, 0, g.length);
                    }
                });
            }
            await(() -> dev.stats().txFrames.get() + dev.stats().txDropped.get() == total, "all frames offered");
            long full = dev.stats().counters().counter("tx.dropped.full").get();
            assertThat(full).as("frames dropped for a full write buffer").isPositive();
            assertThat(dev.stats().txFrames.get()).isEqualTo(total - full);
            // Now the peer reads: every accepted frame arrives whole, in order (frame numbers rise).
            int last = -1;
            for (long i = 0; i < dev.stats().txFrames.get(); i++) {
                byte[] len = readExactly(peer, 4);
                assertThat(ByteBuffer.wrap(len).getInt()).isEqualTo(1514);
                byte[] g = readExactly(peer, 1514);
                int seq = (g[20] & 0xFF) | (g[21] & 0xFF) << 8;
                assertThat(seq).isGreaterThan(last);
                last = seq;
                g[20] = f[20];
                g[21] = f[21];
                assertThat(g).isEqualTo(f);
            }
        }
    }

    @Test
    void bogusLengthsDropTheConnectionAndTheNextPeerIsServed() throws Exception {
        StreamDevice dev = unixDevice(StreamOptions.defaults());
        Counter bad = dev.stats().counters().counter("rx.dropped.bad_length");
        int[] bogus = {0, 13, 1500 + 18 + 1, 65535 + 14 + 1, -1};
        for (int i = 0; i < bogus.length; i++) {
            try (SocketChannel peer = connectUnix(dev)) {
                byte[] good = framed(frame(i, 60));
                ByteBuffer b = ByteBuffer.allocate(good.length + 4 + 64);
                b.put(good).putInt(bogus[i]).put(new byte[64]);
                writeAll(peer, b.array(), 0, b.capacity());
                assertThat(next()).as("the frame before the bogus length").isEqualTo(frame(i, 60));
                long expected = i + 1;
                await(() -> bad.get() == expected && !dev.isConnected(), "connection dropped for length " + bogus[i]);
                // The device closed its end: the peer sees end of stream (or a reset, had bytes been left unread).
                int r;
                try {
                    r = peer.read(ByteBuffer.allocate(1));
                } catch (IOException reset) {
                    r = -1;
                }
                assertThat(r).isEqualTo(-1);
            }
        }
        assertThat(received).as("nothing after a bogus length is handed up").isEmpty();
        assertThat(dev.stats().counters().counter("conn.closed").get()).isEqualTo(bogus.length);
    }

    @Test
    void aReconnectingPeerGetsTheDeviceBackAndASecondPeerIsRefusedMeanwhile() throws Exception {
        StreamDevice dev = unixDevice(StreamOptions.defaults());
        SocketChannel first = connectUnix(dev);
        writeAll(first, framed(frame(1, 60)), 0, 64);
        assertThat(next()).isEqualTo(frame(1, 60));
        // A second peer while the first is served: closed at once.
        try (SocketChannel second = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            second.connect(UnixDomainSocketAddress.of(dev.unixPath()));
            assertThat(second.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            await(() -> dev.stats().counters().counter("conn.refused_busy").get() == 1, "second peer refused");
        }
        // Half a frame, then the peer goes away (QEMU killed): the half is forgotten.
        writeAll(first, framed(frame(2, 100)), 0, 50);
        first.close();
        await(() -> !dev.isConnected(), "first peer gone");
        try (SocketChannel again = connectUnix(dev)) {
            writeAll(again, framed(frame(3, 60)), 0, 64);
            assertThat(next()).isEqualTo(frame(3, 60));
            byte[] out = frame(4, 60);
            loop.execute(() -> dev.send(out, 0, out.length));
            assertThat(readExactly(again, 64)).isEqualTo(framed(out));
        }
        assertThat(received).isEmpty();
        assertThat(dev.stats().counters().counter("conn.accepted").get()).isEqualTo(2);
    }

    @Test
    void framesGoBothWaysOverTcp() throws Exception {
        StreamDevice dev = StreamDevice.listenTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                MacAddress.parse("02:00:00:00:01:01"), StreamOptions.defaults().withMtu(9000));
        DeviceAttachment.attach(loop, dev, (b, o, l) -> received.add(Arrays.copyOfRange(b, o, o + l)));
        loop.start("stream-tcp-test");
        assertThat(dev.localPort()).isPositive();
        try (SocketChannel peer = connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), dev.localPort()),
                StandardProtocolFamily.INET, dev)) {
            byte[] jumbo = frame(9, 9018);
            byte[] small = frame(1, 60);
            byte[] s = framed(jumbo, small);
            writeAll(peer, s, 0, 3);
            Thread.sleep(20);
            writeAll(peer, s, 3, s.length - 3);
            assertThat(next()).isEqualTo(jumbo);
            assertThat(next()).isEqualTo(small);
            loop.execute(() -> dev.send(jumbo, 0, jumbo.length));
            assertThat(readExactly(peer, 4 + jumbo.length)).isEqualTo(framed(jumbo));
        }
    }

    @Test
    void unsentFramesWhileNobodyIsConnectedAreDroppedAndCounted() throws Exception {
        StreamDevice dev = unixDevice(StreamOptions.defaults());
        byte[] f = frame(1, 60);
        boolean[] sent = {true};
        loop.execute(() -> sent[0] = dev.send(f, 0, f.length));
        await(() -> dev.stats().txDropped.get() == 1, "drop counted");
        assertThat(sent[0]).isFalse();
        assertThat(dev.stats().counters().counter("tx.dropped.not_connected").get()).isEqualTo(1);
    }

    @Test
    void aLiveListenerIsNotTakenOverButAStaleSocketFileIsReplaced() throws Exception {
        Path p = dir.resolve("live.sock");
        try (StreamDevice live = StreamDevice.listenUnix(p, null, StreamOptions.defaults())) {
            assertThatThrownBy(() -> StreamDevice.listenUnix(p, null, StreamOptions.defaults()))
                    .isInstanceOf(IOException.class).hasMessageContaining("another process is listening");
        }
        assertThat(p).doesNotExist();
        // A socket file whose listener died without removing it.
        try (var server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(p));
        }
        assertThat(p).exists();
        try (StreamDevice again = StreamDevice.listenUnix(p, null, StreamOptions.defaults())) {
            assertThat(again.unixPath()).isEqualTo(p);
        }
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> StreamDevice.listenUnix(plain, null, StreamOptions.defaults()))
                .isInstanceOf(IOException.class).hasMessageContaining("not a socket");
    }

    @Test
    void framesInAndOutAllocateNothingOnceWarm() throws Exception {
        // The device on a loop driven by this thread, echoing every frame; a peer on other threads
        // writes a prebuilt stream without end and reads the echoes.
        StreamDevice dev = StreamDevice.listenUnix(dir.resolve("alloc.sock"), null,
                StreamOptions.defaults().withReadBufferBytes(8192));
        long[] frames = new long[1];
        DeviceAttachment.attach(loop, dev, (b, o, l) -> {
            frames[0]++;
            dev.send(b, o, l);
        });
        byte[][] some = new byte[40][];
        for (int i = 0; i < some.length; i++) {
            some[i] = frame(i, 60 + i * 31);
        }
        byte[] stream = framed(some);
        SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX);
        peer.connect(UnixDomainSocketAddress.of(dev.unixPath()));
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(stream.length);
            try {
                while (true) {
                    b.clear();
                    b.put(stream).flip();
                    while (b.hasRemaining()) {
                        peer.write(b);
                    }
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(65536);
            try {
                while (peer.read(b.clear()) >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        try {
            long bytes = org.jnetstack.testing.Allocations.leastAllocatedBy(5, () -> {
                long target = frames[0] + 5_000;
                while (frames[0] < target) {
                    loop.runPending();
                }
                return frames[0];
            });
            // Nothing per frame: one allocation per frame would be at least 16 bytes x 5,000. What a loaded
            // machine may show is a few hundred bytes per round from the rare path (epoll_ctl when the
            // socket fills), whose FFM downcall allocates until C2 compiles it.
            assertThat(bytes).as("bytes allocated by 5,000 frames in and out of the stream device").isLessThan(5_000);
            assertThat(dev.stats().counters().counter("rx.dropped.bad_length").get()).isZero();
        } finally {
            peer.close();
            writer.join(5000);
            reader.join(5000);
        }
    }

    @Test
    void aConnectingDeviceWaitsForItsPeerAndConnectsAgainWhenThePeerGoesAway() throws Exception {
        Path path = dir.resolve("qemu-server.sock");
        StreamDevice dev = StreamDevice.connectUnix(path, null,
                StreamOptions.defaults().withReconnectInterval(java.time.Duration.ofMillis(20)));
        DeviceAttachment.attach(loop, dev, (b, o, l) -> received.add(Arrays.copyOfRange(b, o, o + l)));
        loop.start("stream-connect-test");
        Counter failed = dev.stats().counters().counter("conn.connect_failed");
        await(() -> failed.get() >= 2, "attempts while nobody listens");
        assertThat(dev.isConnected()).isFalse();
        try (var server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            for (int round = 1; round <= 2; round++) {
                try (SocketChannel peer = server.accept()) {
                    await(dev::isConnected, "device connected");
                    writeAll(peer, framed(frame(round, 60)), 0, 64);
                    assertThat(next()).isEqualTo(frame(round, 60));
                    byte[] out = frame(10 + round, 100);
                    loop.execute(() -> dev.send(out, 0, out.length));
                    assertThat(readExactly(peer, 104)).isEqualTo(framed(out));
                }
                // The peer closed its end (a restarted QEMU): the device sees it and connects again.
                await(() -> !dev.isConnected() || dev.stats().counters().counter("conn.closed").get() > 0, "disconnect seen");
            }
        }
        assertThat(dev.stats().counters().counter("conn.connected").get()).isEqualTo(2);
    }

    @Test
    void aConnectingDeviceWorksOverTcp() throws Exception {
        try (var server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            StreamDevice dev = StreamDevice.connectTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null,
                    StreamOptions.defaults());
            DeviceAttachment.attach(loop, dev, (b, o, l) -> received.add(Arrays.copyOfRange(b, o, o + l)));
            loop.start("stream-connect-tcp-test");
            try (SocketChannel peer = server.accept()) {
                await(dev::isConnected, "device connected");
                byte[] out = frame(3, 1514);
                loop.execute(() -> dev.send(out, 0, out.length));
                assertThat(readExactly(peer, 4 + 1514)).isEqualTo(framed(out));
                writeAll(peer, framed(frame(4, 70)), 0, 74);
                assertThat(next()).isEqualTo(frame(4, 70));
            }
        }
    }
}
