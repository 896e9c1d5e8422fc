package org.jnetstack.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

/** Receive-path rules of Ethernet, ARP, IPv4, ICMP and UDP, driven by hand-built frames. */
class IpLayerTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");
    static final long MAC_A = 0x020000000001L;
    static final long MAC_B = 0x020000000002L;

    final EventLoop loop = EventLoop.virtual();
    final TestPort[] pipe = TestPort.pair();
    final List<byte[]> sentByB = new ArrayList<>();
    NetStack b;

    /** Builds b with the given config; tests that need non-default settings call it first. */
    NetStack stack(StackConfig cfg) {
        b = NetStack.builder(loop).name("b").device(pipe[1]).address("10.0.0.2/24").seed(2).config(cfg).build();
        pipe[1].txFilter = f -> { sentByB.add(f); return false; };
        loop.runPending();
        sentByB.clear(); // the gratuitous ARP
        return b;
    }

    @org.junit.jupiter.api.BeforeEach
    void defaultStack(org.junit.jupiter.api.TestInfo info) {
        if (!info.getTags().contains("custom")) {
            stack(StackConfig.defaults());
        }
    }

    void knowA() {
        b.iface().neighbors().putStatic(A, new org.jnetstack.wire.MacAddress(MAC_A));
    }

    /** Delivers a frame to b as if sent by a. */
    void inject(byte[] frame) {
        pipe[1].injectReceived(frame);
        loop.runPending();
    }

    static byte[] udpFrame(long dstMac, int src, int dst, int sport, int dport, byte[] payload) {
        byte[] f = new byte[14 + 20 + 8 + payload.length];
        EthernetFrame.write(f, 0, dstMac, MAC_A, EthernetFrame.TYPE_IPV4);
        System.arraycopy(payload, 0, f, 42, payload.length);
        UdpDatagram.writeHeader(f, 34, sport, dport, payload.length);
        UdpDatagram.fillChecksum(f, 34, 8 + payload.length, src, dst);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(28 + payload.length)
                .identification(1).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(src, dst));
        return f;
    }

    static byte[] echoFrame(int src, int dst, int seq) {
        byte[] f = new byte[14 + 20 + 8 + 16];
        EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        IcmpMessage.writeHeader(f, 34, IcmpMessage.TYPE_ECHO_REQUEST, 0, (1 << 16) | seq);
        IcmpMessage.fillChecksum(f, 34, 24);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(44)
                .identification(seq).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_ICMP).addresses(src, dst));
        return f;
    }

    long counter(String name) {
        return b.counters().get(name);
    }

    @Test
    void malformedFramesAreDroppedWithTheirReason() {
        inject(new byte[10]);
        assertThat(counter("eth.rx.drop.truncated")).isEqualTo(1);

        byte[] vlan = udpFrame(MAC_B, A, B, 1, 2, new byte[4]);
        vlan[12] = (byte) 0x81;
        vlan[13] = 0;
        inject(vlan);
        assertThat(counter("eth.rx.drop.vlan_tagged")).isEqualTo(1);

        inject(udpFrame(0x020000000099L, A, B, 1, 2, new byte[4]));
        assertThat(counter("eth.rx.drop.not_for_us")).isEqualTo(1);

        byte[] unknown = udpFrame(MAC_B, A, B, 1, 2, new byte[4]);
        unknown[12] = (byte) 0x88; // 0x88B5, IEEE 802 local experimental: no protocol of ours
        unknown[13] = (byte) 0xB5;
        inject(unknown);
        assertThat(counter("eth.rx.drop.unknown_type")).isEqualTo(1);

        byte[] badSum = udpFrame(MAC_B, A, B, 1, 2, new byte[4]);
        badSum[24] ^= 1;
        inject(badSum);
        assertThat(counter("ip.rx.drop.bad_checksum")).isEqualTo(1);

        byte[] badUdpSum = udpFrame(MAC_B, A, B, 1, 2, new byte[4]);
        badUdpSum[45] ^= 1; // a payload byte
        inject(badUdpSum);
        assertThat(counter("udp.rx.drop.bad_checksum")).isEqualTo(1);

        byte[] badLen = udpFrame(MAC_B, A, B, 1, 2, new byte[4]);
        Ipv4Packet.writeHeader(badLen, 14, new Ipv4Header().tos(0).totalLength(200)
                .identification(1).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(A, B));
        inject(badLen);
        assertThat(counter("ip.rx.drop.bad_total_length")).isEqualTo(1);

        inject(udpFrame(MAC_B, A, Ipv4Address.parseBits("10.0.0.77"), 1, 2, new byte[4]));
        assertThat(counter("ip.rx.drop.not_for_us")).isEqualTo(1);

        byte[] arp = new byte[14 + 28];
        EthernetFrame.write(arp, 0, -1L & 0xFFFF_FFFF_FFFFL, MAC_A, EthernetFrame.TYPE_ARP);
        ArpPacket.write(arp, 14, 7, MAC_A, A, 0, B);
        inject(arp);
        assertThat(counter("arp.rx.drop.bad_operation")).isEqualTo(1);

        assertThat(sentByB).isEmpty();
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    @Test
    void portUnreachableQuotesTheDatagramButNotForBroadcasts() {
        knowA();
        inject(udpFrame(MAC_B, A, B, 1000, 9, "x".getBytes()));
        assertThat(sentByB).hasSize(1);
        IcmpMessage m = new IcmpMessage().wrap(sentByB.get(0), 34, sentByB.get(0).length - 34);
        assertThat(m.check()).isNull();
        assertThat(m.type()).isEqualTo(IcmpMessage.TYPE_DEST_UNREACHABLE);
        assertThat(m.code()).isEqualTo(IcmpMessage.CODE_PORT_UNREACHABLE);
        // RFC 792: the quote starts with the offending IPv4 header
        assertThat(Ipv4Address.read(sentByB.get(0), m.payloadOffset() + 12)).isEqualTo(A);
        sentByB.clear();
        inject(udpFrame(-1L & 0xFFFF_FFFF_FFFFL, A, Ipv4Address.parseBits("10.0.0.255"), 1000, 9, "x".getBytes()));
        assertThat(sentByB).isEmpty();
        assertThat(counter("icmp.tx.errors_suppressed")).isEqualTo(1);
    }

    @Test
    @org.junit.jupiter.api.Tag("custom")
    void echoRepliesAreRateLimited() {
        // IPv6 off: its address detection would send a frame of its own during the second waited for.
        NetStack s = stack(StackConfig.defaults().toBuilder().icmpEchoRate(10, 3).ipv6(false).build());
        // b learns a's MAC so replies go out at once
        s.iface().neighbors().putStatic(A, new org.jnetstack.wire.MacAddress(MAC_A));
        for (int i = 0; i < 5; i++) {
            pipe[0].send(echoFrame(A, B, i), 0, echoFrame(A, B, i).length);
        }
        loop.runPending();
        assertThat(sentByB).hasSize(3);
        assertThat(s.counters().get("icmp.tx.echo_replies_rate_limited")).isEqualTo(2);
        loop.runFor(1_000_000_000L); // a second refills the bucket
        inject(echoFrame(A, B, 9));
        assertThat(sentByB).hasSize(4);
        IcmpMessage reply = new IcmpMessage().wrap(sentByB.get(3), 34, 24);
        assertThat(reply.check()).isNull();
        assertThat(reply.type()).isEqualTo(IcmpMessage.TYPE_ECHO_REPLY);
        assertThat(reply.sequence()).isEqualTo(9);
    }

    @Test
    void overlappingFragmentDropsTheDatagram() {
        List<String> got = new ArrayList<>();
        b.udp().open(5000, (ep, s, p, buf, off, len) -> got.add("got " + len));
        inject(fragment(0, true, 16));
        inject(fragment(8, false, 16)); // overlaps bytes 8..16
        assertThat(got).isEmpty();
        assertThat(counter("ip.frag.drop.overlap")).isEqualTo(1);
        assertThat(b.ipv4().reassembly().bytesHeld()).isZero();
    }

    @Test
    @org.junit.jupiter.api.Tag("custom")
    void reassemblyBoundsDatagramsInFlight() {
        NetStack s = stack(StackConfig.defaults().toBuilder().reassemblyMaxDatagrams(2).build());
        for (int id = 1; id <= 3; id++) {
            byte[] f = fragment(0, true, 16);
            f[18] = 0;
            f[19] = (byte) id;
            Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(36)
                    .identification(id).flagsAndOffset(Ipv4Packet.FLAG_MF)
                    .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(A, B));
            inject(f);
        }
        assertThat(s.ipv4().reassembly().datagramsInFlight()).isEqualTo(2);
        assertThat(s.counters().get("ip.frag.drop.limit")).isEqualTo(1);
    }

    /** A fragment of a UDP datagram (id 42) carrying {@code len} bytes at {@code offset}. */
    static byte[] fragment(int offset, boolean more, int len) {
        byte[] f = new byte[14 + 20 + len];
        EthernetFrame.write(f, 0, MAC_B, MAC_A, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(20 + len)
                .identification(42).flagsAndOffset((more ? Ipv4Packet.FLAG_MF : 0) | (offset >>> 3))
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(A, B));
        return f;
    }

    @Test
    void arpRepliesToRequestsForUsAndWarnsOnConflict() {
        byte[] req = new byte[14 + 28];
        EthernetFrame.write(req, 0, 0xFFFF_FFFF_FFFFL, MAC_A, EthernetFrame.TYPE_ARP);
        ArpPacket.write(req, 14, ArpPacket.OP_REQUEST, MAC_A, A, 0, B);
        inject(req);
        assertThat(sentByB).hasSize(1);
        ArpPacket reply = new ArpPacket().wrap(sentByB.get(0), 14, 28);
        assertThat(reply.check()).isNull();
        assertThat(reply.operation()).isEqualTo(ArpPacket.OP_REPLY);
        assertThat(reply.senderIp()).isEqualTo(B);
        assertThat(reply.senderMac()).isEqualTo(MAC_B);
        assertThat(reply.targetMac()).isEqualTo(MAC_A);
        assertThat(sentByB.get(0)).hasSize(60); // padded to the Ethernet minimum
        assertThat(b.iface().neighbors().lookup(A)).isEqualTo(MAC_A);

        // A request for another host is not answered and does not add an entry (RFC 826 merge rule).
        byte[] other = new byte[14 + 28];
        EthernetFrame.write(other, 0, 0xFFFF_FFFF_FFFFL, 0x02000000000CL, EthernetFrame.TYPE_ARP);
        ArpPacket.write(other, 14, ArpPacket.OP_REQUEST, 0x02000000000CL, Ipv4Address.parseBits("10.0.0.12"), 0, A);
        inject(other);
        assertThat(sentByB).hasSize(1);
        assertThat(b.iface().neighbors().lookup(Ipv4Address.parseBits("10.0.0.12"))).isEqualTo(-1);

        // Someone else claims our address.
        byte[] claim = new byte[14 + 28];
        EthernetFrame.write(claim, 0, 0xFFFF_FFFF_FFFFL, 0x02000000000CL, EthernetFrame.TYPE_ARP);
        ArpPacket.write(claim, 14, ArpPacket.OP_REQUEST, 0x02000000000CL, B, 0, B);
        inject(claim);
        assertThat(counter("arp.address_conflicts")).isEqualTo(1);
    }

    @Test
    @org.junit.jupiter.api.Tag("custom")
    void arpEntriesAgeOutAndTheHoldQueueIsBounded() {
        NetStack s = stack(StackConfig.defaults().toBuilder().arpCacheTimeout(Duration.ofSeconds(60)).arpQueuePerAddress(2).build());
        UdpEndpoint ep = s.udp().open(0, (e, x, y, buf, off, len) -> { });
        for (int i = 0; i < 5; i++) {
            ep.send(A, 7, new byte[] {(byte) i}, 0, 1);
        }
        loop.runPending();
        assertThat(s.counters().get("arp.queue.dropped")).isEqualTo(3);
        assertThat(sentByB).hasSize(1); // one ARP request so far
        byte[] reply = new byte[14 + 28];
        EthernetFrame.write(reply, 0, MAC_B, MAC_A, EthernetFrame.TYPE_ARP);
        ArpPacket.write(reply, 14, ArpPacket.OP_REPLY, MAC_A, A, MAC_B, B);
        inject(reply);
        // the two newest datagrams (payload 3 and 4) were held and now go out
        assertThat(sentByB).hasSize(3);
        assertThat(sentByB.get(1)[42]).isEqualTo((byte) 3);
        assertThat(sentByB.get(2)[42]).isEqualTo((byte) 4);
        assertThat(s.iface().neighbors().lookup(A)).isEqualTo(MAC_A);
        loop.runFor(61_000_000_000L);
        assertThat(s.iface().neighbors().lookup(A)).isEqualTo(-1);
        assertThat(s.iface().neighbors().size()).isZero();
    }

    @Test
    void routesUseLongestPrefixAndTheGateway() {
        b.setGateway(Ipv4Address.parse("10.0.0.1"));
        b.iface().neighbors().putStatic(A, new org.jnetstack.wire.MacAddress(MAC_A));
        UdpEndpoint ep = b.udp().open(0, (e, x, y, buf, off, len) -> { });
        ep.send(Ipv4Address.parseBits("192.0.2.9"), 7, new byte[1], 0, 1);
        loop.runPending();
        assertThat(sentByB).hasSize(1);
        EthernetFrame eth = new EthernetFrame().wrap(sentByB.get(0), 0, sentByB.get(0).length);
        assertThat(eth.destination()).isEqualTo(MAC_A); // the gateway's MAC
        assertThat(Ipv4Address.read(sentByB.get(0), 14 + 16)).isEqualTo(Ipv4Address.parseBits("192.0.2.9"));
        b.setGateway(null);
        assertThat(ep.send(Ipv4Address.parseBits("192.0.2.9"), 7, new byte[1], 0, 1)).isFalse();
        assertThat(counter("udp.tx.drop.no_route")).isEqualTo(1);
    }

    @Test
    @org.junit.jupiter.api.Tag("custom")
    void udpQueueOverflowIsCounted() {
        NetStack s = stack(StackConfig.defaults().toBuilder().udpQueue(2, 1000).build());
        UdpEndpoint ep = s.udp().open(4000, null);
        for (int i = 0; i < 4; i++) {
            inject(udpFrame(MAC_B, A, B, 1000, 4000, new byte[] {(byte) i}));
        }
        assertThat(ep.queued()).isEqualTo(2);
        assertThat(ep.droppedCount()).isEqualTo(2);
        assertThat(s.counters().get("udp.rx.drop.queue_full")).isEqualTo(2);
        assertThat(ep.poll().data()).containsExactly(0);
        assertThat(ep.poll().data()).containsExactly(1);
        assertThat(ep.poll()).isNull();
    }

    @Test
    void connectedEndpointFiltersOtherPeers() {
        List<Integer> from = new ArrayList<>();
        UdpEndpoint ep = b.udp().open(4000, (e, src, sport, buf, off, len) -> from.add(sport));
        ep.connect(A, 1111);
        inject(udpFrame(MAC_B, A, B, 2222, 4000, new byte[1]));
        inject(udpFrame(MAC_B, A, B, 1111, 4000, new byte[1]));
        assertThat(from).containsExactly(1111);
        assertThat(counter("udp.rx.drop.not_connected_peer")).isEqualTo(1);
    }

    @Test
    void pingToOwnAddressLoopsBack() {
        List<String> out = new ArrayList<>();
        b.icmp().ping(B, 1, 1, 10, 1_000_000_000L, new PingListener() {
            @Override
            public void onReply(int seq, int fromIp, int ttl, int bytes, long rtt) {
                out.add("reply " + Ipv4Address.format(fromIp));
            }

            @Override
            public void onFailure(int seq, int fromIp, String reason) {
                out.add(reason);
            }
        });
        loop.runUntil(() -> !out.isEmpty(), 2_000_000_000L);
        assertThat(out).containsExactly("reply 10.0.0.2");
        assertThat(sentByB).isEmpty();
    }

    @Test
    void datagramFromTheWireClaimingOurOwnAddressIsDropped() {
        List<Integer> got = new ArrayList<>();
        b.udp().open(7, (ep, src, sport, buf, off, len) -> {
            got.add(len);
            ep.send(src, sport, buf, off, len); // an echo service would answer itself forever
        });
        inject(udpFrame(MAC_B, B, B, 7, 7, new byte[8]));
        loop.runFor(1_000_000_000L);
        assertThat(got).isEmpty();
        assertThat(counter("ip.rx.drop.bad_source")).isEqualTo(1);
    }

    @Test
    @org.junit.jupiter.api.Tag("custom")
    void reassemblyBoundCountsTheMemoryAFragmentForces() {
        NetStack s = stack(StackConfig.defaults().toBuilder().reassemblyMaxBytes(32 * 1024).build());
        inject(fragment(64_000, true, 16)); // 16 bytes, but at the end of a 64 KiB datagram
        assertThat(s.ipv4().reassembly().bytesHeld()).isZero();
        assertThat(s.counters().get("ip.frag.drop.limit")).isEqualTo(1);
        inject(fragment(0, true, 16));
        assertThat(s.ipv4().reassembly().bytesHeld()).isPositive().isLessThanOrEqualTo(32 * 1024);
    }

    @Test
    void staticNeighbourIsNotOverwrittenByArp() {
        knowA();
        byte[] spoof = new byte[14 + 28];
        EthernetFrame.write(spoof, 0, 0xFFFF_FFFF_FFFFL, 0x02000000000CL, EthernetFrame.TYPE_ARP);
        ArpPacket.write(spoof, 14, ArpPacket.OP_REQUEST, 0x02000000000CL, A, 0, B); // "10.0.0.1 is at ...0c"
        inject(spoof);
        assertThat(b.iface().neighbors().lookup(A)).isEqualTo(MAC_A);
        assertThat(b.iface().neighbors().entries()).anySatisfy(e -> assertThat(e.state()).isEqualTo("permanent"));
    }
}
