package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import org.jnetstack.NetStack;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * Bulk TCP at MTU 65535 between two stacks on a {@link VirtualWire}: 64 KiB segments, whose frames
 * change hands on the wire without a copy (the sending stack builds the next one in the buffer it
 * got in exchange), whose checksums are summed while copying out of the send buffer and verified
 * while copying into the receive buffer. The bytes must arrive exactly, corrupted frames included.
 */
class TcpLargeFrameTest {
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire("a", new MacAddress(0x02_00_00_00_00_01L), "b", new MacAddress(0x02_00_00_00_00_02L),
            65535, 1024);

    NetStack b;

    TcpTransferTest.Sink transfer(LinkDevice devB, byte[] data) {
        NetStack a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        b = NetStack.builder(loop).name("b").device(devB).address("10.0.0.2/24").seed(2).build();
        a.iface().neighbors().putStatic(B, wire.b().mac());
        b.iface().neighbors().putStatic(Ipv4Address.parseBits("10.0.0.1"), wire.a().mac());
        TcpTransferTest.Sink sink = new TcpTransferTest.Sink();
        b.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(sink);
            }
        });
        TcpTransferTest.Source src = new TcpTransferTest.Source(data);
        a.tcp().connect(B, 80, src);
        assertThat(loop.runUntil(() -> sink.eof && src.closed, 600 * SECOND)).as("transfer finished").isTrue();
        assertThat(loop.counters().get("loop.errors")).isZero();
        return sink;
    }

    @Test
    void bulkAtMtu65535ArrivesExactly() {
        byte[] data = TcpTransferTest.randomBytes(5_000_001, 7);
        TcpTransferTest.Sink sink = transfer(wire.b(), data);
        assertThat(sink.got.toByteArray()).isEqualTo(data);
        long frames = wire.b().stats().rxFrames.get();
        assertThat(wire.b().stats().rxBytes.get() / frames).as("mostly 64 KiB frames: the exchanged kind").isGreaterThan(16 * 1024);
    }

    @Test
    void corruptedLargeSegmentsAreDroppedAndTheStreamStillArrivesExactly() {
        // Corruption as frames reach b: some 64 KiB segments fail the checksum b verifies while copying.
        LinkDevice devB = FaultInjector.builder().seed(3).rx(FaultProfile.builder().corruption(0.05).build()).wrap(wire.b());
        byte[] data = TcpTransferTest.randomBytes(3_000_000, 9);
        TcpTransferTest.Sink sink = transfer(devB, data);
        assertThat(sink.got.toByteArray()).isEqualTo(data);
        assertThat(b.counters().get("tcp.rx.drop.bad_checksum")).isPositive();
    }
}
