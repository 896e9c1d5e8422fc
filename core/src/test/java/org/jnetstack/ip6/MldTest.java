package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Mldv2;
import org.junit.jupiter.api.Test;

/** MLDv2 reports (RFC 3810) for our solicited-node groups: on joining, twice, and in answer to a query. */
class MldTest {
    static final long SECOND = 1_000_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort port = new TestPort(lan.newPort("a"));
    final List<String> reports = new ArrayList<>();
    NetStack a;

    /** "type group group ..." for each MLDv2 report a sends, after checking its IPv6 and Hop-by-Hop headers. */
    void record() {
        port.txFilter = f -> {
            if (f.length > 62 && (f[20] & 0xFF) == Ipv6Packet.NH_HOP_BY_HOP && (f[62] & 0xFF) == Icmpv6Message.TYPE_MLDV2_REPORT) {
                assertThat(f[21] & 0xFF).as("hop limit").isEqualTo(1);
                assertThat(Ipv6Address.readHi(f, 38)).isEqualTo(Ipv6Address.ALL_MLDV2_ROUTERS.hi());
                assertThat(Ipv6Address.readLo(f, 38)).isEqualTo(Ipv6Address.ALL_MLDV2_ROUTERS.lo());
                assertThat(f[56] & 0xFF).as("router alert option").isEqualTo(5);
                int n = Bytes.u16(f, 62 + 6);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    int r = 62 + 8 + 20 * i;
                    sb.append(i == 0 ? (f[r] & 0xFF) + "" : "").append(' ')
                            .append(Ipv6Address.format(Ipv6Address.readHi(f, r + 4), Ipv6Address.readLo(f, r + 4)));
                }
                reports.add(sb.toString());
            }
            return true;
        };
    }

    @Test
    void joiningReportsTheSolicitedNodeGroupsTwiceAndNeverAllNodes() {
        record();
        a = NetStack.builder(loop).name("a").device(port).config(StackConfig.defaults().toBuilder().ipv6Address("fd00::1:2/64").build())
                .seed(1).build();
        loop.runFor(5 * SECOND);
        Ipv6Address ll = a.ipv6Addresses().get(0).address();
        String llGroup = Ipv6Address.format(Ipv6Address.solicitedNodeHi(), Ipv6Address.solicitedNodeLo(ll.lo()));
        // RFC 3810 §6.1: each join as CHANGE_TO_EXCLUDE (4), repeated once (robustness 2); ff02::1 never (§6).
        assertThat(reports).contains("4 " + llGroup, "4 ff02::1:ff01:2");
        assertThat(String.join("|", reports)).doesNotContain("ff02::1 ").doesNotEndWith("ff02::1");
        // The two joins (link-local, static) came together: their repetitions merge into one report of both (§6.1).
        assertThat(reports).hasSize(3);
        assertThat(reports.get(2)).startsWith("4 ").contains(llGroup, "ff02::1:ff01:2");
        assertThat(a.counters().get("mld.tx.reports")).isEqualTo(3);
    }

    @Test
    void generalQueryIsAnsweredWithTheCurrentStateWithinItsDelay() {
        a = NetStack.builder(loop).name("a").device(port).config(StackConfig.defaults().toBuilder().ipv6Address("fd00::1:2/64").build())
                .seed(1).build();
        loop.runFor(5 * SECOND);
        record();
        byte[] q = new byte[Mldv2.QUERY_LENGTH];
        q[0] = (byte) Icmpv6Message.TYPE_MLD_QUERY;
        Bytes.putU16(q, 4, 1000); // Maximum Response Code 1000 ms
        byte[] frame = Ipv6TestFrames.icmpv6(0x02_00_00_00_00_99L, Ipv6Address.multicastMac(1), Ipv6Address.parse("fe80::99"),
                Ipv6Address.ALL_NODES, 1, q, q.length);
        port.injectReceived(frame);
        loop.runFor(SECOND + 1);
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).startsWith("2 ").contains("ff02::1:ff01:2"); // MODE_IS_EXCLUDE, both groups
        assertThat(reports.get(0).split(" ")).hasSize(3);
        assertThat(a.counters().get("mld.rx.queries")).isEqualTo(1);
    }
}
