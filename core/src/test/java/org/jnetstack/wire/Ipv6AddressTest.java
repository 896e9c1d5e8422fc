package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Text forms (RFC 4291 §2.2 in, RFC 5952 out), the two-long form, and the address classes. */
class Ipv6AddressTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // RFC 5952 §4.1-4.3 and §5 examples, and the edges of '::'
        "2001:0db8::0001, 2001:db8::1",
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:DB8::AAAA, 2001:db8::aaaa",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "0:0:0:0:0:0:0:0, ::",
        "fe80::1:2ff:fe03:405, fe80::1:2ff:fe03:405",
        "::ffff:192.0.2.1, ::ffff:192.0.2.1",
        "::ffff:c000:0201, ::ffff:192.0.2.1",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "ff02::1:ff00:1, ff02::1:ff00:1",
    })
    void parsesAndFormatsCanonically(String in, String canonical) throws Exception {
        Ipv6Address a = Ipv6Address.parse(in);
        assertThat(a.toString()).isEqualTo(canonical);
        assertThat(Ipv6Address.parse(canonical)).isEqualTo(a);
        byte[] b = new byte[16];
        Ipv6Address.write(b, 0, a.hi(), a.lo());
        // the JDK's own parser agrees (it gives IPv4-mapped addresses as Inet4Address)
        assertThat(Ipv6Address.of(InetAddress.getByName(in))).isEqualTo(a);
        assertThat(Ipv6Address.readHi(b, 0)).isEqualTo(a.hi());
        assertThat(Ipv6Address.readLo(b, 0)).isEqualTo(a.lo());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::8", "12345::", "g::", ":1::", "1::2:", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5",
        "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "10.0.0.1"})
    void refusesMalformedTextNamingTheAcceptedForms(String in) {
        assertThatThrownBy(() -> Ipv6Address.parse(in))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + in + "'")
                .hasMessageContaining("fd00::1");
    }

    @Test
    void classifiesAddresses() {
        Ipv6Address ll = Ipv6Address.parse("fe80::1");
        Ipv6Address ula = Ipv6Address.parse("fd12:3456::1");
        Ipv6Address global = Ipv6Address.parse("2001:db8::1");
        Ipv6Address mapped = Ipv6Address.parse("::ffff:10.0.2.15");
        assertThat(Ipv6Address.isLinkLocal(ll.hi())).isTrue();
        assertThat(Ipv6Address.isLinkLocal(Ipv6Address.parse("febf::1").hi())).isTrue();
        assertThat(Ipv6Address.isLinkLocal(Ipv6Address.parse("fec0::1").hi())).isFalse();
        assertThat(Ipv6Address.isUniqueLocal(ula.hi())).isTrue();
        assertThat(Ipv6Address.isUniqueLocal(Ipv6Address.parse("fc00::1").hi())).isTrue();
        assertThat(Ipv6Address.isUniqueLocal(Ipv6Address.parse("fe00::1").hi())).isFalse();
        assertThat(Ipv6Address.isMulticast(Ipv6Address.ALL_NODES.hi())).isTrue();
        assertThat(Ipv6Address.isMulticast(global.hi())).isFalse();
        assertThat(Ipv6Address.isV4Mapped(mapped.hi(), mapped.lo())).isTrue();
        assertThat(Ipv6Address.v4(mapped.lo())).isEqualTo(Ipv4Address.parseBits("10.0.2.15"));
        assertThat(Ipv6Address.v4Mapped(Ipv4Address.parseBits("10.0.2.15"))).isEqualTo(mapped);
        assertThat(Ipv6Address.isV4Mapped(global.hi(), global.lo())).isFalse();
        assertThat(Ipv6Address.scope(ll.hi(), ll.lo())).isEqualTo(Ipv6Address.SCOPE_LINK_LOCAL);
        assertThat(Ipv6Address.scope(global.hi(), global.lo())).isEqualTo(Ipv6Address.SCOPE_GLOBAL);
        assertThat(Ipv6Address.scope(Ipv6Address.ALL_NODES.hi(), 1)).isEqualTo(Ipv6Address.SCOPE_LINK_LOCAL);
        Ipv6Address ff05 = Ipv6Address.parse("ff05::1:3");
        assertThat(Ipv6Address.scope(ff05.hi(), ff05.lo())).isEqualTo(Ipv6Address.SCOPE_SITE_LOCAL);
    }

    @Test
    void solicitedNodeGroupAndItsMacFollowRfc4291AndRfc2464() {
        Ipv6Address a = Ipv6Address.parse("fe80::2aa:ff:fe28:9c5a");
        Ipv6Address group = new Ipv6Address(Ipv6Address.solicitedNodeHi(), Ipv6Address.solicitedNodeLo(a.lo()));
        assertThat(group.toString()).isEqualTo("ff02::1:ff28:9c5a");
        assertThat(new MacAddress(Ipv6Address.multicastMac(group.lo())).toString()).isEqualTo("33:33:ff:28:9c:5a");
    }

    @Test
    void prefixesAndMasks() {
        Ipv6Address a = Ipv6Address.parse("2001:db8:1:2:3::1");
        Ipv6Address p = Ipv6Address.parse("2001:db8:1::");
        assertThat(Ipv6Address.samePrefix(a.hi(), a.lo(), p.hi(), p.lo(), 48)).isTrue();
        assertThat(Ipv6Address.samePrefix(a.hi(), a.lo(), p.hi(), p.lo(), 64)).isFalse();
        assertThat(Ipv6Address.commonPrefixLength(a.hi(), a.lo(), a.hi(), a.lo())).isEqualTo(128);
        assertThat(Ipv6Address.commonPrefixLength(0, 1, 0, 3)).isEqualTo(126);
        assertThat(Ipv6Address.maskHi(64)).isEqualTo(-1L);
        assertThat(Ipv6Address.maskLo(64)).isZero();
        assertThat(Ipv6Address.maskHi(48)).isEqualTo(0xffff_ffff_ffff_0000L);
        assertThat(Ipv6Address.maskLo(120)).isEqualTo(0xffff_ffff_ffff_ff00L);
        assertThat(Ipv6Address.maskHi(0)).isZero();
        assertThatThrownBy(() -> Ipv6Address.maskHi(129)).hasMessageContaining("0 to 128");
    }

    @Test
    void headerWrittenAndReadBack() {
        byte[] b = new byte[60];
        Ipv6Address src = Ipv6Address.parse("fe80::1");
        Ipv6Address dst = Ipv6Address.parse("ff02::1:ff00:2");
        Ipv6Header h = new Ipv6Header().trafficClass(0xb8).flowLabel(0xabcde).payloadLength(20)
                .nextHeader(Ipv6Packet.NH_ICMPV6).hopLimit(255).source(src.hi(), src.lo()).destination(dst.hi(), dst.lo());
        assertThat(Ipv6Packet.writeHeader(b, 0, h)).isEqualTo(40);
        assertThat(b[0]).isEqualTo((byte) 0x6b);
        assertThat(b[1]).isEqualTo((byte) 0x8a);
        Ipv6Packet p = new Ipv6Packet().wrap(b, 0, 60);
        assertThat(p.check()).isNull();
        assertThat(p.trafficClass()).isEqualTo(0xb8);
        assertThat(p.flowLabel()).isEqualTo(0xabcde);
        assertThat(p.payloadLength()).isEqualTo(20);
        assertThat(p.nextHeader()).isEqualTo(58);
        assertThat(p.hopLimit()).isEqualTo(255);
        assertThat(new Ipv6Address(p.sourceHi(), p.sourceLo())).isEqualTo(src);
        assertThat(new Ipv6Address(p.destinationHi(), p.destinationLo())).isEqualTo(dst);
        assertThat(new Ipv6Packet().wrap(b, 0, 59).check()).isEqualTo(Malformed.BAD_TOTAL_LENGTH);
        assertThat(new Ipv6Packet().wrap(b, 0, 39).check()).isEqualTo(Malformed.TRUNCATED);
        b[0] = 0x45;
        assertThat(new Ipv6Packet().wrap(b, 0, 60).check()).isEqualTo(Malformed.BAD_VERSION);
    }
}
