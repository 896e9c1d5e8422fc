package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DHCPv6 messages (RFC 8415 §8, §21; RFC 3646): byte-exact against dnsmasq, and every malformed length dropped. */
class Dhcpv6MessageTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void ourInformationRequestIsByteForByteTheOneDnsmasqAnswered() {
        byte[] out = new byte[64];
        int len = Dhcpv6Message.writeInformationRequest(out, 0, Dhcpv6Captures.XID, Dhcpv6Message.duidLl(Dhcpv6Captures.CLIENT_MAC), 0);
        assertThat(HexFormat.of().formatHex(out, 0, len)).isEqualTo(Dhcpv6Captures.INFORMATION_REQUEST);
    }

    @Test
    void dnsmasqsReplyParses() {
        byte[] b = hex("ffff" + Dhcpv6Captures.REPLY); // at an offset
        Dhcpv6Message m = new Dhcpv6Message().wrap(b, 2, b.length - 2);
        assertThat(m.check()).isNull();
        assertThat(m.messageType()).isEqualTo(Dhcpv6Message.REPLY);
        assertThat(m.transactionId()).isEqualTo(Dhcpv6Captures.XID);
        assertThat(m.clientIdEquals(Dhcpv6Message.duidLl(Dhcpv6Captures.CLIENT_MAC))).isTrue();
        assertThat(m.clientIdEquals(Dhcpv6Message.duidLl(0x02_00_00_00_00_0bL))).isFalse();
        assertThat(m.serverIdHex()).isEqualTo("0001000132a9b6c902000000000b");
        assertThat(m.dnsServerCount()).isEqualTo(1);
        assertThat(new Ipv6Address(m.dnsServerHi(0), m.dnsServerLo(0))).isEqualTo(Ipv6Address.parse("2001:db8:1::53"));
        assertThat(m.domainSearchList(8)).containsExactly("lab.example");
        assertThat(m.refreshTime()).isEqualTo(3600);
        assertThat(m.statusCode()).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "header cut short,             071234,                                                TRUNCATED",
        "option header cut short,      07123456 0017,                                         OPTION_OVERRUN",
        "option length past the end,   07123456 00170010 20010db8000100000000000000000053 00, OPTION_OVERRUN",
        "option length past the end 2, 07123456 00200004 00000e,                              OPTION_OVERRUN",
        "two Client Identifiers,       07123456 0001000a0003000102000000000a 0001000a0003000102000000000a, DUPLICATE_OPTION",
        "two DNS server lists,         07123456 00170000 00170000,                            DUPLICATE_OPTION",
        "two refresh times,            07123456 0020000400000e10 0020000400000e10,           DUPLICATE_OPTION",
        "DNS list not 16-byte units,   07123456 0017000f 20010db80001000000000000000000,      BAD_OPTION_LENGTH",
        "refresh time of 3 bytes,      07123456 00200003 000e10,                              BAD_OPTION_LENGTH",
        "elapsed time of 1 byte,       07123456 00080001 00,                                  BAD_OPTION_LENGTH",
        "status code of 1 byte,        07123456 000d0001 00,                                  BAD_OPTION_LENGTH",
        "compressed search name,       07123456 00180002 c00c,                                BAD_DOMAIN_LIST",
        "search name without root,     07123456 00180004 03616263,                            BAD_DOMAIN_LIST",
    })
    void malformedMessagesAreRejectedWithTheirReason(String what, String hexBytes, Dhcpv6Malformed reason) {
        byte[] b = hex(hexBytes.replace(" ", ""));
        assertThat(new Dhcpv6Message().wrap(b, 0, b.length).check()).as(what).isEqualTo(reason);
    }

    @Test
    void theOptionWalkStopsAfterItsBound() {
        byte[] b = new byte[4 + 4 * (Dhcpv6Message.MAX_OPTIONS + 1)];
        b[0] = Dhcpv6Message.REPLY;
        for (int i = 0; i <= Dhcpv6Message.MAX_OPTIONS; i++) {
            Bytes.putU16(b, 4 + 4 * i, 99); // empty unknown options
        }
        assertThat(new Dhcpv6Message().wrap(b, 0, b.length).check()).isEqualTo(Dhcpv6Malformed.TOO_MANY_OPTIONS);
        assertThat(new Dhcpv6Message().wrap(b, 0, b.length - 4).check()).isNull();
    }
}
