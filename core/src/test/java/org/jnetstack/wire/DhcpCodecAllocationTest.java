package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.testing.Allocations;
import org.junit.jupiter.api.Test;

/** The codecs claim to be allocation-free once warm: checked with the JVM's per-thread allocation counter. */
class DhcpCodecAllocationTest {
    @Test
    void parsingAndWritingAllocateNothing() {
        byte[] offer = DhcpCaptures.bytes(DhcpCaptures.OFFER);
        byte[] out = new byte[600];
        DhcpMessage msg = new DhcpMessage();
        DhcpWriter writer = new DhcpWriter();
        long bytes = Allocations.leastAllocatedBy(20_000, () -> {
            long acc = 0;
            for (int i = 0; i < 100; i++) {
                if (msg.wrap(offer, 0, offer.length).check() == null) {
                    acc += msg.yiaddr() + msg.optionU32(DhcpMessage.OPT_LEASE_TIME, 0) + msg.address(DhcpMessage.OPT_DNS_SERVERS, 0);
                }
                acc += writer.start(out, 0, DhcpMessage.OP_REQUEST, i, 0x020000000002L).messageType(DhcpMessage.REQUEST)
                        .address(DhcpMessage.OPT_REQUESTED_ADDRESS, 0x0A000005).clientId(0x020000000002L).finish();
            }
            return acc;
        });
        assertThat(bytes).isZero();
    }
}
