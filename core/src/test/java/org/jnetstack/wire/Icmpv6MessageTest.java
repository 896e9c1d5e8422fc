package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.Ipv6Frames.PAYLOAD;

import org.junit.jupiter.api.Test;

/** ICMPv6 (RFC 4443) against Linux captures: parse, rebuild byte for byte, checksum both ways. */
class Icmpv6MessageTest {
    private final Icmpv6Message m = new Icmpv6Message();

    @Test
    void echoRequestParsesAndRebuildsByteForByte() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.ECHO_REQUEST);
        Ipv6Packet ip = Ipv6Frames.ip(f);
        assertThat(ip.nextHeader()).isEqualTo(Ipv6Packet.NH_ICMPV6);
        assertThat(Ipv6Frames.icmpCheck(m, f, PAYLOAD)).isNull();
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_ECHO_REQUEST);
        assertThat(m.code()).isZero();
        assertThat(m.checksum()).isEqualTo(0xc86f);
        assertThat(m.identifier()).isEqualTo(0x5fc6);
        assertThat(m.sequence()).isEqualTo(1);
        assertThat(m.echoDataOffset()).isEqualTo(PAYLOAD + 8);
        assertThat(m.echoDataLength()).isEqualTo(16);
        assertThat(m.bodyOffset()).isEqualTo(PAYLOAD + 4);
        assertThat(m.bodyLength()).isEqualTo(20);

        byte[] built = Ipv6Frames.headersOf(f);
        int n = Icmpv6Message.writeEcho(built, PAYLOAD, Icmpv6Message.TYPE_ECHO_REQUEST, 0x5fc6, 1, f, PAYLOAD + 8, 16);
        assertThat(n).isEqualTo(24);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void echoReplyIsBuiltFromTheRequestAsTheKernelBuildsIt() {
        byte[] req = Ipv6Captures.bytes(Ipv6Captures.ECHO_REQUEST);
        byte[] reply = Ipv6Captures.bytes(Ipv6Captures.ECHO_REPLY);
        Ipv6Frames.icmpCheck(m, req, PAYLOAD);
        byte[] built = Ipv6Frames.headersOf(reply);
        Icmpv6Message.writeEcho(built, PAYLOAD, Icmpv6Message.TYPE_ECHO_REPLY, m.identifier(), m.sequence(),
                req, m.echoDataOffset(), m.echoDataLength());
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(reply);
        assertThat(Ipv6Frames.icmpCheck(m, reply, PAYLOAD)).isNull();
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_ECHO_REPLY);
    }

    @Test
    void portUnreachableQuotesTheWholeInvokingPacket() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.PORT_UNREACHABLE);
        assertThat(Ipv6Frames.icmpCheck(m, f, PAYLOAD)).isNull();
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_DEST_UNREACHABLE);
        assertThat(Icmpv6Message.isError(m.type())).isTrue();
        assertThat(m.code()).isEqualTo(Icmpv6Message.CODE_PORT_UNREACHABLE);
        assertThat(m.quotedOffset()).isEqualTo(PAYLOAD + 8);
        assertThat(m.quotedLength()).isEqualTo(40 + 8 + 4);
        Ipv6Packet quoted = new Ipv6Packet().wrap(f, m.quotedOffset(), m.quotedLength());
        assertThat(quoted.check()).isNull();
        assertThat(quoted.nextHeader()).isEqualTo(Ipv6Packet.NH_UDP);
        assertThat(quoted.sourceLo()).isEqualTo(Ipv6Captures.A_LO);
        assertThat(quoted.destinationLo()).isEqualTo(Ipv6Captures.B_LO);
        assertThat(Bytes.u16(f, quoted.payloadOffset() + 2)).isEqualTo(9);

        // Rebuild: the invoking datagram is written from scratch (A's UDP "ping" to port 9), then quoted.
        byte[] udpPacket = new byte[52];
        Ipv6Packet.writeHeader(udpPacket, 0, new Ipv6Header().flowLabel(quoted.flowLabel()).payloadLength(12)
                .nextHeader(Ipv6Packet.NH_UDP).hopLimit(64).source(Ipv6Captures.A_HI, Ipv6Captures.A_LO)
                .destination(Ipv6Captures.B_HI, Ipv6Captures.B_LO));
        UdpDatagram.writeHeader(udpPacket, 40, 40001, 9, 4);
        udpPacket[48] = 'p';
        udpPacket[49] = 'i';
        udpPacket[50] = 'n';
        udpPacket[51] = 'g';
        Bytes.putU16(udpPacket, 46, Checksum.finish(Checksum.partial(udpPacket, 40, 12,
                Checksum.pseudoHeader6(Ipv6Captures.A_HI, Ipv6Captures.A_LO, Ipv6Captures.B_HI, Ipv6Captures.B_LO, 17, 12))));
        byte[] built = Ipv6Frames.headersOf(f);
        int n = Icmpv6Message.writeError(built, PAYLOAD, Icmpv6Message.TYPE_DEST_UNREACHABLE,
                Icmpv6Message.CODE_PORT_UNREACHABLE, 0, udpPacket, 0, 52);
        assertThat(n).isEqualTo(60);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void packetTooBigAndParameterProblemCarryTheirThirtyTwoBitField() {
        byte[] quoted = Ipv6Captures.bytes(Ipv6Captures.ECHO_REQUEST);
        byte[] b = new byte[8 + 64];
        int n = Icmpv6Message.writeError(b, 0, Icmpv6Message.TYPE_PACKET_TOO_BIG, 0, 0xFFFF_FFF0L, quoted, 14, 64);
        Icmpv6Message.writeChecksum(b, 0, n, 1, 2, 3, 4);
        assertThat(m.wrap(b, 0, n).check(1, 2, 3, 4)).isNull();
        assertThat(m.mtu()).isEqualTo(0xFFFF_FFF0L);
        assertThat(m.quotedLength()).isEqualTo(64);
        Icmpv6Message.writeError(b, 0, Icmpv6Message.TYPE_PARAMETER_PROBLEM, Icmpv6Message.CODE_UNRECOGNIZED_OPTION, 42,
                quoted, 14, 64);
        Icmpv6Message.writeChecksum(b, 0, n, 1, 2, 3, 4);
        assertThat(m.wrap(b, 0, n).check(1, 2, 3, 4)).isNull();
        assertThat(m.pointer()).isEqualTo(42);
        assertThat(m.code()).isEqualTo(2);
        assertThat(Icmpv6Message.MAX_QUOTED).isEqualTo(1232);
    }

    @Test
    void checksumCoversThePseudoHeaderAndEveryByte() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.PORT_UNREACHABLE);
        Ipv6Packet ip = Ipv6Frames.ip(f);
        int len = f.length - PAYLOAD;
        m.wrap(f, PAYLOAD, len);
        // Another destination, source, or a length other than the message's: the pseudo-header differs.
        assertThat(m.check(ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo() + 1)).isEqualTo(Malformed.BAD_CHECKSUM);
        assertThat(m.check(ip.sourceHi() ^ 1L << 40, ip.sourceLo(), ip.destinationHi(), ip.destinationLo())).isEqualTo(Malformed.BAD_CHECKSUM);
        // Every single-bit change in the message is caught.
        for (int i = PAYLOAD; i < f.length; i++) {
            f[i] ^= 0x10;
            assertThat(m.check(ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo())).as("byte %d", i)
                    .isEqualTo(Malformed.BAD_CHECKSUM);
            f[i] ^= 0x10;
        }
        // Recomputing the checksum gives the kernel's value back.
        int kernels = m.checksum();
        Icmpv6Message.writeChecksum(f, PAYLOAD, len, ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo());
        assertThat(m.checksum()).isEqualTo(kernels).isEqualTo(0xf754);
    }

    @Test
    void aMessageShorterThanItsTypeNeedsIsTruncated() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.ECHO_REQUEST);
        assertThat(m.wrap(f, PAYLOAD, 3).check(0, 0, 0, 0)).isEqualTo(Malformed.TRUNCATED);
        assertThat(m.wrap(f, PAYLOAD, 7).check(0, 0, 0, 0)).isEqualTo(Malformed.TRUNCATED);
        byte[] ns = Ipv6Captures.bytes(Ipv6Captures.NEIGHBOR_SOLICITATION);
        assertThat(m.wrap(ns, PAYLOAD, 23).check(0, 0, 0, 0)).isEqualTo(Malformed.TRUNCATED);
        assertThat(Icmpv6Message.minimumLength(Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT)).isEqualTo(16);
        assertThat(Icmpv6Message.minimumLength(Icmpv6Message.TYPE_REDIRECT)).isEqualTo(40);
        assertThat(Icmpv6Message.minimumLength(200)).isEqualTo(4);
        // An error type we do not know still has the error format (RFC 4443 §2.1): 8 bytes at least.
        assertThat(Icmpv6Message.minimumLength(42)).isEqualTo(8);
        f[PAYLOAD] = 42;
        assertThat(m.wrap(f, PAYLOAD, 7).check(0, 0, 0, 0)).isEqualTo(Malformed.TRUNCATED);
        // Accessors of a short view stay inside it.
        m.wrap(f, PAYLOAD, 5);
        assertThat(m.quotedOffset() + m.quotedLength()).isEqualTo(PAYLOAD + 5);
        assertThat(m.echoDataOffset() + m.echoDataLength()).isEqualTo(PAYLOAD + 5);
        assertThat(Icmpv6Message.isError(127)).isTrue();
        assertThat(Icmpv6Message.isError(128)).isFalse();
    }
}
