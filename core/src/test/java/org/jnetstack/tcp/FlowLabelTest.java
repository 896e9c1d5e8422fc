package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TCP over IPv6 labels each flow (RFC 6437 §3) and carries the connection's traffic class. */
class FlowLabelTest {
    static final long SECOND = 1_000_000_000L;
    static final Ipv6Address B6 = Ipv6Address.parse("fd00::2");
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort portA = new TestPort(lan.newPort("a"));
    final List<byte[]> tcpFromA = new ArrayList<>();

    @AfterEach
    void close() {
        loop.close();
    }

    NetStack stack(String name, int n, TestPort port, long seed) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address("fd00::" + n + "/64").build();
        return NetStack.builder(loop).name(name).device(port).address("10.0.0." + n + "/24").config(cfg).seed(seed).build();
    }

    static int label(byte[] f) {
        return Bytes.i32(f, 14) & 0xF_FFFF;
    }

    static int trafficClass(byte[] f) {
        return (Bytes.i32(f, 14) >>> 20) & 0xFF;
    }

    static int localPort(byte[] f) {
        return Bytes.u16(f, 54);
    }

    @Test
    void everySegmentOfAConnectionCarriesItsOwnStableLabelAndTheTrafficClass() {
        NetStack a = stack("a", 1, portA, 1);
        NetStack b = stack("b", 2, new TestPort(lan.newPort("b")), 2);
        assertThat(loop.runUntil(() -> settled(a) && settled(b), 10 * SECOND)).isTrue();
        portA.txFilter = f -> {
            if (Bytes.u16(f, 12) == 0x86DD && f[20] == 6) {
                tcpFromA.add(f);
            }
            return true;
        };
        b.tcp().listen(80, l -> l.accept());
        TcpConnection one = a.tcp().connect(B6, 80, new TcpHandler() { });
        TcpConnection two = a.tcp().connect(B6, 80, new TcpHandler() { });
        assertThat(loop.runUntil(() -> one.state() == TcpState.ESTABLISHED && two.state() == TcpState.ESTABLISHED, 5 * SECOND)).isTrue();
        one.setTrafficClass(0xB8); // DSCP EF
        one.write(new byte[3000], 0, 3000);
        two.write(new byte[3000], 0, 3000);
        loop.runFor(SECOND);

        Set<Integer> labelsOfOne = new TreeSet<>();
        Set<Integer> labelsOfTwo = new TreeSet<>();
        for (byte[] f : tcpFromA) {
            (localPort(f) == one.localPort() ? labelsOfOne : labelsOfTwo).add(label(f));
        }
        assertThat(labelsOfOne).singleElement().isNotEqualTo(0);
        assertThat(labelsOfTwo).singleElement().isNotEqualTo(0);
        assertThat(labelsOfOne).doesNotContainAnyElementsOf(labelsOfTwo);
        byte[] last = tcpFromA.stream().filter(f -> localPort(f) == one.localPort()).reduce((x, y) -> y).orElseThrow();
        assertThat(trafficClass(last)).isEqualTo(0xB8);

        // The label is keyed by the stack's secret: another stack labels the same 4-tuple otherwise.
        assertThat(a.tcp().writer.flowLabel(1, 2, 3, 4, 5, 6)).isNotEqualTo(b.tcp().writer.flowLabel(1, 2, 3, 4, 5, 6));
    }

    static boolean settled(NetStack s) {
        return !s.ipv6Addresses().isEmpty() && s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE);
    }
}
