package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** TCP header and options, byte-exact against segments Linux sent. */
class TcpTest {
    private static final int TCP = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();
    private final TcpOptions opts = new TcpOptions();

    private TcpSegment parse(byte[] f) {
        assertThat(ip.wrap(f, EthernetFrame.HEADER_LENGTH, f.length - EthernetFrame.HEADER_LENGTH).check()).isNull();
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTO_TCP);
        assertThat(tcp.wrap(f, ip.payloadOffset(), ip.payloadLength()).check(ip.source(), ip.destination())).isNull();
        assertThat(opts.parse(tcp)).isNull();
        return tcp;
    }

    /** Rebuilds a captured frame: Ethernet and IP copied, the TCP header written by our code. */
    private static byte[] rebuild(byte[] f, int srcPort, int dstPort, int seq, int ack, int flags, int window,
                                  TcpOptions options, int payloadLength) {
        byte[] built = new byte[f.length];
        System.arraycopy(f, 0, built, 0, TCP);
        int hl = TcpSegment.headerLength(options);
        System.arraycopy(f, TCP + hl, built, TCP + hl, payloadLength);
        int written = TcpSegment.write(built, TCP, new TcpHeader().ports(srcPort, dstPort)
                .segment(seq, ack, flags, window).options(options), payloadLength, Captures.KERNEL_IP, Captures.PEER_IP);
        assertThat(written).isEqualTo(hl);
        return built;
    }

    @Test
    void linuxSyn() {
        byte[] f = Captures.bytes(Captures.TCP_SYN);
        parse(f);
        assertThat(tcp.sourcePort()).isEqualTo(42272);
        assertThat(tcp.destinationPort()).isEqualTo(8080);
        assertThat(tcp.sequenceNumber()).isEqualTo(0x14de4d82);
        assertThat(tcp.acknowledgmentNumber()).isZero();
        assertThat(tcp.dataOffset()).isEqualTo(10);
        assertThat(tcp.headerLength()).isEqualTo(40);
        assertThat(tcp.flags()).isEqualTo(TcpSegment.SYN);
        assertThat(tcp.isSyn()).isTrue();
        assertThat(tcp.isAck()).isFalse();
        assertThat(tcp.window()).isEqualTo(64240);
        assertThat(tcp.checksum()).isEqualTo(0xa3fb);
        assertThat(tcp.urgentPointer()).isZero();
        assertThat(tcp.optionsOffset()).isEqualTo(TCP + 20);
        assertThat(tcp.optionsLength()).isEqualTo(20);
        assertThat(tcp.payloadOffset()).isEqualTo(f.length);
        assertThat(tcp.payloadLength()).isZero();
        assertThat(tcp.sequenceLength()).isEqualTo(1);

        assertThat(opts.hasMss()).isTrue();
        assertThat(opts.mss()).isEqualTo(1460);
        assertThat(opts.sackPermitted()).isTrue();
        assertThat(opts.hasTimestamps()).isTrue();
        assertThat(opts.tsVal()).isEqualTo(0x9924d412);
        assertThat(opts.tsEcr()).isZero();
        assertThat(opts.hasWindowScale()).isTrue();
        assertThat(opts.windowScale()).isEqualTo(10);
        assertThat(opts.sackBlockCount()).isZero();

        TcpOptions o = new TcpOptions().setMss(1460).setSackPermitted(true).setTimestamps(0x9924d412, 0).setWindowScale(10);
        assertThat(rebuild(f, 42272, 8080, 0x14de4d82, 0, TcpSegment.SYN, 64240, o, 0)).isEqualTo(f);
    }

    @Test
    void linuxSynAck() {
        byte[] f = Captures.bytes(Captures.TCP_SYN_ACK);
        parse(f);
        assertThat(tcp.hasFlags(TcpSegment.SYN | TcpSegment.ACK)).isTrue();
        assertThat(tcp.hasFlags(TcpSegment.SYN | TcpSegment.FIN)).isFalse();
        assertThat(tcp.acknowledgmentNumber()).isEqualTo(1001);
        assertThat(Integer.toUnsignedLong(tcp.sequenceNumber())).isEqualTo(0xe1fa90abL);
        assertThat(opts.tsVal()).isEqualTo(0x01c29033);
        assertThat(opts.tsEcr()).isEqualTo(12345);
        TcpOptions o = new TcpOptions().setMss(1460).setSackPermitted(true).setTimestamps(0x01c29033, 12345).setWindowScale(10);
        assertThat(rebuild(f, 7777, 40002, 0xe1fa90ab, 1001, TcpSegment.SYN | TcpSegment.ACK, 65160, o, 0)).isEqualTo(f);
    }

    @Test
    void linuxDataSegmentWithTimestampsAndPayload() {
        // Build what Linux would send with 3 payload bytes, then parse it back.
        byte[] f = new byte[TCP + 32 + 3];
        System.arraycopy(Captures.bytes(Captures.TCP_ACK_SACK_1), 0, f, 0, TCP);
        f[TCP + 32] = 'h';
        f[TCP + 33] = 'i';
        f[TCP + 34] = '\n';
        TcpOptions o = new TcpOptions().setTimestamps(7, 8);
        int hl = TcpSegment.write(f, TCP, new TcpHeader().ports(1, 2)
                .segment(-5, 9, TcpSegment.PSH | TcpSegment.ACK, 500).options(o), 3, 11, 12);
        assertThat(hl).isEqualTo(32);
        assertThat(Arrays.copyOfRange(f, TCP + 20, TCP + 32)).isEqualTo(Captures.bytes("0101080a0000000700000008"));
        assertThat(tcp.wrap(f, TCP, 35).check(11, 12)).isNull();
        assertThat(tcp.sequenceNumber()).isEqualTo(-5);
        assertThat(tcp.payloadOffset()).isEqualTo(TCP + 32);
        assertThat(tcp.payloadLength()).isEqualTo(3);
        assertThat(tcp.sequenceLength()).isEqualTo(3);
        assertThat(tcp.check(11, 13)).as("pseudo-header covers the addresses").isEqualTo(Malformed.BAD_CHECKSUM);
    }

    @Test
    void linuxDuplicateAckWithOneSackBlock() {
        byte[] f = Captures.bytes(Captures.TCP_ACK_SACK_1);
        parse(f);
        assertThat(tcp.flags()).isEqualTo(TcpSegment.ACK);
        assertThat(tcp.acknowledgmentNumber()).isEqualTo(1001);
        assertThat(opts.hasMss()).isFalse();
        assertThat(opts.hasWindowScale()).isFalse();
        assertThat(opts.sackPermitted()).isFalse();
        assertThat(opts.hasTimestamps()).isTrue();
        assertThat(opts.sackBlockCount()).isEqualTo(1);
        assertThat(opts.sackLeft(0)).isEqualTo(1101);
        assertThat(opts.sackRight(0)).isEqualTo(1111);
        TcpOptions o = new TcpOptions().setTimestamps(0x01c5c1da, 0x303a).addSackBlock(1101, 1111);
        assertThat(rebuild(f, 7777, 40002, 0xa4a3668e, 1001, TcpSegment.ACK, 64, o, 0)).isEqualTo(f);
    }

    @Test
    void linuxDuplicateAckWithTwoSackBlocksNewestFirst() {
        byte[] f = Captures.bytes(Captures.TCP_ACK_SACK_2);
        parse(f);
        assertThat(opts.sackBlockCount()).isEqualTo(2);
        assertThat(opts.sackLeft(0)).isEqualTo(1201);
        assertThat(opts.sackRight(0)).isEqualTo(1211);
        assertThat(opts.sackLeft(1)).isEqualTo(1101);
        assertThat(opts.sackRight(1)).isEqualTo(1111);
        TcpOptions o = new TcpOptions().setTimestamps(0x01c5c308, 0x303a).addSackBlock(1201, 1211).addSackBlock(1101, 1111);
        assertThat(rebuild(f, 7777, 40002, 0xa4a3668e, 1001, TcpSegment.ACK, 64, o, 0)).isEqualTo(f);
    }

    @Test
    void sackPermittedWithoutTimestampsAndNoOptionsAtAll() {
        byte[] b = new byte[8];
        int n = new TcpOptions().setSackPermitted(true).write(b, 0);
        assertThat(Arrays.copyOf(b, n)).isEqualTo(Captures.bytes("01010402"));
        assertThat(new TcpOptions().encodedLength()).isZero();
        assertThat(TcpSegment.headerLength(null)).isEqualTo(20);
    }

    @Test
    void sackBlocksThatDoNotFitAreDroppedFromTheEnd() {
        TcpOptions o = new TcpOptions().setTimestamps(1, 2);
        for (int i = 0; i < 4; i++) {
            o.addSackBlock(100 * i, 100 * i + 10);
        }
        // 12 (timestamps) + 4 + 3 * 8 = 40: the fourth block has no room.
        assertThat(o.encodedLength()).isEqualTo(40);
        byte[] b = new byte[40];
        assertThat(o.write(b, 0)).isEqualTo(40);
        TcpOptions back = new TcpOptions();
        assertThat(back.parse(b, 0, 40)).isNull();
        assertThat(back.sackBlockCount()).isEqualTo(3);
        assertThat(back.sackLeft(2)).isEqualTo(200);
        // Without timestamps all four fit: 4 + 32 = 36.
        o.clear();
        for (int i = 0; i < 4; i++) {
            o.addSackBlock(i, i + 1);
        }
        assertThat(o.encodedLength()).isEqualTo(36);
        assertThatThrownBy(() -> o.addSackBlock(9, 10)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unknownOptionsAreSkippedAndEndOfListStopsParsing() {
        // kind 30 (MPTCP) with 4 data bytes, then MSS, EOL, then junk that must be ignored.
        byte[] b = Captures.bytes("1e06aabbccdd" + "02040218" + "00" + "ff00");
        assertThat(opts.parse(b, 0, b.length)).isNull();
        assertThat(opts.hasMss()).isTrue();
        assertThat(opts.mss()).isEqualTo(536);
        assertThat(TcpOptions.validate(b, 0, b.length)).isNull();
    }

    @Test
    void knownOptionsWithTheWrongLengthAreIgnoredNotTrusted() {
        byte[] b = Captures.bytes("020300" + "0304" + "0e00" + "080402ff" + "0503000000");
        assertThat(opts.parse(b, 0, b.length)).isNull();
        assertThat(opts.hasMss()).isFalse();
        assertThat(opts.hasWindowScale()).isFalse();
        assertThat(opts.hasTimestamps()).isFalse();
        assertThat(opts.sackBlockCount()).isZero();
    }

    @Test
    void parsingClearsWhatAPreviousSegmentLeft() {
        parse(Captures.bytes(Captures.TCP_SYN));
        assertThat(opts.hasMss()).isTrue();
        parse(Captures.bytes(Captures.TCP_ACK_SACK_1));
        assertThat(opts.hasMss()).isFalse();
        assertThat(opts.sackPermitted()).isFalse();
        assertThat(opts.toString()).isEqualTo("TcpOptions[ts=29737434/12346 sack=1101-1111]");
    }
}
