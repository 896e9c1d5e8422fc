package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.DhcpCaptures.bytes;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    private final DhcpMessage msg = new DhcpMessage();
    private final DhcpWriter writer = new DhcpWriter();

    @Test
    void parsesDnsmasqOfferEveryField() {
        byte[] b = bytes(DhcpCaptures.OFFER);
        assertThat(msg.wrap(b, 0, b.length).check()).isNull();
        assertThat(msg.op()).isEqualTo(DhcpMessage.OP_REPLY);
        assertThat(msg.messageType()).isEqualTo(DhcpMessage.OFFER);
        assertThat(msg.xid()).isEqualTo(DhcpCaptures.XID);
        assertThat(msg.broadcastFlag()).isTrue();
        assertThat(msg.clientMac()).isEqualTo(DhcpCaptures.CLIENT_MAC);
        assertThat(msg.yiaddr()).isEqualTo(DhcpCaptures.OFFERED);
        assertThat(msg.siaddr()).isEqualTo(DhcpCaptures.SERVER);
        assertThat(msg.ciaddr()).isZero();
        assertThat(msg.address(DhcpMessage.OPT_SERVER_ID)).isEqualTo(DhcpCaptures.SERVER);
        assertThat(msg.optionU32(DhcpMessage.OPT_LEASE_TIME, -1)).isEqualTo(120);
        assertThat(msg.optionU32(DhcpMessage.OPT_RENEWAL_TIME, -1)).isEqualTo(60);
        assertThat(msg.optionU32(DhcpMessage.OPT_REBINDING_TIME, -1)).isEqualTo(105);
        assertThat(msg.address(DhcpMessage.OPT_SUBNET_MASK)).isEqualTo(0xFFFFFF00);
        assertThat(msg.address(DhcpMessage.OPT_BROADCAST_ADDRESS)).isEqualTo(0x0A6300FF);
        assertThat(msg.addressCount(DhcpMessage.OPT_ROUTER)).isEqualTo(1);
        assertThat(msg.address(DhcpMessage.OPT_ROUTER, 0)).isEqualTo(DhcpCaptures.SERVER);
        assertThat(msg.address(DhcpMessage.OPT_DNS_SERVERS, 0)).isEqualTo(DhcpCaptures.SERVER);
        assertThat(msg.address(DhcpMessage.OPT_DNS_SERVERS, 1)).isZero();
        assertThat(msg.optionU16(DhcpMessage.OPT_INTERFACE_MTU, -1)).isEqualTo(1400);
        assertThat(msg.string(DhcpMessage.OPT_DOMAIN_NAME)).isEqualTo("x.test");
        assertThat(msg.has(DhcpMessage.OPT_HOST_NAME)).isFalse();
        assertThat(msg.string(DhcpMessage.OPT_HOST_NAME)).isNull();
        assertThat(msg.serverName()).isEmpty();
    }

    @Test
    void parsesRequestAsAServerWould() {
        byte[] b = bytes(DhcpCaptures.REQUEST);
        assertThat(msg.wrap(b, 0, b.length).check()).isNull();
        assertThat(msg.messageType()).isEqualTo(DhcpMessage.REQUEST);
        assertThat(msg.address(DhcpMessage.OPT_REQUESTED_ADDRESS)).isEqualTo(DhcpCaptures.OFFERED);
        assertThat(msg.address(DhcpMessage.OPT_SERVER_ID)).isEqualTo(DhcpCaptures.SERVER);
        assertThat(msg.string(DhcpMessage.OPT_HOST_NAME)).isEqualTo("jtest");
        assertThat(msg.requests(DhcpMessage.OPT_DNS_SERVERS)).isTrue();
        assertThat(msg.requests(DhcpMessage.OPT_HOST_NAME)).isFalse();
        byte[] id = {1, 2, 0, 0, 0, 0, 2};
        assertThat(msg.clientIdEquals(id, 0, 7)).isTrue();
        id[6] = 3;
        assertThat(msg.clientIdEquals(id, 0, 7)).isFalse();
    }

    @Test
    void buildsTheClientMessagesByteExact() {
        byte[] out = new byte[600];
        int n = clientStart(out, DhcpMessage.DISCOVER).finish();
        assertThat(Arrays.copyOf(out, n)).isEqualTo(bytes(DhcpCaptures.DISCOVER));

        n = clientStart(out, DhcpMessage.REQUEST)
                .address(DhcpMessage.OPT_REQUESTED_ADDRESS, DhcpCaptures.OFFERED)
                .address(DhcpMessage.OPT_SERVER_ID, DhcpCaptures.SERVER)
                .string(DhcpMessage.OPT_HOST_NAME, "jtest")
                .finish();
        assertThat(Arrays.copyOf(out, n)).isEqualTo(bytes(DhcpCaptures.REQUEST));
    }

    private DhcpWriter clientStart(byte[] out, int type) {
        return writer.start(out, 0, DhcpMessage.OP_REQUEST, DhcpCaptures.XID, DhcpCaptures.CLIENT_MAC)
                .flags(DhcpMessage.FLAG_BROADCAST)
                .messageType(type)
                .clientId(DhcpCaptures.CLIENT_MAC)
                .parameterRequestList(1, 3, 6, 15, 26, 51, 58, 59);
    }

    @Test
    void buildsAServerReplyByteExactWithDnsmasqs() {
        byte[] out = new byte[600];
        for (int type : new int[] {DhcpMessage.OFFER, DhcpMessage.ACK}) {
            int n = writer.start(out, 0, DhcpMessage.OP_REPLY, DhcpCaptures.XID, DhcpCaptures.CLIENT_MAC)
                    .flags(DhcpMessage.FLAG_BROADCAST)
                    .yiaddr(DhcpCaptures.OFFERED)
                    .siaddr(DhcpCaptures.SERVER)
                    .messageType(type)
                    .address(DhcpMessage.OPT_SERVER_ID, DhcpCaptures.SERVER)
                    .optionU32(DhcpMessage.OPT_LEASE_TIME, 120)
                    .optionU32(DhcpMessage.OPT_RENEWAL_TIME, 60)
                    .optionU32(DhcpMessage.OPT_REBINDING_TIME, 105)
                    .address(DhcpMessage.OPT_SUBNET_MASK, 0xFFFFFF00)
                    .address(DhcpMessage.OPT_BROADCAST_ADDRESS, 0x0A6300FF)
                    .addresses(DhcpMessage.OPT_ROUTER, DhcpCaptures.SERVER)
                    .addresses(DhcpMessage.OPT_DNS_SERVERS, DhcpCaptures.SERVER)
                    .optionU16(DhcpMessage.OPT_INTERFACE_MTU, 1400)
                    .string(DhcpMessage.OPT_DOMAIN_NAME, "x.test")
                    .finish();
            assertThat(Arrays.copyOf(out, n)).isEqualTo(bytes(type == DhcpMessage.OFFER ? DhcpCaptures.OFFER : DhcpCaptures.ACK));
        }
    }

    @Test
    void writesAtAnOffsetAndPadsToTheBootpMinimum() {
        byte[] out = new byte[700];
        Arrays.fill(out, (byte) 0x5A);
        int n = writer.start(out, 100, DhcpMessage.OP_REQUEST, 7, DhcpCaptures.CLIENT_MAC).messageType(DhcpMessage.RELEASE).finish();
        assertThat(n).isEqualTo(DhcpMessage.MIN_LENGTH);
        assertThat(out[99]).isEqualTo((byte) 0x5A);
        assertThat(out[100 + n]).isEqualTo((byte) 0x5A);
        assertThat(msg.wrap(out, 100, n).check()).isNull();
        assertThat(msg.messageType()).isEqualTo(DhcpMessage.RELEASE);
        assertThat(msg.xid()).isEqualTo(7);
    }

    @Test
    void overloadedFileAndSnameFieldsCarryOptions() {
        byte[] b = new byte[400];
        int n = writer.start(b, 0, DhcpMessage.OP_REPLY, 1, DhcpCaptures.CLIENT_MAC)
                .messageType(DhcpMessage.ACK).optionByte(DhcpMessage.OPT_OVERLOAD, 3).finish();
        // file (108, 128 bytes) holds the lease time; sname (44, 64 bytes) the server id.
        byte[] file = {51, 4, 0, 0, 0x0E, 0x10, (byte) 255};
        System.arraycopy(file, 0, b, 108, file.length);
        byte[] sname = {54, 4, 10, 0, 0, 1, (byte) 255};
        System.arraycopy(sname, 0, b, 44, sname.length);
        assertThat(msg.wrap(b, 0, n).check()).isNull();
        assertThat(msg.overload()).isEqualTo(3);
        assertThat(msg.optionU32(DhcpMessage.OPT_LEASE_TIME, -1)).isEqualTo(3600);
        assertThat(msg.address(DhcpMessage.OPT_SERVER_ID)).isEqualTo(0x0A000001);
        assertThat(msg.serverName()).isEmpty();
        assertThat(msg.bootFile()).isEmpty();

        // Without the overload option the same bytes are just names, not options.
        b[243] = DhcpMessage.OPT_PAD; // option 52 lies at 243..245, after the message type at 240..242
        b[244] = DhcpMessage.OPT_PAD;
        b[245] = DhcpMessage.OPT_PAD;
        assertThat(msg.wrap(b, 0, n).check()).isNull();
        assertThat(msg.has(DhcpMessage.OPT_LEASE_TIME)).isFalse();
        assertThat(msg.serverName()).isEqualTo("6\u0004\n");
    }

    @Test
    void splitOptionsAreConcatenated() {
        // RFC 3396: a 300-byte option is written as 255 + 45 and read back as one value.
        byte[] value = new byte[300];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        byte[] b = new byte[1000];
        int n = writer.start(b, 0, DhcpMessage.OP_REQUEST, 1, DhcpCaptures.CLIENT_MAC)
                .messageType(DhcpMessage.DISCOVER)
                .option(DhcpMessage.OPT_CLIENT_ID, value, 0, 150)
                .string(DhcpMessage.OPT_HOST_NAME, "between")
                .option(DhcpMessage.OPT_CLIENT_ID, value, 150, 150)
                .option(120, value, 0, 300)
                .finish();
        assertThat(Bytes.u8(b, 243 + 1)).isEqualTo(150);
        assertThat(msg.wrap(b, 0, n).check()).isNull();
        assertThat(msg.bytes(DhcpMessage.OPT_CLIENT_ID)).isEqualTo(value);
        assertThat(msg.bytes(120)).isEqualTo(value);
        assertThat(msg.string(DhcpMessage.OPT_HOST_NAME)).isEqualTo("between");
    }

    @Test
    void everyMalformationHasItsReason() {
        byte[] offer = bytes(DhcpCaptures.OFFER);
        assertThat(msg.wrap(offer, 0, 239).check()).isEqualTo(DhcpMalformed.TRUNCATED);

        byte[] b = offer.clone();
        b[0] = 3;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DhcpMalformed.BAD_OP);
        b = offer.clone();
        b[2] = 17;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DhcpMalformed.BAD_HARDWARE_LENGTH);
        b = offer.clone();
        b[239] = 0;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DhcpMalformed.NO_MAGIC_COOKIE);
        // The last option (domain name, 6 bytes + END) cut short: its length reaches past the end.
        assertThat(msg.wrap(offer, 0, offer.length - 3).check()).isEqualTo(DhcpMalformed.OPTION_OVERRUN);
        // A lone code byte without its length.
        b = offer.clone();
        b[b.length - 1] = 15;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DhcpMalformed.OPTION_OVERRUN);
        // END missing but the field ends cleanly: tolerated.
        assertThat(msg.wrap(offer, 0, offer.length - 1).check()).isNull();

        b = offer.clone();
        b[242] = 9; // message type 9
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DhcpMalformed.BAD_MESSAGE_TYPE);
        b = offer.clone();
        b[240] = (byte) 200; // option 53 renamed: no message type at all
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DhcpMalformed.BAD_MESSAGE_TYPE);
        b = offer.clone();
        b[244] = 3; // server id length 4 -> 3: the rest misparses, which the address check catches
        assertThat(msg.wrap(b, 0, b.length).check()).isNotNull();

        byte[] out = new byte[400];
        int n = writer.start(out, 0, DhcpMessage.OP_REQUEST, 1, 1).messageType(1).optionByte(DhcpMessage.OPT_OVERLOAD, 4).finish();
        assertThat(msg.wrap(out, 0, n).check()).isEqualTo(DhcpMalformed.BAD_OVERLOAD);
        n = writer.start(out, 0, DhcpMessage.OP_REQUEST, 1, 1).messageType(1).optionU16(DhcpMessage.OPT_LEASE_TIME, 4).finish();
        assertThat(msg.wrap(out, 0, n).check()).isEqualTo(DhcpMalformed.BAD_OPTION_LENGTH);
        n = writer.start(out, 0, DhcpMessage.OP_REQUEST, 1, 1).messageType(1)
                .option(DhcpMessage.OPT_ROUTER, new byte[6], 0, 6).finish();
        assertThat(msg.wrap(out, 0, n).check()).isEqualTo(DhcpMalformed.BAD_OPTION_LENGTH);
        n = writer.start(out, 0, DhcpMessage.OP_REQUEST, 1, 1).messageType(1)
                .option(DhcpMessage.OPT_CLIENT_ID, new byte[1], 0, 1).finish();
        assertThat(msg.wrap(out, 0, n).check()).isEqualTo(DhcpMalformed.BAD_OPTION_LENGTH);
        // Overload pointing into a file field whose option overruns it.
        n = writer.start(out, 0, DhcpMessage.OP_REPLY, 1, 1).messageType(2).optionByte(DhcpMessage.OPT_OVERLOAD, 1).finish();
        out[108 + 126] = 51;
        out[108 + 127] = 4;
        assertThat(msg.wrap(out, 0, n).check()).isEqualTo(DhcpMalformed.OPTION_OVERRUN);
    }

    @Test
    void writerRefusesWhatDoesNotFit() {
        byte[] out = new byte[DhcpMessage.MIN_LENGTH];
        writer.start(out, 0, DhcpMessage.OP_REQUEST, 1, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.option(77, new byte[100], 0, 100))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not fit");
    }
}
