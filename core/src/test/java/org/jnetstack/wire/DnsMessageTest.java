package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jnetstack.wire.DnsCaptures.bytes;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
    private static final int RESPONSE_FLAGS = 0x8580; // QR AA RD RA, NOERROR, as dnsmasq answers its own records
    private final DnsMessage msg = new DnsMessage();
    private final DnsWriter writer = new DnsWriter();
    private final byte[] out = new byte[1024];

    private DnsMessage parse(String hex) {
        byte[] b = bytes(hex);
        assertThat(msg.wrap(b, 0, b.length).check()).isNull();
        return msg;
    }

    @Test
    void parsesAnAAnswer() {
        parse(DnsCaptures.ANSWER_WWW_A);
        assertThat(msg.id()).isEqualTo(0x1234);
        assertThat(msg.isResponse()).isTrue();
        assertThat(msg.authoritative()).isTrue();
        assertThat(msg.recursionDesired()).isTrue();
        assertThat(msg.recursionAvailable()).isTrue();
        assertThat(msg.truncated()).isFalse();
        assertThat(msg.rcode()).isEqualTo(DnsMessage.RCODE_NOERROR);
        assertThat(msg.questionCount()).isEqualTo(1);
        assertThat(msg.name(msg.questionName(0))).isEqualTo("www.x.test");
        assertThat(msg.questionType(0)).isEqualTo(DnsMessage.TYPE_A);
        assertThat(msg.questionClass(0)).isEqualTo(DnsMessage.CLASS_IN);
        assertThat(msg.recordCount()).isEqualTo(1);
        assertThat(msg.section(0)).isEqualTo(DnsMessage.SECTION_ANSWER);
        assertThat(msg.recordType(0)).isEqualTo(DnsMessage.TYPE_A);
        assertThat(msg.recordClass(0)).isEqualTo(DnsMessage.CLASS_IN);
        assertThat(msg.recordTtl(0)).isZero();
        assertThat(msg.a(0)).isEqualTo(0x0A090909);
        assertThat(msg.nameEquals(msg.recordName(0), msg.questionName(0))).isTrue();
        assertThat(msg.nameEquals(msg.recordName(0), "WWW.X.Test.")).isTrue();
        assertThat(msg.nameEquals(msg.recordName(0), "www.x.tes")).isFalse();
        assertThat(msg.nameEquals(msg.recordName(0), "www.x.test.com")).isFalse();
        assertThat(msg.nameEquals(msg.recordName(0), "ww.x.test")).isFalse();
    }

    @Test
    void followsTheCnameChainThroughCompressedNames() {
        parse(DnsCaptures.ANSWER_ALIAS_A);
        assertThat(msg.recordCount()).isEqualTo(2);
        assertThat(msg.recordType(0)).isEqualTo(DnsMessage.TYPE_CNAME);
        assertThat(msg.name(msg.recordName(0))).isEqualTo("alias.x.test");
        assertThat(msg.name(msg.targetName(0))).isEqualTo("host.x.test");
        assertThat(msg.recordType(1)).isEqualTo(DnsMessage.TYPE_A);
        assertThat(msg.nameEquals(msg.recordName(1), msg.targetName(0))).isTrue();
        assertThat(msg.nameEquals(msg.recordName(1), msg.questionName(0))).isFalse();
        assertThat(msg.a(1)).isEqualTo(0x0A09090A);
    }

    @Test
    void parsesAaaaTxtAndRefused() {
        parse(DnsCaptures.ANSWER_HOST_AAAA);
        byte[] v6 = new byte[16];
        msg.aaaa(0, v6, 0);
        assertThat(HexFormat.of().formatHex(v6)).isEqualTo("fd000000000000000000000000000010");
        assertThatThrownBy(() -> msg.a(0)).isInstanceOf(IllegalArgumentException.class);

        parse(DnsCaptures.ANSWER_TXT);
        assertThat(msg.txt(0)).containsExactly("hello world");

        parse(DnsCaptures.ANSWER_NOPE_REFUSED);
        assertThat(msg.rcode()).isEqualTo(DnsMessage.RCODE_REFUSED);
        assertThat(msg.recordCount()).isZero();
        assertThat(msg.name(msg.questionName(0))).isEqualTo("nope.test");
    }

    @Test
    void buildsQueriesByteExact() {
        assertThat(query(0x1234, "www.x.test", DnsMessage.TYPE_A)).isEqualTo(DnsCaptures.QUERY_WWW_A);
        assertThat(query(0x2345, "alias.x.test.", DnsMessage.TYPE_A)).isEqualTo(DnsCaptures.QUERY_ALIAS_A);
        assertThat(query(0x3456, "host.x.test", DnsMessage.TYPE_AAAA)).isEqualTo(DnsCaptures.QUERY_HOST_AAAA);
        assertThat(query(0x4567, "nope.test", DnsMessage.TYPE_A)).isEqualTo(DnsCaptures.QUERY_NOPE_A);
        assertThat(query(0x5678, "txt.x.test", DnsMessage.TYPE_TXT)).isEqualTo(DnsCaptures.QUERY_TXT);
    }

    private String query(int id, String name, int type) {
        int n = writer.start(out, 0, DnsMessage.UDP_MAX, id, DnsMessage.FLAG_RD).question(name, type).finish();
        return HexFormat.of().formatHex(out, 0, n);
    }

    @Test
    void buildsResponsesByteExactWithDnsmasqs() {
        writer.start(out, 0, DnsMessage.UDP_MAX, 0x1234, RESPONSE_FLAGS).question("www.x.test", DnsMessage.TYPE_A);
        assertThat(writer.a(DnsMessage.SECTION_ANSWER, "www.x.test", 0, 0x0A090909)).isTrue();
        assertThat(HexFormat.of().formatHex(out, 0, writer.finish())).isEqualTo(DnsCaptures.ANSWER_WWW_A);

        byte[] v6 = HexFormat.of().parseHex("fd000000000000000000000000000010");
        writer.start(out, 0, DnsMessage.UDP_MAX, 0x3456, RESPONSE_FLAGS).question("host.x.test", DnsMessage.TYPE_AAAA);
        writer.aaaa(DnsMessage.SECTION_ANSWER, "host.x.test", 0, v6, 0);
        assertThat(HexFormat.of().formatHex(out, 0, writer.finish())).isEqualTo(DnsCaptures.ANSWER_HOST_AAAA);

        writer.start(out, 0, DnsMessage.UDP_MAX, 0x5678, RESPONSE_FLAGS).question("txt.x.test", DnsMessage.TYPE_TXT);
        writer.txt(DnsMessage.SECTION_ANSWER, "txt.x.test", 0, "hello world");
        assertThat(HexFormat.of().formatHex(out, 0, writer.finish())).isEqualTo(DnsCaptures.ANSWER_TXT);

        int n = writer.start(out, 0, DnsMessage.UDP_MAX, 0x4567, 0x8185).question("nope.test", DnsMessage.TYPE_A).finish();
        assertThat(HexFormat.of().formatHex(out, 0, n)).isEqualTo(DnsCaptures.ANSWER_NOPE_REFUSED);
    }

    @Test
    void compressesEveryRepeatedSuffix() {
        // dnsmasq writes the CNAME target in full; we compress its "x.test" tail too, and the
        // A record's owner becomes a pointer to the target: 4 bytes shorter, same meaning.
        writer.start(out, 0, DnsMessage.UDP_MAX, 0x2345, RESPONSE_FLAGS).question("alias.x.test", DnsMessage.TYPE_A);
        writer.cname(DnsMessage.SECTION_ANSWER, "alias.x.test", 0, "host.x.test");
        writer.a(DnsMessage.SECTION_ANSWER, "HOST.x.test", 0, 0x0A09090A);
        int n = writer.finish();
        assertThat(HexFormat.of().formatHex(out, 0, n)).isEqualTo("23458580000100020000000005616c696173017804746573740000010001"
                + "c00c00050001000000000007" + "04686f7374c012" + "c02a000100010000000000040a09090a");
        assertThat(msg.wrap(out, 0, n).check()).isNull();
        assertThat(msg.name(msg.targetName(0))).isEqualTo("host.x.test");
        assertThat(msg.nameEquals(msg.recordName(1), msg.targetName(0))).isTrue();
    }

    @Test
    void writesEveryRecordTypeAndReadsItBack() {
        writer.start(out, 0, 1024, 7, DnsMessage.FLAG_QR | DnsMessage.RCODE_NXDOMAIN).question("a.example", DnsMessage.TYPE_A);
        writer.cname(DnsMessage.SECTION_ANSWER, "a.example", 300, "b.example");
        writer.soa(DnsMessage.SECTION_AUTHORITY, "example", 3600, "ns.example", "hostmaster.example", 2024010101L, 7200, 900, 1209600, 60);
        writer.ns(DnsMessage.SECTION_AUTHORITY, "example", 3600, "ns.example");
        writer.raw(DnsMessage.SECTION_ADDITIONAL, "", DnsMessage.TYPE_OPT, 1232, 0, new byte[0], 0, 0);
        int n = writer.finish();
        assertThat(msg.wrap(out, 0, n).check()).isNull();
        assertThat(msg.answerCount()).isEqualTo(1);
        assertThat(msg.authorityCount()).isEqualTo(2);
        assertThat(msg.additionalCount()).isEqualTo(1);
        assertThat(msg.recordTtl(0)).isEqualTo(300);
        assertThat(msg.section(1)).isEqualTo(DnsMessage.SECTION_AUTHORITY);
        assertThat(msg.soaMinimum(1)).isEqualTo(60);
        assertThat(msg.soaSerial(1)).isEqualTo(2024010101L);
        assertThat(msg.name(msg.targetName(2))).isEqualTo("ns.example");
        assertThat(msg.section(3)).isEqualTo(DnsMessage.SECTION_ADDITIONAL);
        assertThat(msg.recordClass(3)).isEqualTo(1232);
        assertThat(msg.name(msg.recordName(3))).isEqualTo(".");
    }

    @Test
    void aRecordThatDoesNotFitLeavesTheMessageWhole() {
        writer.start(out, 0, 60, 1, DnsMessage.FLAG_QR).question("www.example.com", DnsMessage.TYPE_TXT);
        assertThat(writer.a(DnsMessage.SECTION_ANSWER, "www.example.com", 1, 1)).isTrue();
        int before = writer.finish();
        assertThat(writer.txt(DnsMessage.SECTION_ANSWER, "www.example.com", 1, "x".repeat(40))).isFalse();
        assertThat(writer.a(DnsMessage.SECTION_ANSWER, "other.example.org", 1, 1)).isFalse();
        writer.truncated();
        assertThat(writer.finish()).isEqualTo(before);
        assertThat(msg.wrap(out, 0, before).check()).isNull();
        assertThat(msg.truncated()).isTrue();
        assertThat(msg.recordCount()).isEqualTo(1);
    }

    @Test
    void writerRejectsBadNamesAndOrder() {
        writer.start(out, 0, 512, 1, 0);
        assertThatThrownBy(() -> writer.question("a..b", 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-63");
        assertThatThrownBy(() -> writer.question("x".repeat(64) + ".com", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.question(("abcdefghi.").repeat(26), 1)).hasMessageContaining("255");
        assertThatThrownBy(() -> writer.question("bad name", 1)).hasMessageContaining("ASCII");
        writer.a(DnsMessage.SECTION_AUTHORITY, "a", 1, 1);
        assertThatThrownBy(() -> writer.a(DnsMessage.SECTION_ANSWER, "a", 1, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.question("a", 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsPointerLoopsForwardPointersAndOverruns() {
        byte[] www = bytes(DnsCaptures.ANSWER_WWW_A);
        // The answer's owner pointer c00c points at itself (offset 28).
        byte[] b = www.clone();
        b[29] = 28;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.BAD_POINTER);
        // A forward pointer, from the question to the answer.
        b = www.clone();
        b[12] = (byte) 0xC0;
        b[13] = 28;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.BAD_POINTER);
        // A pointer into the header.
        b = www.clone();
        b[29] = 4;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.BAD_POINTER);
        // Two names pointing at each other: the second points into the first, which points forward.
        b = HexFormat.of().parseHex("000100000002000000000000" + "c00e" + "00010001" + "c00c" + "00010001");
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.BAD_POINTER);
        // Label type 01.
        b = www.clone();
        b[12] = 0x43;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.BAD_LABEL);
        // A label running past the end.
        b = www.clone();
        b[12] = 63;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.OVERRUN);
        // RDATA length past the end.
        assertThat(msg.wrap(www, 0, www.length - 1).check()).isEqualTo(DnsMalformed.OVERRUN);
        // Fixed fields cut.
        assertThat(msg.wrap(www, 0, 30).check()).isEqualTo(DnsMalformed.TRUNCATED);
        assertThat(msg.wrap(www, 0, 11).check()).isEqualTo(DnsMalformed.TRUNCATED);
        // Counts larger than the bytes could hold.
        b = www.clone();
        b[6] = (byte) 0xFF;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.TRUNCATED);
        // An A record with 5 bytes of RDATA.
        b = Arrays.copyOf(www, www.length + 1);
        b[b.length - 6] = 5;
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.BAD_RDATA);
        // A CNAME whose name does not fill its RDATA.
        b = bytes(DnsCaptures.ANSWER_ALIAS_A);
        b[41] = 14;
        assertThat(msg.wrap(b, 0, b.length).check()).isNotNull();
    }

    @Test
    void rejectsNamesLongerThan255Bytes() {
        // 4 labels of 63 and one of 2: 4*64 + 3 + 1 = 260 bytes.
        StringBuilder hex = new StringBuilder("000100000001000000000000");
        for (int i = 0; i < 4; i++) {
            hex.append("3f").append("61".repeat(63));
        }
        hex.append("026161").append("00").append("00010001");
        byte[] b = HexFormat.of().parseHex(hex);
        assertThat(msg.wrap(b, 0, b.length).check()).isEqualTo(DnsMalformed.NAME_TOO_LONG);
    }

    @Test
    void aViewLeftOnABadMessageAnswersNothing() {
        byte[] www = bytes(DnsCaptures.ANSWER_WWW_A);
        assertThat(msg.wrap(www, 0, www.length - 1).check()).isNotNull();
        assertThat(msg.recordCount()).isZero();
        assertThatThrownBy(() -> msg.questionName(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> msg.name(5)).isInstanceOf(IllegalArgumentException.class);
    }
}
