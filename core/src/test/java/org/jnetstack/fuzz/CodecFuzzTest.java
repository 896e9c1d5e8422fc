package org.jnetstack.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.DnsMessage;

/**
 * The DHCP and DNS codecs on hostile bytes: {@code check()} never throws, and when it accepts,
 * every accessor works and stays inside the bytes given (names always end: no pointer loop).
 * Seeds are dnsmasq captures; byte 0's low two bits put the view at an offset.
 */
class CodecFuzzTest {
    private static int viewOffset(byte[] data) {
        return data.length == 0 ? 0 : Math.min(data.length, 1 + (data[0] & 3));
    }

    @FuzzTest(maxDuration = "2m")
    void dhcp(byte[] data) {
        int off = viewOffset(data);
        int len = data.length - off;
        DhcpMessage m = new DhcpMessage().wrap(data, off, len);
        if (m.check() != null) {
            return;
        }
        assertThat(m.messageType()).isBetween(DhcpMessage.DISCOVER, DhcpMessage.INFORM);
        m.serverName();
        m.bootFile();
        m.clientMac();
        for (int code = 1; code < 255; code++) {
            if (!m.has(code)) {
                continue;
            }
            byte[] v = m.bytes(code);
            assertThat(v).hasSize(m.valueLength(code));
            if (m.valueBuffer(code) == data) {
                assertThat(m.valueOffset(code)).isBetween(off, off + len);
                assertThat(m.valueOffset(code) + m.valueLength(code)).isLessThanOrEqualTo(off + len);
            }
            m.string(code);
            for (int i = 0; i < m.addressCount(code); i++) {
                m.address(code, i);
            }
        }
    }

    @FuzzTest(maxDuration = "2m")
    void dns(byte[] data) {
        int off = viewOffset(data);
        int len = data.length - off;
        DnsMessage m = new DnsMessage().wrap(data, off, len);
        if (m.check() != null) {
            return;
        }
        for (int i = 0; i < m.questionCount(); i++) {
            assertThat(m.name(m.questionName(i)).length()).isLessThanOrEqualTo(4 * DnsMessage.MAX_NAME_LENGTH);
            m.questionType(i);
        }
        for (int r = 0; r < m.recordCount(); r++) {
            assertThat(m.rdataOffset(r) + m.rdataLength(r)).isLessThanOrEqualTo(off + len);
            assertThat(m.nameEquals(m.recordName(r), m.recordName(r))).isTrue();
            switch (m.recordType(r)) {
                case DnsMessage.TYPE_A -> m.a(r);
                case DnsMessage.TYPE_AAAA -> m.aaaa(r, new byte[16], 0);
                case DnsMessage.TYPE_CNAME, DnsMessage.TYPE_NS, DnsMessage.TYPE_PTR, DnsMessage.TYPE_MX -> m.name(m.targetName(r));
                case DnsMessage.TYPE_SOA -> m.soaMinimum(r);
                case DnsMessage.TYPE_TXT -> m.txt(r);
                default -> {
                }
            }
        }
    }
}
