package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TCP and UDP between two stacks over IPv6 on a virtual switch (virtual clock, seeded). */
class TcpOverIpv6Test {
    static final long SECOND = 1_000_000_000L;
    static final Ipv6Address A6 = Ipv6Address.parse("fd00::1");
    static final Ipv6Address B6 = Ipv6Address.parse("fd00::2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    NetStack a;
    NetStack b;

    @AfterEach
    void close() {
        loop.close();
    }

    void setUp(double loss) {
        a = stack("a", 1, "fd00::1/64", loss);
        b = stack("b", 2, "fd00::2/64", loss);
        assertThat(loop.runUntil(() -> settled(a) && settled(b), 10 * SECOND)).as("duplicate address detection ends").isTrue();
    }

    NetStack stack(String name, long seed, String address, double loss) {
        LinkDevice port = lan.newPort(name);
        if (loss > 0) {
            port = FaultInjector.builder().seed(seed).tx(FaultProfile.builder().loss(loss).build()).wrap(port);
        }
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address(address).build();
        return NetStack.builder(loop).name(name).device(port).address("10.0.0." + seed + "/24").config(cfg).seed(seed).build();
    }

    static boolean settled(NetStack s) {
        return !s.ipv6Addresses().isEmpty() && s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE);
    }

    /** Connects a to b's port 80 over IPv6, sends {@code data}, and returns what b's accepted connection read. */
    byte[] transfer(byte[] data) {
        return transfer(data, 1428);
    }

    byte[] transfer(byte[] data, int expectedMss) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean[] eof = {false};
        List<TcpConnection> accepted = new ArrayList<>();
        b.tcp().listen(80, l -> {
            TcpConnection c = l.accept();
            accepted.add(c);
            c.setHandler(new TcpHandler() {
                final byte[] buf = new byte[65536];

                @Override
                public void onReceive(TcpConnection c) {
                    int n;
                    while ((n = c.read(buf, 0, buf.length)) > 0) {
                        got.write(buf, 0, n);
                    }
                }

                @Override
                public void onEndOfInput(TcpConnection c) {
                    onReceive(c);
                    eof[0] = true;
                    c.close();
                }
            });
        });
        int[] sent = {0};
        TcpConnection client = a.tcp().connect(B6, 80, new TcpHandler() {
            @Override
            public void onConnected(TcpConnection c) {
                onSent(c, 0);
            }

            @Override
            public void onSent(TcpConnection c, int bytes) {
                if (sent[0] == data.length) {
                    return;
                }
                while (sent[0] < data.length) {
                    int n = c.write(data, sent[0], data.length - sent[0]);
                    if (n <= 0) {
                        return;
                    }
                    sent[0] += n;
                }
                c.close();
            }
        });
        assertThat(loop.runUntil(() -> eof[0], 600 * SECOND)).as("the transfer ends").isTrue();
        assertThat(client.remoteInetAddress()).isEqualTo(B6.toInetAddress());
        assertThat(client.info().remote()).isEqualTo("[fd00::2]:80");
        assertThat(accepted.get(0).remoteInetAddress()).isEqualTo(A6.toInetAddress());
        assertThat(accepted.get(0).info().mss()).as("MSS over IPv6: MTU - 40 - 20, less 12 bytes of timestamp option").isEqualTo(expectedMss);
        return got.toByteArray();
    }

    @Test
    void bulkTransferIsByteExact() {
        setUp(0);
        byte[] data = new byte[2_000_000];
        new Random(1).nextBytes(data);
        assertThat(transfer(data)).isEqualTo(data);
        assertThat(a.counters().get("ip.tx.packets")).as("the transfer went over IPv6 only").isZero();
    }

    @Test
    void bulkTransferIsByteExactWhenTheWireTakesLargeFramesByExchange() {
        // A virtual wire at MTU 65535 keeps a large frame's buffer and hands back another (no copy):
        // IPv6 output must go on in the buffer it got back, never in the one the wire now holds.
        VirtualWire wire = new VirtualWire("a", new MacAddress(0x02_00_00_00_00_01L), "b", new MacAddress(0x02_00_00_00_00_02L),
                65535, 1024);
        a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1)
                .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::1/64").build()).build();
        b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2)
                .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").build()).build();
        assertThat(loop.runUntil(() -> settled(a) && settled(b), 10 * SECOND)).isTrue();
        byte[] data = new byte[8_000_000];
        new Random(3).nextBytes(data);
        assertThat(transfer(data, 65535 - 40 - 20 - 12)).isEqualTo(data);
        assertThat(a.counters().get("tcp.retransmitted_segments")).isZero();
    }

    @Test
    void bulkTransferIsByteExactAtThreePercentLoss() {
        setUp(0.03);
        byte[] data = new byte[1_000_000];
        new Random(2).nextBytes(data);
        assertThat(transfer(data)).isEqualTo(data);
        assertThat(a.counters().get("tcp.retransmitted_segments")).as("losses were repaired").isPositive();
    }

    @Test
    void udpEchoesOverIpv6() {
        setUp(0);
        b.udp().open(7, new UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
            }

            @Override
            public void onDatagram6(UdpEndpoint ep, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
                ep.send(new Ipv6Address(srcHi, srcLo), srcPort, buf, off, len);
            }
        });
        List<String> replies = new ArrayList<>();
        UdpEndpoint client = a.udp().open(0, new UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
                replies.add("v4");
            }

            @Override
            public void onDatagram6(UdpEndpoint ep, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
                replies.add(Ipv6Address.format(srcHi, srcLo) + " " + srcPort + " " + new String(buf, off, len));
            }
        });
        byte[] msg = "hello over six".getBytes();
        assertThat(client.send(B6, 7, msg, 0, msg.length)).isTrue();
        assertThat(loop.runUntil(() -> !replies.isEmpty(), 5 * SECOND)).isTrue();
        assertThat(replies).containsExactly("fd00::2 7 hello over six");
    }
}
