package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.testing.Allocations;
import org.junit.jupiter.api.Test;

/** The codecs claim to be allocation-free once warm: checked with the JVM's per-thread allocation counter. */
class DnsCodecAllocationTest {
    @Test
    void parsingComparingAndWritingAllocateNothing() {
        byte[] answer = DnsCaptures.bytes(DnsCaptures.ANSWER_ALIAS_A);
        byte[] out = new byte[512];
        DnsMessage msg = new DnsMessage();
        DnsWriter writer = new DnsWriter();
        long bytes = Allocations.leastAllocatedBy(20_000, () -> {
            long acc = 0;
            for (int i = 0; i < 100; i++) {
                if (msg.wrap(answer, 0, answer.length).check() == null && msg.nameEquals(msg.recordName(1), msg.targetName(0))
                        && msg.nameEquals(msg.questionName(0), "alias.x.test")) {
                    acc += msg.a(1) + msg.recordTtl(0) + msg.id();
                }
                writer.start(out, 0, 512, i, DnsMessage.FLAG_QR).question("alias.x.test", DnsMessage.TYPE_A);
                writer.cname(DnsMessage.SECTION_ANSWER, "alias.x.test", 60, "host.x.test");
                writer.a(DnsMessage.SECTION_ANSWER, "host.x.test", 60, 0x0A09090A);
                acc += writer.finish();
            }
            return acc;
        });
        assertThat(bytes).isZero();
    }
}
