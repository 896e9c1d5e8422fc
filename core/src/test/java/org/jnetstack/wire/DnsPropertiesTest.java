package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Hostile input never makes the DNS parser throw, loop or read outside its slice; whatever the
 * writer builds (with compression) parses back to the names and values written.
 */
class DnsPropertiesTest {
    private final DnsMessage msg = new DnsMessage();

    @Property(tries = 3000)
    void randomBytesAfterAPlausibleHeaderNeverThrow(@ForAll @Size(max = 200) byte[] body, @ForAll @IntRange(max = 3) int qd,
                                                    @ForAll @IntRange(max = 6) int an) {
        byte[] b = new byte[12 + body.length + 5];
        b[5] = (byte) qd;
        b[7] = (byte) an;
        System.arraycopy(body, 0, b, 12 + 5, body.length);
        // Pointers are likely: a body made mostly of 0xC0 bytes and small offsets stresses loops.
        readAll(b, 5, 12 + body.length);
    }

    @Property(tries = 3000)
    void pointerSoupNeverLoops(@ForAll @Size(min = 1, max = 120) List<@IntRange(max = 40) Integer> soup) {
        byte[] b = new byte[12 + 2 * soup.size()];
        b[5] = 1;
        b[7] = 2;
        for (int i = 0; i < soup.size(); i++) {
            b[12 + 2 * i] = (byte) (soup.get(i) % 3 == 0 ? 0xC0 : soup.get(i) % 5);
            b[13 + 2 * i] = (byte) soup.get(i).intValue();
        }
        readAll(b, 0, b.length);
    }

    @Property(tries = 3000)
    void damagedCapturesNeverThrow(@ForAll("captures") byte[] b, @ForAll @Size(max = 6) List<@IntRange(max = 100) Integer> positions,
                                   @ForAll @Size(max = 6) List<Byte> values, @ForAll @IntRange(max = 30) int shorten) {
        for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
            b[positions.get(i) % b.length] = values.get(i);
        }
        readAll(b, 0, Math.max(0, b.length - shorten));
    }

    @Provide
    Arbitrary<byte[]> captures() {
        return Arbitraries.of(DnsCaptures.ANSWER_WWW_A, DnsCaptures.ANSWER_ALIAS_A, DnsCaptures.ANSWER_HOST_AAAA,
                DnsCaptures.ANSWER_TXT, DnsCaptures.ANSWER_NOPE_REFUSED, DnsCaptures.QUERY_ALIAS_A).map(DnsCaptures::bytes);
    }

    private void readAll(byte[] b, int off, int len) {
        if (msg.wrap(b, off, len).check() != null) {
            return;
        }
        for (int i = 0; i < msg.questionCount(); i++) {
            msg.name(msg.questionName(i));
            msg.questionType(i);
            msg.nameEquals(msg.questionName(i), "www.x.test");
        }
        for (int r = 0; r < msg.recordCount(); r++) {
            assertThat(msg.rdataOffset(r) + msg.rdataLength(r)).isLessThanOrEqualTo(off + len);
            msg.name(msg.recordName(r));
            msg.recordTtl(r);
            msg.section(r);
            switch (msg.recordType(r)) {
                case DnsMessage.TYPE_A -> msg.a(r);
                case DnsMessage.TYPE_AAAA -> msg.aaaa(r, new byte[16], 0);
                case DnsMessage.TYPE_CNAME, DnsMessage.TYPE_NS, DnsMessage.TYPE_PTR, DnsMessage.TYPE_MX -> {
                    msg.name(msg.targetName(r));
                    msg.nameEquals(msg.targetName(r), msg.recordName(r));
                }
                case DnsMessage.TYPE_SOA -> msg.soaMinimum(r);
                case DnsMessage.TYPE_TXT -> msg.txt(r);
                default -> {
                }
            }
        }
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abcXYZ09-_").ofMinLength(1).ofMaxLength(12);
        return label.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join(".", l));
    }

    @Provide
    Arbitrary<List<String>> ownerLists() {
        return names().list().ofMaxSize(12);
    }

    @Property(tries = 1000)
    void whatTheWriterBuildsParsesBack(@ForAll("names") String question, @ForAll("ownerLists") List<String> owners,
                                       @ForAll @Size(max = 12) List<Integer> addresses, @ForAll @IntRange(max = 0xFFFF) int id) {
        byte[] b = new byte[4096];
        DnsWriter w = new DnsWriter().start(b, 7, 4000, id, DnsMessage.FLAG_QR).question(question, DnsMessage.TYPE_A);
        int n = Math.min(owners.size(), addresses.size());
        for (int i = 0; i < n; i++) {
            if (i % 3 == 2) {
                assertThat(w.cname(DnsMessage.SECTION_ANSWER, owners.get(i), i, owners.get(i - 1))).isTrue();
            } else {
                assertThat(w.a(DnsMessage.SECTION_ANSWER, owners.get(i), i, addresses.get(i))).isTrue();
            }
        }
        int len = w.finish();
        assertThat(msg.wrap(b, 7, len).check()).isNull();
        assertThat(msg.id()).isEqualTo(id);
        assertThat(msg.nameEquals(msg.questionName(0), question)).isTrue();
        assertThat(msg.name(msg.questionName(0))).isEqualTo(question);
        assertThat(msg.recordCount()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(msg.nameEquals(msg.recordName(i), owners.get(i))).isTrue();
            assertThat(msg.name(msg.recordName(i))).isEqualToIgnoringCase(owners.get(i));
            assertThat(msg.recordTtl(i)).isEqualTo(i);
            if (i % 3 == 2) {
                assertThat(msg.nameEquals(msg.targetName(i), owners.get(i - 1))).isTrue();
            } else {
                assertThat(msg.a(i)).isEqualTo(addresses.get(i));
            }
        }
    }
}
