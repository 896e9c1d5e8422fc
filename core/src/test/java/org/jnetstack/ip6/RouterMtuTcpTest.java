package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.NdpWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Router Advertisement's MTU option (RFC 4861 §4.6.4, §6.3.4) changes the link MTU, and TCP
 * connections over IPv6 on that link follow it like a validated Packet Too Big (RFC 8201 §5.2):
 * an established connection's MSS is cut at its next send, so its segments fit the link instead
 * of being fragmented by the IPv6 layer. On a virtual switch with a virtual clock; the link past
 * stack a drops every IPv6 frame larger than the advertised MTU (without telling anyone).
 */
class RouterMtuTcpTest {
    static final long SECOND = 1_000_000_000L;
    static final long ROUTER_MAC = 0x02_00_00_00_00_feL;
    static final Ipv6Address ROUTER = Ipv6Address.parse("fe80::fe");
    static final Ipv6Address B = Ipv6Address.parse("fd00::2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort portA = new TestPort(lan.newPort("a"));
    final TestPort portB = new TestPort(lan.newPort("b"));
    final NetStack a = stack("a", 1, portA);
    final NetStack b = stack("b", 2, portB);
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    /** The narrowed link's MTU: larger IPv6 packets from a are lost. */
    int linkMtu = 1500;
    int oversizeDropped;

    RouterMtuTcpTest() {
        assertThat(loop.runUntil(() -> settled(a) && settled(b), 10 * SECOND)).isTrue();
        portA.txFilter = f -> {
            if (Bytes.u16(f, 12) == EthernetFrame.TYPE_IPV6 && f.length - EthernetFrame.HEADER_LENGTH > linkMtu) {
                oversizeDropped++;
                return false;
            }
            return true;
        };
        b.tcp().listen(80, l -> l.accept().setHandler(new TcpHandler() {
            final byte[] buf = new byte[65536];

            @Override
            public void onReceive(TcpConnection c) {
                int n;
                while ((n = c.read(buf, 0, buf.length)) > 0) {
                    received.write(buf, 0, n);
                }
            }
        }));
    }

    @AfterEach
    void close() {
        loop.close();
    }

    NetStack stack(String name, int n, TestPort port) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address("fd00::" + n + "/64").build();
        return NetStack.builder(loop).name(name).device(port).config(cfg).seed(n).build();
    }

    static boolean settled(NetStack s) {
        return !s.ipv6Addresses().isEmpty() && s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE);
    }

    /** A connection from a to b:80 that writes all of {@code data}. */
    final class Writer implements TcpHandler {
        final TcpConnection c;
        byte[] data = new byte[0];
        int sent;

        Writer() {
            c = a.tcp().connect(B, 80, this);
            assertThat(loop.runUntil(() -> c.state() == TcpState.ESTABLISHED, 5 * SECOND)).isTrue();
        }

        void send(byte[] more) {
            data = more;
            sent = 0;
            onSent(c, 0);
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            while (sent < data.length) {
                int n = c.write(data, sent, data.length - sent);
                if (n <= 0) {
                    return;
                }
                sent += n;
            }
        }
    }

    void advertiseMtu(long mtu) {
        NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().routerLifetime(0).sourceMac(ROUTER_MAC).mtu(mtu);
        portA.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 255, ra));
        loop.runFor(SECOND / 100);
    }

    static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    long count(NetStack s, String name) {
        return s.counters().get(name);
    }

    @Test
    void anEstablishedConnectionFollowsAnAdvertisedLowerMtu() {
        Writer w = new Writer();
        assertThat(w.c.info().mss()).as("1500 - 40 - 20, less 12 of timestamps").isEqualTo(1428);
        byte[] first = random(50_000, 1);
        w.send(first);
        assertThat(loop.runUntil(() -> received.size() == first.length, 30 * SECOND)).isTrue();

        advertiseMtu(1300);
        linkMtu = 1300;
        assertThat(a.ipv6().interfaces().getFirst().linkMtu()).isEqualTo(1300);
        byte[] second = random(300_000, 2);
        w.send(second);
        assertThat(loop.runUntil(() -> received.size() == first.length + second.length, 60 * SECOND)).isTrue();
        assertThat(w.c.info().mss()).as("1300 - 60 - 12").isEqualTo(1228);
        assertThat(count(a, "tcp.pmtu.mss_lowered")).isEqualTo(1);
        assertThat(count(a, "ip6.frag.tx")).as("segments were cut, not fragmented").isZero();
        assertThat(oversizeDropped).isZero();
        assertThat(count(a, "tcp.timeouts")).isZero();
        byte[] all = received.toByteArray();
        assertThat(java.util.Arrays.copyOfRange(all, first.length, all.length)).isEqualTo(second);
    }

    @Test
    void anAdvertisedHigherMtuLetsTheMssGrowBack() {
        advertiseMtu(1300);
        linkMtu = 1300;
        Writer w = new Writer();
        assertThat(w.c.info().mss()).as("the handshake takes the advertised MTU").isEqualTo(1228);

        advertiseMtu(1500);
        linkMtu = 1500;
        byte[] data = random(100_000, 3);
        w.send(data);
        assertThat(loop.runUntil(() -> received.size() == data.length, 30 * SECOND)).isTrue();
        assertThat(w.c.info().mss()).as("as far as the peer's MSS allows").isEqualTo(1428);
        assertThat(count(a, "tcp.pmtu.mss_raised")).isEqualTo(1);
    }

    @Test
    void anMtuOptionBelowTheIpv6MinimumChangesNothing() {
        Writer w = new Writer();
        advertiseMtu(1000);
        byte[] data = random(100_000, 4);
        w.send(data);
        assertThat(loop.runUntil(() -> received.size() == data.length, 30 * SECOND)).isTrue();
        assertThat(count(a, "nd.rx.mtu_option_ignored")).isEqualTo(1);
        assertThat(w.c.info().mss()).isEqualTo(1428);
        assertThat(count(a, "tcp.pmtu.mss_lowered")).isZero();
    }
}
