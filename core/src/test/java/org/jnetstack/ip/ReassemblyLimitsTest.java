package org.jnetstack.ip;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.udp.Datagram;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

/**
 * Reassembly's per-source bounds under a fragment flood from one address: the flood is dropped
 * and counted once it has its share, and a datagram from another address still reassembles.
 */
class ReassemblyLimitsTest {
    static final int FLOODER = Ipv4Address.parseBits("10.0.0.1");
    static final int OTHER = Ipv4Address.parseBits("10.0.0.3");
    static final int B = Ipv4Address.parseBits("10.0.0.2");
    static final long MAC_A = 0x020000000001L;
    static final long MAC_B = 0x020000000002L;

    final EventLoop loop = EventLoop.virtual();
    final TestPort[] pipe = TestPort.pair();

    NetStack stack(StackConfig cfg) {
        NetStack b = NetStack.builder(loop).name("b").device(pipe[1]).address("10.0.0.2/24").seed(2).config(cfg).build();
        pipe[1].txFilter = f -> false;
        loop.runPending();
        return b;
    }

    void inject(byte[] frame) {
        pipe[0].send(frame, 0, frame.length);
        loop.runPending();
    }

    /** A first fragment (16 bytes at offset {@code offset}, more to come) of datagram {@code id} from {@code src}. */
    static byte[] fragment(int src, int id, int offset) {
        byte[] f = new byte[14 + 20 + 16];
        EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(36)
                .identification(id).flagsAndOffset(Ipv4Packet.FLAG_MF | (offset >>> 3))
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(src, B));
        return f;
    }

    /** A whole UDP datagram from {@code src} to port 7, 32 bytes, in two fragments of 16. */
    static byte[][] twoFragments(int src, int id, byte[] payload) {
        byte[] whole = new byte[8 + payload.length];
        System.arraycopy(payload, 0, whole, 8, payload.length);
        UdpDatagram.writeHeader(whole, 0, 5000, 7, payload.length);
        UdpDatagram.fillChecksum(whole, 0, whole.length, src, B);
        byte[][] frames = new byte[2][];
        for (int k = 0; k < 2; k++) {
            int len = whole.length / 2;
            byte[] f = new byte[14 + 20 + len];
            EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
            System.arraycopy(whole, k * len, f, 34, len);
            Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(20 + len)
                    .identification(id).flagsAndOffset((k == 0 ? Ipv4Packet.FLAG_MF : 0) | (k * len >>> 3))
                    .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(src, B));
            frames[k] = f;
        }
        return frames;
    }

    @Test
    void aFloodOfDatagramsFromOneSourceTakesOnlyItsShare() {
        NetStack b = stack(StackConfig.defaults().toBuilder().reassemblyPerSource(8, 512 * 1024).build());
        UdpEndpoint ep = b.udp().open(7, null);
        for (int id = 1; id <= 100; id++) {
            inject(fragment(FLOODER, id, 0));
        }
        Reassembly r = b.ipv4().reassembly();
        assertThat(r.datagramsInFlight()).isEqualTo(8);
        assertThat(b.counters().get("ip.frag.drop.source_limit")).isEqualTo(92);
        assertThat(b.counters().get("ip.frag.drop.limit")).as("the global slots were never reached").isZero();

        byte[] payload = "reassembled from another source".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        payload = java.util.Arrays.copyOf(payload, 24);
        for (byte[] f : twoFragments(OTHER, 7, payload)) {
            inject(f);
        }
        Datagram d = ep.poll();
        assertThat(d).as("the other source's datagram").isNotNull();
        assertThat(d.data()).isEqualTo(payload);
        assertThat(b.ipv4().memory().used()).as("reassembly memory charged to the budget").isEqualTo(r.bytesHeld());
    }

    @Test
    void aSourceHoldsNoMoreBytesThanItsShare() {
        NetStack b = stack(StackConfig.defaults().toBuilder().reassemblyPerSource(8, 16 * 1024).build());
        UdpEndpoint ep = b.udp().open(7, null);
        inject(fragment(FLOODER, 1, 8000)); // forces a buffer of about 8 KiB
        inject(fragment(FLOODER, 2, 16000)); // would pass 16 KiB for this source
        Reassembly r = b.ipv4().reassembly();
        assertThat(b.counters().get("ip.frag.drop.source_limit")).isEqualTo(1);
        assertThat(r.bytesFrom(FLOODER)).isPositive().isLessThanOrEqualTo(16 * 1024);

        byte[] payload = new byte[24];
        payload[3] = 9;
        for (byte[] f : twoFragments(OTHER, 3, payload)) {
            inject(f);
        }
        assertThat(ep.poll()).isNotNull();
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    @Test
    void queuedUdpDatagramsAreChargedToTheBudgetAndRefusedBeyondIt() {
        NetStack b = stack(StackConfig.defaults().toBuilder().memoryBudget(4096).build());
        UdpEndpoint ep = b.udp().open(7, null);
        for (int i = 0; i < 5; i++) {
            inject(IpLayerTest.udpFrame(MAC_B, OTHER, B, 5000, 7, new byte[1000]));
        }
        assertThat(ep.queued()).isEqualTo(4);
        assertThat(b.counters().get("udp.rx.drop.memory")).isEqualTo(1);
        assertThat(b.ipv4().memory().used()).isEqualTo(4000);
        ep.poll();
        assertThat(b.ipv4().memory().used()).as("a datagram read gives its bytes back").isEqualTo(3000);
        ep.close();
        assertThat(b.ipv4().memory().used()).as("closing gives the rest back").isZero();
    }
}
