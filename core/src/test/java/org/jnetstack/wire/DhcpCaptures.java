package org.jnetstack.wire;

import java.util.HexFormat;

/**
 * A real exchange with dnsmasq 2.90 in a network namespace (server 10.99.0.1 on MAC
 * 02:00:00:00:00:01, range 10.99.0.50-60, lease 2m, domain x.test, MTU 1400). DISCOVER and
 * REQUEST were sent by a Python client (MAC 02:00:00:00:00:02, xid 0x3903f326, broadcast flag,
 * client id, host name "jtest"); OFFER and ACK are dnsmasq's answers as received.
 */
final class DhcpCaptures {
    private DhcpCaptures() {
    }

    static final long CLIENT_MAC = 0x02_00_00_00_00_02L;
    static final int XID = 0x3903f326;
    static final int SERVER = 0x0A630001;
    static final int OFFERED = 0x0A630038; // 10.99.0.56

    static final String DISCOVER = "010106003903f3260000800000000000000000000000000000000000020000000002"
            + zeros(202) + "63825363"
            + "3501013d070102000000000237080103060f1a333a3bff" + zeros(37);
    static final String OFFER = "020106003903f32600008000000000000a6300380a63000100000000020000000002"
            + zeros(202) + "63825363"
            + "35010236040a6300013304000000783a040000003c3b04000000690104ffffff001c040a6300ff03040a63000106040a6300011a0205780f06782e74657374ff";
    static final String REQUEST = "010106003903f3260000800000000000000000000000000000000000020000000002"
            + zeros(202) + "63825363"
            + "3501033d070102000000000237080103060f1a333a3b32040a63003836040a6300010c056a74657374ff" + zeros(18);
    static final String ACK = "020106003903f32600008000000000000a6300380a63000100000000020000000002"
            + zeros(202) + "63825363"
            + "35010536040a6300013304000000783a040000003c3b04000000690104ffffff001c040a6300ff03040a63000106040a6300011a0205780f06782e74657374ff";

    static String zeros(int bytes) {
        return "00".repeat(bytes);
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
