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

    /** A fragment of {@code len} bytes at {@code offset} of datagram {@code id}; the last one unless {@code more}. */
    static byte[] fragment(int src, int id, int offset, int len, boolean more) {
        byte[] f = new byte[14 + 20 + len];
        EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(20 + len)
                .identification(id).flagsAndOffset((more ? Ipv4Packet.FLAG_MF : 0) | (offset >>> 3))
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(src, B));
        return f;
    }

    @Test
    void aFragmentEndingBeyondTheLargestDatagramIsDroppedNotHeld() {
        // RFC 791: a datagram is at most 65535 bytes with its header. Data ending at byte 65535 of
        // the payload passes the codec's check, but with a 20-byte header the datagram would be
        // 65555 bytes, and its total length field would wrap around.
        NetStack b = stack(StackConfig.defaults());
        inject(fragment(FLOODER, 1, 65528, 7, false));
        Reassembly r = b.ipv4().reassembly();
        assertThat(r.datagramsInFlight()).isZero();
        assertThat(r.bytesHeld()).isZero();
        assertThat(b.counters().get("ip.frag.drop.bad_length")).isEqualTo(1);
        assertThat(b.counters().get("ip.frag.rx")).as("still counted as a fragment").isEqualTo(1);
        // The last byte a 20-byte header leaves room for is still taken.
        inject(fragment(FLOODER, 2, 65512, 3, false));
        assertThat(r.datagramsInFlight()).isEqualTo(1);
    }

    @Test
    void aDatagramLongerThan65535WithItsFirstHeaderIsNotDelivered() {
        // The first fragment's header has 40 bytes of options; the last fragment's 20-byte header
        // lets it end at 65515, so the whole would be 40 + 20 + 65515 bytes: dropped, counted.
        NetStack b = stack(StackConfig.defaults());
        UdpEndpoint ep = b.udp().open(7, null);
        byte[] first = new byte[14 + 60 + 1440];
        EthernetFrame.write(first, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(first, 14, new Ipv4Header().tos(0).totalLength(60 + 1440)
                .identification(9).flagsAndOffset(Ipv4Packet.FLAG_MF)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(OTHER, B));
        first[14] = 0x4F; // IHL 15: 40 bytes of options (zero: end of option list)
        byte[] hdr = java.util.Arrays.copyOfRange(first, 14, 14 + 60);
        hdr[10] = 0;
        hdr[11] = 0;
        int sum = org.jnetstack.wire.Checksum.compute(hdr, 0, 60);
        first[24] = (byte) (sum >>> 8);
        first[25] = (byte) sum;
        UdpDatagram.writeHeader(first, 74, 5000, 7, 1000);
        inject(first);
        for (int offset = 1440; offset < 65512; offset += 1480) {
            int len = Math.min(1480, 65512 - offset);
            inject(fragment(OTHER, 9, offset, len, true));
        }
        inject(fragment(OTHER, 9, 65512, 3, false));
        Reassembly r = b.ipv4().reassembly();
        assertThat(r.datagramsInFlight()).isZero();
        assertThat(r.bytesHeld()).isZero();
        assertThat(b.counters().get("ip.frag.reassembled")).isZero();
        assertThat(b.counters().get("ip.frag.drop.inconsistent")).isEqualTo(1);
        assertThat(b.counters().get("ip.frag.rx")).isEqualTo(46);
        assertThat(ep.poll()).isNull();
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    @Test
    void theBookkeepingOfManyTinyFragmentsWithGapsIsChargedToo() {
        // 2049 fragments of 8 bytes, each 8 bytes after the last one's end: they never merge, so
        // each is a range held — 8 bytes of bookkeeping apiece, besides the 48 KiB data buffer.
        // With the bookkeeping charged, the source's 56 KiB share runs out before the last one.
        NetStack b = stack(StackConfig.defaults().toBuilder().reassemblyPerSource(8, 56 * 1024).build());
        Reassembly r = b.ipv4().reassembly();
        for (int offset = 0; offset <= 32768; offset += 16) {
            inject(fragment(FLOODER, 5, offset, 8, true));
            assertThat(r.bytesFrom(FLOODER)).isLessThanOrEqualTo(56 * 1024);
        }
        assertThat(b.counters().get("ip.frag.drop.source_limit")).isEqualTo(1);
        assertThat(b.ipv4().memory().used()).isEqualTo(r.bytesHeld());
    }

    @Test
    void fragmentsOfOneDatagramArrivingOnTwoInterfacesAreReassembled() {
        // RFC 791 §3.2 and RFC 815 tell fragments apart by source, destination, protocol and
        // identification: a multi-homed host may get them over different links (asymmetric or
        // load-shared routes), and they still make one datagram.
        NetStack b = stack(StackConfig.defaults());
        TestPort[] second = TestPort.pair();
        loop.execute(() -> b.addInterface(second[1], new org.jnetstack.wire.MacAddress(0x020000000012L), 1500,
                Ipv4Address.parse("10.0.1.2"), 24));
        loop.runPending();
        second[1].txFilter = f -> false;
        UdpEndpoint ep = b.udp().open(7, null);
        byte[] payload = new byte[24];
        payload[5] = 42;
        byte[][] frames = twoFragments(OTHER, 11, payload);
        EthernetFrame.write(frames[1], 0, 0x020000000012L, MAC_A, EthernetFrame.TYPE_IPV4); // to the second interface
        inject(frames[0]);
        second[0].send(frames[1], 0, frames[1].length);
        loop.runPending();
        Datagram d = ep.poll();
        assertThat(d).as("reassembled from both links").isNotNull();
        assertThat(d.data()).isEqualTo(payload);
        assertThat(b.ipv4().reassembly().datagramsInFlight()).isZero();
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
