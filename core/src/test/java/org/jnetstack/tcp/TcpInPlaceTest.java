package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Allocations;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpConnection#writeInPlace} and {@link TcpConnection#readInPlace} between two stacks on a
 * {@link VirtualWire} (virtual clock): the bytes an application writes into the send buffer and
 * reads out of the receive buffer in place arrive exactly — across ring wraps, mixed with the
 * copying calls, in partial pieces — the window reopens only as bytes are taken, bad counts are
 * rejected with nothing committed, and a call allocates nothing.
 */
class TcpInPlaceTest {
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire("a", new MacAddress(0x02_00_00_00_00_01L), "b", new MacAddress(0x02_00_00_00_00_02L),
            1500, 1024);
    final Source source = new Source();
    final Sink sink = new Sink();
    TcpConnection client;
    TcpConnection server;

    /** The byte at stream position {@code p}: no short period, so a misplaced piece shows. */
    static byte at(long p) {
        return (byte) ((p * 0x9E3779B97F4A7C15L) >>> 56);
    }

    /** Writes the pattern, at most {@code max} bytes per fill, up to {@code total}. */
    static final class PatternWriter implements InPlaceWriter {
        long written;
        long total = Long.MAX_VALUE;
        int max = Integer.MAX_VALUE;
        int callsThisWrite;
        int secondPieces;

        @Override
        public int fill(byte[] buf, int off, int len) {
            if (++callsThisWrite == 2) {
                secondPieces++;
            }
            int n = (int) Math.min(Math.min(len, max), total - written);
            for (int i = 0; i < n; i++) {
                buf[off + i] = at(written + i);
            }
            written += n;
            return n;
        }
    }

    /** Checks the pattern in place, taking at most {@code max} bytes per take. */
    static final class PatternReader implements InPlaceReader {
        long got;
        int max = Integer.MAX_VALUE;
        long firstMismatch = -1;
        int callsThisRead;
        int secondPieces;
        int calls;

        @Override
        public int take(byte[] buf, int off, int len) {
            calls++;
            if (++callsThisRead == 2) {
                secondPieces++;
            }
            int n = Math.min(len, max);
            for (int i = 0; i < n; i++) {
                if (buf[off + i] != at(got + i) && firstMismatch < 0) {
                    firstMismatch = got + i;
                }
            }
            got += n;
            return n;
        }
    }

    /** Client: writes the pattern in place (alternating with copying writes when {@code mixed}), then shuts output. */
    final class Source implements TcpHandler {
        final PatternWriter writer = new PatternWriter();
        boolean mixed;
        int copyChunk = 777;
        byte[] scratch = new byte[4096];
        int round;
        boolean passive; // the test writes itself
        boolean shutWhenDone = true;

        @Override
        public void onConnected(TcpConnection c) {
            pump(c);
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            pump(c);
        }

        void pump(TcpConnection c) {
            if (passive) {
                return;
            }
            while (writer.written < writer.total && !c.isOutputShutdown()) {
                int n;
                if (mixed && (round++ & 1) == 1) {
                    int k = (int) Math.min(copyChunk, writer.total - writer.written);
                    for (int i = 0; i < k; i++) {
                        scratch[i] = at(writer.written + i);
                    }
                    n = c.write(scratch, 0, k);
                    writer.written += n;
                } else {
                    writer.callsThisWrite = 0;
                    n = c.writeInPlace(writer);
                }
                if (n == 0) {
                    return;
                }
            }
            if (shutWhenDone && writer.written == writer.total && !c.isOutputShutdown()) {
                c.shutdownOutput();
            }
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Server: reads in place (alternating with copying reads when {@code mixed}), checking the pattern. */
    final class Sink implements TcpHandler {
        final PatternReader reader = new PatternReader();
        boolean mixed;
        final byte[] scratch = new byte[333];
        boolean eof;
        int round;

        @Override
        public void onReceive(TcpConnection c) {
            while (true) {
                int n;
                if (mixed && (round++ & 1) == 1) {
                    n = c.read(scratch, 0, scratch.length);
                    for (int i = 0; i < n; i++) {
                        if (scratch[i] != at(reader.got + i) && reader.firstMismatch < 0) {
                            reader.firstMismatch = reader.got + i;
                        }
                    }
                    reader.got += n;
                } else {
                    reader.callsThisRead = 0;
                    n = c.readInPlace(reader);
                }
                if (n == 0) {
                    return;
                }
            }
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            onReceive(c);
            if (c.readable() == 0) {
                eof = true;
                c.close();
            }
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            throw new AssertionError(e);
        }
    }

    void open(TcpConfig config) {
        NetStack a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).tcpConfig(config).build();
        NetStack b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2).tcpConfig(config).build();
        a.iface().neighbors().putStatic(B, wire.b().mac());
        b.iface().neighbors().putStatic(Ipv4Address.parseBits("10.0.0.1"), wire.a().mac());
        b.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                server = c;
                c.setHandler(sink);
            }
        });
        client = a.tcp().connect(B, 80, source);
        assertThat(loop.runUntil(() -> server != null && client.state().isSynchronized(), 10 * SECOND)).isTrue();
    }

    void transferAll() {
        assertThat(loop.runUntil(() -> sink.eof, 3600 * SECOND)).as("transfer finished; got " + sink.reader.got).isTrue();
        assertThat(loop.counters().get("loop.errors")).isZero();
        assertThat(sink.reader.got).isEqualTo(source.writer.total);
        assertThat(sink.reader.firstMismatch).as("first wrong byte").isEqualTo(-1);
    }

    @Test
    void inPlaceBytesArriveExactlyAcrossRingWraps() {
        source.writer.total = 3_000_017;
        // Sizes that are no multiple of the MSS or of each other: the rings wrap at ever other places.
        open(TcpConfig.defaults().withBuffers(10_007, 7_001));
        transferAll();
        assertThat(source.writer.secondPieces).as("fills of the piece after the send ring wrapped").isPositive();
        assertThat(sink.reader.secondPieces).as("takes of the piece after the receive ring wrapped").isPositive();
    }

    @Test
    void partialPiecesMixedWithCopyingCallsArriveExactly() {
        source.writer.total = 2_000_003;
        source.writer.max = 1000;
        source.mixed = true;
        sink.reader.max = 500;
        sink.mixed = true;
        open(TcpConfig.defaults().withBuffers(9_001, 6_007));
        transferAll();
    }

    @Test
    void theWindowReopensOnlyAsTheReaderTakes() {
        source.writer.total = 1_000_000;
        sink.reader.max = 0; // takes nothing: the receive buffer fills, the window closes
        open(TcpConfig.defaults().withBuffers(64 * 1024, 32 * 1024));
        loop.runFor(30 * SECOND);
        assertThat(sink.reader.calls).as("take was offered the data").isPositive();
        assertThat(sink.reader.got).isZero();
        assertThat(server.readable()).as("the whole receive buffer, window closed").isEqualTo(server.receiveBufferSize());
        assertThat(client.writable()).as("the sender stalls").isZero();
        long sentBefore = source.writer.written;
        loop.runFor(30 * SECOND);
        assertThat(source.writer.written).as("nothing more accepted while the window is closed").isEqualTo(sentBefore);

        sink.reader.max = 100; // a little: readable shrinks by exactly what was taken
        sink.reader.callsThisRead = 0;
        assertThat(server.readInPlace(sink.reader)).isEqualTo(100);
        assertThat(server.readable()).isEqualTo(server.receiveBufferSize() - 100);

        sink.reader.max = Integer.MAX_VALUE; // now everything: the window update goes out at once, the sender resumes
        sink.reader.callsThisRead = 0;
        assertThat(server.readInPlace(sink.reader)).isEqualTo(server.receiveBufferSize() - 100);
        loop.runFor(SECOND / 100); // far shorter than the persist timer's backed-off interval
        assertThat(source.writer.written).as("resumed by the window update, not a probe").isGreaterThan(sentBefore);
        transferAll();
    }

    @Test
    void badCountsAreRejectedWithNothingCommitted() {
        sink.reader.max = 0; // keep what arrives readable
        source.writer.total = 5000;
        source.shutWhenDone = false; // output stays open for the bad writes below
        open(TcpConfig.defaults());
        loop.runFor(SECOND);
        int writable = client.writable();
        assertThatThrownBy(() -> client.writeInPlace((buf, off, len) -> len + 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("fill returned");
        assertThatThrownBy(() -> client.writeInPlace((buf, off, len) -> -1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing was committed");
        assertThat(client.writable()).isEqualTo(writable);
        int readable = server.readable();
        assertThat(readable).isEqualTo(5000);
        assertThatThrownBy(() -> server.readInPlace((buf, off, len) -> len + 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("take returned");
        assertThatThrownBy(() -> server.readInPlace((buf, off, len) -> -1)).isInstanceOf(IllegalStateException.class);
        assertThat(server.readable()).isEqualTo(readable);
        sink.reader.max = Integer.MAX_VALUE;
        sink.onReceive(server);
        client.shutdownOutput();
        assertThat(loop.runUntil(() -> sink.eof, 10 * SECOND)).isTrue();
        assertThat(sink.reader.got).isEqualTo(5000);
        assertThat(sink.reader.firstMismatch).isEqualTo(-1);
    }

    @Test
    void aBadSecondPieceCommitsNothingOfTheFirst() {
        SendBuffer send = new SendBuffer(16);
        send.write(new byte[12], 0, 12);
        send.release(8); // 4 held at ring index 8..11: the free space is 12..15 and then 0..7
        int[] calls = {0};
        assertThatThrownBy(() -> send.writeInPlace((buf, off, len) -> ++calls[0] == 1 ? len : len + 1))
                .isInstanceOf(IllegalStateException.class);
        assertThat(calls[0]).isEqualTo(2);
        assertThat(send.size()).isEqualTo(4);
        PatternWriter w = new PatternWriter();
        assertThat(send.writeInPlace(w)).isEqualTo(12);
        assertThat(w.callsThisWrite).as("two pieces").isEqualTo(2);
        byte[] out = new byte[12];
        send.copyOut(4, out, 0, 12);
        for (int i = 0; i < 12; i++) {
            assertThat(out[i]).isEqualTo(at(i));
        }

        ReceiveBuffer receive = new ReceiveBuffer(16);
        byte[] data = new byte[14];
        for (int i = 0; i < data.length; i++) {
            data[i] = at(i);
        }
        receive.write(0, data, 0, 12);
        receive.skip(8); // read point at ring index 8
        receive.write(0, data, 12, 2);
        receive.write(0, new byte[8], 0, 8); // 14 readable: ring 8..15, then 0..5
        calls[0] = 0;
        assertThatThrownBy(() -> receive.readInPlace((buf, off, len) -> ++calls[0] == 1 ? len : -1))
                .isInstanceOf(IllegalStateException.class);
        assertThat(calls[0]).isEqualTo(2);
        assertThat(receive.readable()).isEqualTo(14);
        PatternReader r = new PatternReader();
        r.got = 8;
        r.max = 6;
        assertThat(receive.readInPlace(r)).as("a partial first piece: no second call").isEqualTo(6);
        assertThat(r.calls).isEqualTo(1);
        assertThat(r.firstMismatch).isEqualTo(-1);
        assertThat(receive.readable()).isEqualTo(8);
    }

    @Test
    void writingAfterShutdownFailsLikeWriteAndAFullBufferIsNotOffered() {
        sink.reader.max = 0;
        source.writer.total = Long.MAX_VALUE; // fill everything
        open(TcpConfig.defaults().withBuffers(16 * 1024, 16 * 1024));
        loop.runFor(10 * SECOND);
        assertThat(client.writable()).isZero();
        int[] calls = {0};
        assertThat(client.writeInPlace((buf, off, len) -> ++calls[0] * 0)).isZero();
        assertThat(calls[0]).as("fill not called on a full buffer").isZero();
        client.shutdownOutput();
        assertThatThrownBy(() -> client.writeInPlace((buf, off, len) -> len))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
    }

    @Test
    void inPlaceCallsAllocateNothing() {
        source.passive = true; // only the writes below: the transfer pauses, the virtual clock moves
        open(TcpConfig.defaults());
        source.writer.max = 1000;
        long[] deadline = {0};
        BooleanSupplier passed = () -> loop.clock().nanos() - deadline[0] >= 0; // made once: runFor's own lambda would allocate
        long bytes = Allocations.leastAllocatedBy(20, () -> {
            long before = sink.reader.got;
            for (int i = 0; i < 200; i++) {
                source.writer.callsThisWrite = 0;
                client.writeInPlace(source.writer);
                loop.runPending();
            }
            deadline[0] = loop.clock().nanos() + SECOND / 10;
            loop.runUntil(passed, SECOND / 10); // delayed ACKs
            return sink.reader.got - before;
        });
        assertThat(bytes).as("bytes allocated per round of 200 in-place writes and reads").isZero();
        assertThat(sink.reader.firstMismatch).isEqualTo(-1);
    }
}
