package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TracerTest {
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:02");

    private final List<String> lines = new ArrayList<>();
    private EventLoop loop;
    private Tracer a;
    private VirtualWire wire;

    @BeforeEach
    void setUp() {
        loop = EventLoop.virtual();
        wire = new VirtualWire();
        a = Tracer.wrap(wire.a(), lines::add);
        DeviceAttachment.attach(loop, a, (buf, off, len) -> { });
        DeviceAttachment.attach(loop, wire.b(), (buf, off, len) -> { });
    }

    private String traceSent(byte[] f) {
        lines.clear();
        a.send(f, 0, f.length);
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    @Test
    void arpRequestAndReplyReadLikeTcpdump() {
        assertThat(traceSent(TestFrames.arpRequest(A, "10.0.0.2", "10.0.0.1")))
                .isEqualTo("00:00:00.000000 a tx 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ARP who-has 10.0.0.1 tell 10.0.0.2");
        byte[] reply = TestFrames.arpRequest(A, "10.0.0.2", "10.0.0.1");
        TestFrames.put16(reply, 20, 2);
        MacAddress.write(reply, 0, B.bits());
        assertThat(traceSent(reply)).endsWith("02:00:00:00:00:02 ARP reply 10.0.0.2 is-at 02:00:00:00:00:01");
    }

    @Test
    void icmpEchoShowsIdSeqAndLength() {
        byte[] echo = TestFrames.icmpEchoRequest(A, B, "10.0.0.2", "10.0.0.1", 1, 3, new byte[56]);
        assertThat(traceSent(echo)).isEqualTo("00:00:00.000000 a tx 02:00:00:00:00:01 > 02:00:00:00:00:02 "
                + "IP 10.0.0.2 > 10.0.0.1: ICMP echo request id 1 seq 3, length 64");
    }

    @Test
    void udpShowsPortsAndPayloadLength() {
        byte[] f = TestFrames.ipv4(A, B, "10.0.0.2", "10.0.0.1", 17, TestFrames.udp(40000, 53, 29));
        assertThat(traceSent(f)).endsWith("IP 10.0.0.2.40000 > 10.0.0.1.53: UDP, length 29");
    }

    @Test
    void tcpShowsFlagsSeqAckWindowAndLength() {
        byte[] syn = TestFrames.ipv4(A, B, "10.0.0.2", "10.0.0.1", 6,
                TestFrames.tcp(40000, 80, 3_000_000_000L, 0, 0x02, 64240, 0));
        assertThat(traceSent(syn)).endsWith("IP 10.0.0.2.40000 > 10.0.0.1.80: Flags [S], seq 3000000000, win 64240, length 0");
        byte[] data = TestFrames.ipv4(A, B, "10.0.0.2", "10.0.0.1", 6,
                TestFrames.tcp(40000, 80, 1001, 5001, 0x18, 502, 100));
        assertThat(traceSent(data)).endsWith("Flags [P.], seq 1001, ack 5001, win 502, length 100");
        byte[] finAck = TestFrames.ipv4(A, B, "10.0.0.2", "10.0.0.1", 6, TestFrames.tcp(1, 2, 7, 8, 0x11, 0, 0));
        assertThat(traceSent(finAck)).contains("Flags [F.]");
    }

    @Test
    void malformedHeadersShowTheReasonInsteadOfThrowing() {
        byte[] echo = TestFrames.icmpEchoRequest(A, B, "10.0.0.2", "10.0.0.1", 1, 3, new byte[8]);
        echo[14 + 10] ^= 0x55; // break the IPv4 header checksum
        assertThat(traceSent(echo)).endsWith("IP [bad_checksum], length 36");
        byte[] runt = new byte[20];
        MacAddress.write(runt, 0, B.bits());
        TestFrames.put16(runt, 12, 0x0800);
        assertThat(traceSent(runt)).endsWith("IP [truncated], length 6");
        assertThat(traceSent(TestFrames.ethernet(B.bits(), A.bits(), 0x88b5, 0))).endsWith("ethertype 0x88b5, length 46");
    }

    @Test
    void receivedFramesAreTracedAsRxWithTheLoopTime() {
        byte[] f = TestFrames.arpRequest(B, "10.0.0.1", "10.0.0.2");
        loop.schedule(1_234_567_000L, () -> wire.b().send(f, 0, f.length));
        loop.runFor(2_000_000_000L);
        assertThat(lines).containsExactly(
                "00:00:01.234567 a rx 02:00:00:00:00:02 > ff:ff:ff:ff:ff:ff ARP who-has 10.0.0.2 tell 10.0.0.1");
    }

    @Test
    void fragmentsAfterTheFirstShowIdAndOffset() {
        byte[] f = TestFrames.ipv4(A, B, "10.0.0.2", "10.0.0.1", 17, new byte[100]);
        TestFrames.put16(f, 14 + 6, 0x2000 | 185); // MF, offset 185*8 = 1480
        TestFrames.put16(f, 14 + 10, 0);
        TestFrames.put16(f, 14 + 10, TestFrames.checksum(f, 14, 20));
        assertThat(traceSent(f)).endsWith("IP 10.0.0.2 > 10.0.0.1: fragment id 257 offset 1480+, length 100");
    }
}
