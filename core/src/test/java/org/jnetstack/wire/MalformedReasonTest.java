package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MalformedReasonTest {

    @Test
    void everyReasonOfEveryProtocolNamesItsCounterInLowerCase() {
        List<MalformedReason> all = new ArrayList<>();
        all.addAll(List.of(Malformed.values()));
        all.addAll(List.of(DhcpMalformed.values()));
        all.addAll(List.of(DnsMalformed.values()));
        for (MalformedReason r : all) {
            assertThat(r.id()).isEqualTo(r.name().toLowerCase(java.util.Locale.ROOT));
        }
        assertThat(Malformed.BAD_CHECKSUM.id()).isEqualTo("bad_checksum");
        assertThat(DhcpMalformed.OPTION_OVERRUN.id()).isEqualTo("option_overrun");
        assertThat(DnsMalformed.BAD_POINTER.id()).isEqualTo("bad_pointer");
    }
}
