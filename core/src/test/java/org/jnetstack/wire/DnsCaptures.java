package org.jnetstack.wire;

import java.util.HexFormat;

/**
 * Queries sent by Python to dnsmasq 2.90 in a network namespace and dnsmasq's answers as received
 * ({@code --address=/x.test/10.9.9.9 --host-record=host.x.test,10.9.9.10,fd00::10
 * --cname=alias.x.test,host.x.test --txt-record=txt.x.test,"hello world"}, no upstream).
 * dnsmasq gives its local records TTL 0, and refuses nope.test (no upstream server).
 */
final class DnsCaptures {
    private DnsCaptures() {
    }

    static final String QUERY_WWW_A = "12340100000100000000000003777777017804746573740000010001";
    static final String ANSWER_WWW_A = "12348580000100010000000003777777017804746573740000010001c00c000100010000000000040a090909";
    static final String QUERY_ALIAS_A = "23450100000100000000000005616c696173017804746573740000010001";
    /** alias.x.test CNAME host.x.test, host.x.test A 10.9.9.10: the A record's owner points into the CNAME's RDATA. */
    static final String ANSWER_ALIAS_A = "23458580000100020000000005616c696173017804746573740000010001"
            + "c00c0005000100000000000d04686f73740178047465737400" + "c02a000100010000000000040a09090a";
    static final String QUERY_HOST_AAAA = "34560100000100000000000004686f73740178047465737400001c0001";
    static final String ANSWER_HOST_AAAA = "34568580000100010000000004686f73740178047465737400001c0001"
            + "c00c001c0001000000000010fd000000000000000000000000000010";
    static final String QUERY_NOPE_A = "456701000001000000000000046e6f706504746573740000010001";
    static final String ANSWER_NOPE_REFUSED = "456781850001000000000000046e6f706504746573740000010001";
    static final String QUERY_TXT = "56780100000100000000000003747874017804746573740000100001";
    static final String ANSWER_TXT = "56788580000100010000000003747874017804746573740000100001"
            + "c00c0010000100000000000c0b68656c6c6f20776f726c64";

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
