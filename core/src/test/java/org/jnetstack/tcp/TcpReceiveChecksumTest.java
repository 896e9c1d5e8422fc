package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.MacAddress;
import org.jnetstack.wire.TcpHeader;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * In-order data (payloads of {@link TcpConfig#sumWhileCopying} bytes or more) has its checksum
 * verified while it is copied into the receive buffer (one pass, {@link ReceiveBuffer#stageInOrder}); a segment that fails must still be dropped and counted with
 * no effect at all — nothing readable, RCV.NXT unchanged, no ACK, and the bytes it left in the
 * ring never seen. Segments forged by hand from the client's side, as in {@link TcpAttackTest}.
 */
class TcpReceiveChecksumTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    /** MTU 9000: segments larger than a 1500-byte frame, as bulk transfers at large MTUs send. */
    final VirtualWire wire = new VirtualWire("a", new MacAddress(0x02_00_00_00_00_01L), "b", new MacAddress(0x02_00_00_00_00_02L),
            9000, 256);
    NetStack a;
    NetStack b;
    TcpConnection server;
    TcpConnection client;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    @BeforeEach
    void establish() {
        a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2).build();
        b.tcp().listen(80, l -> {
            server = l.accept();
            server.setHandler(new TcpHandler() {
                @Override
                public void onReceive(TcpConnection c) {
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = c.read(buf, 0, buf.length)) > 0) {
                        received.write(buf, 0, n);
                    }
                }
            });
        });
        client = a.tcp().connect(B, 80, new TcpHandler() { });
        loop.runUntil(() -> server != null && client.state() == TcpState.ESTABLISHED, 1_000_000_000L);
        loop.runFor(100_000_000L);
    }

    /** A data segment "from the client" to the server, checksummed; {@code corruptAt} >= 0 flips that byte of the TCP segment afterwards. */
    void forge(int seq, Integer tsVal, byte[] payload, int corruptAt) {
        byte[] f = new byte[14 + 20 + 60 + payload.length];
        TcpOptions o = tsVal == null ? null : new TcpOptions().setTimestamps(tsVal, 0);
        int hl = TcpSegment.headerLength(o);
        System.arraycopy(payload, 0, f, 34 + hl, payload.length);
        TcpSegment.write(f, 34, new TcpHeader().ports(client.localPort(), 80)
                .segment(seq, server.sndNxtForTest(), TcpSegment.ACK, 1000).options(o), payload.length, A, B);
        if (corruptAt >= 0) {
            f[34 + corruptAt] ^= 0x10;
        }
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(20 + hl + payload.length)
                .identification(99).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(A, B));
        EthernetFrame.write(f, 0, wire.b().mac().bits(), wire.a().mac().bits(), EthernetFrame.TYPE_IPV4);
        wire.a().send(f, 0, 34 + hl + payload.length);
        loop.runPending();
    }

    static byte[] data(int from, int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) ((from + i) * 7 + 3);
        }
        return d;
    }

    @Test
    void aCorruptedInOrderSegmentIsDroppedAndCountedWithNoEffect() {
        int hl = TcpSegment.MIN_HEADER_LENGTH;
        byte[] payload = data(0, 5001); // odd: the last byte is a padded word
        assertThat(payload.length).as("large enough for the one-pass path").isGreaterThanOrEqualTo(TcpConfig.DEFAULT_SUM_WHILE_COPYING);
        // The first and last payload bytes, a byte in the middle, and header fields: ports'
        // neighbour (sequence number), the ACK number, the window.
        int[] corruptions = {hl, hl + 2500, hl + 5000, 5, 9, 14};
        int rcvNxt = server.rcvNxtForTest();
        long sentBefore = b.counters().get("tcp.tx.segments");
        for (int at : corruptions) {
            forge(rcvNxt, null, payload, at);
        }
        assertThat(b.counters().get("tcp.rx.drop.bad_checksum")).isEqualTo(corruptions.length);
        assertThat(server.rcvNxtForTest()).isEqualTo(rcvNxt);
        assertThat(server.readable()).isZero();
        assertThat(received.size()).isZero();
        assertThat(b.counters().get("tcp.tx.segments")).as("no ACK for a segment that does not exist").isEqualTo(sentBefore);

        forge(rcvNxt, null, payload, -1);
        assertThat(received.toByteArray()).as("the intact segment's bytes, not a corrupted copy's").isEqualTo(payload);
        assertThat(server.rcvNxtForTest()).isEqualTo(rcvNxt + payload.length);
    }

    @Test
    void corruptedSegmentsAcrossTheRingsWrapNeverLeakIntoTheStream() {
        // More than the 256 KiB receive buffer in odd-sized segments, each sent corrupted first:
        // the staged copies wrap the ring at odd positions; only intact bytes may come out.
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int seq = server.rcvNxtForTest();
        int sent = 0;
        for (int i = 0; sent < 300_000; i++) {
            byte[] payload = data(sent, 4097 + (i % 3) * 1001);
            forge(seq, null, payload, TcpSegment.MIN_HEADER_LENGTH + (i * 131) % payload.length);
            forge(seq, null, payload, -1);
            expected.write(payload, 0, payload.length);
            seq += payload.length;
            sent += payload.length;
        }
        assertThat(received.size()).isEqualTo(sent);
        assertThat(Arrays.equals(received.toByteArray(), expected.toByteArray())).isTrue();
        assertThat(server.rcvNxtForTest()).isEqualTo(seq);
        assertThat(b.counters().get("tcp.rx.drop.bad_checksum")).isPositive();
    }

    @Test
    void anIntactSegmentThatIsRejectedLaterLeavesNoBytesBehind() {
        // PAWS (RFC 7323 §5.3) drops this one although its checksum is right.
        int ts = server.tsRecentForTest();
        byte[] stale = new byte[5000];
        Arrays.fill(stale, (byte) 'X');
        forge(server.rcvNxtForTest(), ts - 1000, stale, -1);
        assertThat(b.counters().get("tcp.paws_rejected")).isEqualTo(1);
        assertThat(received.size()).isZero();
        byte[] fresh = data(0, 5000);
        forge(server.rcvNxtForTest(), ts + 1, fresh, -1);
        assertThat(received.toByteArray()).isEqualTo(fresh);
    }

    @Test
    void aSegmentThatFailsItsChecksBeforeTheTextIsNeverCopied() {
        // The payload is copied only once the segment is known to carry the next bytes the
        // connection takes: a segment beyond the window, a stale timestamp, or an ACK for data
        // never sent leaves the receive buffer as it was — here, not even allocated.
        assertThat(server.bufferFootprint()).as("nothing received yet: no storage").isZero();
        int rcvNxt = server.rcvNxtForTest();
        int ts = server.tsRecentForTest();
        byte[] payload = data(0, 5000);
        forge(rcvNxt + 1_000_000, null, payload, -1);
        assertThat(b.counters().get("tcp.rx.out_of_window")).isEqualTo(1);
        forge(rcvNxt, ts - 1000, payload, -1);
        assertThat(b.counters().get("tcp.paws_rejected")).isEqualTo(1);
        forgeWithAck(rcvNxt, server.sndNxtForTest() + 100_000, payload);
        assertThat(b.counters().get("tcp.rx.ack_too_new")).isEqualTo(1);
        assertThat(server.bufferFootprint()).as("no segment's bytes were copied").isZero();
        assertThat(server.rcvNxtForTest()).isEqualTo(rcvNxt);

        forge(rcvNxt, ts + 1, payload, -1);
        assertThat(received.toByteArray()).isEqualTo(payload);
    }

    /** Like {@link #forge} with an acknowledgment number of our choice. */
    void forgeWithAck(int seq, int ack, byte[] payload) {
        byte[] f = new byte[14 + 20 + 20 + payload.length];
        System.arraycopy(payload, 0, f, 54, payload.length);
        TcpSegment.write(f, 34, new TcpHeader().ports(client.localPort(), 80)
                .segment(seq, ack, TcpSegment.ACK, 1000), payload.length, A, B);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(20 + 20 + payload.length)
                .identification(99).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(A, B));
        EthernetFrame.write(f, 0, wire.b().mac().bits(), wire.a().mac().bits(), EthernetFrame.TYPE_IPV4);
        wire.a().send(f, 0, f.length);
        loop.runPending();
    }
}
