package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.TcpHeader;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 5961 blind-attack defences and RFC 7323 PAWS, with segments forged by hand. */
class TcpAttackTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire();
    NetStack a;
    NetStack b;
    TcpConnection server;
    TcpConnection client;
    final List<String> serverEvents = new ArrayList<>();

    @BeforeEach
    void establish() {
        a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2).build();
        b.tcp().listen(80, l -> {
            server = l.accept();
            server.setHandler(new TcpHandler() {
                @Override
                public void onError(TcpConnection c, IOException e) {
                    serverEvents.add(e.getMessage());
                }

                @Override
                public void onReceive(TcpConnection c) {
                    serverEvents.add("data " + c.read(new byte[100], 0, 100));
                }
            });
        });
        client = a.tcp().connect(B, 80, new TcpHandler() { });
        loop.runUntil(() -> server != null && client.state() == TcpState.ESTABLISHED, 1_000_000_000L);
        loop.runFor(100_000_000L);
    }

    /** Injects a segment "from the client" into the server's stack. */
    void forge(int seq, int ack, int flags, Integer tsVal, byte[] payload) {
        byte[] f = new byte[14 + 20 + 60 + payload.length];
        TcpOptions o = null;
        if (tsVal != null) {
            o = new TcpOptions().setTimestamps(tsVal, 0);
        }
        int hl = TcpSegment.headerLength(o);
        System.arraycopy(payload, 0, f, 34 + hl, payload.length);
        TcpSegment.write(f, 34, new TcpHeader().ports(client.localPort(), 80)
                .segment(seq, ack, flags, 1000).options(o), payload.length, A, B);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(20 + hl + payload.length)
                .identification(99).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(A, B));
        EthernetFrame.write(f, 0, wire.b().mac().bits(), wire.a().mac().bits(), EthernetFrame.TYPE_IPV4);
        wire.a().send(f, 0, 34 + hl + payload.length);
        loop.runPending();
    }

    @Test
    void inWindowResetThatIsNotExactDrawsAChallengeAckAndTheConnectionSurvives() {
        int rcvNxt = server.rcvNxtForTest();
        forge(rcvNxt + 100, 0, TcpSegment.RST, null, new byte[0]);
        assertThat(server.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(b.counters().get("tcp.challenge_acks")).isEqualTo(1);
        forge(rcvNxt + 1_000_000_000, 0, TcpSegment.RST, null, new byte[0]); // out of window: silently dropped
        assertThat(b.counters().get("tcp.challenge_acks")).isEqualTo(1);
        assertThat(server.state()).isEqualTo(TcpState.ESTABLISHED);
        forge(rcvNxt, 0, TcpSegment.RST, null, new byte[0]); // exact: reset
        assertThat(server.state()).isEqualTo(TcpState.CLOSED);
        assertThat(serverEvents).containsExactly("Connection reset");
    }

    @Test
    void synOnAnEstablishedConnectionDrawsAChallengeAckNotAReset() {
        forge(server.rcvNxtForTest() + 5, 0, TcpSegment.SYN, null, new byte[0]);
        assertThat(server.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(b.counters().get("tcp.challenge_acks")).isEqualTo(1);
        assertThat(b.counters().get("tcp.tx.resets")).isZero();
    }

    @Test
    void ackForDataNeverSentIsDropped() {
        forge(server.rcvNxtForTest(), server.sndNxtForTest() + 5000, TcpSegment.ACK, null, "evil".getBytes());
        assertThat(serverEvents).isEmpty();
        assertThat(b.counters().get("tcp.rx.ack_too_new")).isEqualTo(1);
    }

    @Test
    void pawsDropsASegmentWithAnOldTimestamp() {
        int ts = server.tsRecentForTest();
        forge(server.rcvNxtForTest(), server.sndNxtForTest(), TcpSegment.ACK, ts - 1000, "old!".getBytes());
        assertThat(serverEvents).isEmpty();
        assertThat(b.counters().get("tcp.paws_rejected")).isEqualTo(1);
        forge(server.rcvNxtForTest(), server.sndNxtForTest(), TcpSegment.ACK, ts + 1, "new!".getBytes());
        assertThat(serverEvents).containsExactly("data 4");
    }

    @Test
    void segmentForNoConnectionIsAnsweredWithReset() {
        long before = b.counters().get("tcp.tx.resets");
        byte[] f = new byte[14 + 20 + 20];
        TcpSegment.write(f, 34, new TcpHeader().ports(4444, 81).segment(1000, 0, TcpSegment.SYN, 1000), 0, A, B);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(40)
                .identification(1).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(A, B));
        EthernetFrame.write(f, 0, wire.b().mac().bits(), wire.a().mac().bits(), EthernetFrame.TYPE_IPV4);
        wire.a().send(f, 0, f.length);
        loop.runPending();
        assertThat(b.counters().get("tcp.tx.resets")).isEqualTo(before + 1);
    }

    @Test
    void synFloodIsAnsweredWithCookiesAndARealClientStillConnects() {
        NetStack victim = NetStack.builder(loop).name("v").device(new VirtualWire().a()).address("10.9.0.1/24").seed(5).build();
        VirtualWire w2 = new VirtualWire();
        EventLoop l2 = EventLoop.virtual();
        NetStack server2 = NetStack.builder(l2).name("s").device(w2.b()).address("10.0.0.2/24").seed(3)
                .tcpConfig(TcpConfig.defaults().toBuilder().synQueue(4).build()).build();
        NetStack client2 = NetStack.builder(l2).name("c").device(w2.a()).address("10.0.0.1/24").seed(4).build();
        List<TcpConnection> accepted = new ArrayList<>();
        server2.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                accepted.add(c);
                c.setHandler(new TcpHandler() {
                    @Override
                    public void onReceive(TcpConnection x) {
                        byte[] buf = new byte[100];
                        int n = x.read(buf, 0, 100);
                        x.write(buf, 0, n); // echo
                    }
                });
            }
        });
        floodWithSpoofedSyns(w2);
        l2.runFor(100_000_000L);
        assertThat(server2.counters().get("tcp.syn_cookies_sent")).isGreaterThan(150);
        assertThat(server2.tcp().connections().size()).isLessThanOrEqualTo(4); // state stays bounded
        // A real client connects while the queue is still full of half-open junk: via a cookie.
        byte[][] echoed = new byte[1][];
        TcpConnection c = client2.tcp().connect(B, 80, new TcpHandler() {
            @Override
            public void onConnected(TcpConnection x) {
                x.write("hello".getBytes(), 0, 5);
            }

            @Override
            public void onReceive(TcpConnection x) {
                byte[] buf = new byte[100];
                int n = x.read(buf, 0, 100);
                echoed[0] = java.util.Arrays.copyOf(buf, n);
            }
        });
        l2.runUntil(() -> echoed[0] != null, 5_000_000_000L);
        assertThat(new String(echoed[0])).isEqualTo("hello");
        assertThat(server2.counters().get("tcp.syn_cookies_accepted")).isEqualTo(1);
        assertThat(c.info().timestamps()).isFalse(); // a cookie connection has no options but MSS
        assertThat(victim).isNotNull();
    }

    /** 200 spoofed SYNs to port 80 from addresses that never answer: a small SYN queue fills. */
    private static void floodWithSpoofedSyns(VirtualWire w) {
        for (int i = 0; i < 200; i++) {
            byte[] f = new byte[14 + 20 + 20];
            int spoofed = Ipv4Address.parseBits("10.0.0.50") + (i % 100);
            TcpSegment.write(f, 34, new TcpHeader().ports(10000 + i, 80)
                    .segment(i * 7919, 0, TcpSegment.SYN, 1000), 0, spoofed, B);
            Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(40)
                    .identification(i).flagsAndOffset(0)
                    .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(spoofed, B));
            EthernetFrame.write(f, 0, w.b().mac().bits(), 0x02000000AA00L + i, EthernetFrame.TYPE_IPV4);
            w.a().send(f, 0, f.length);
        }
    }

    @Test
    void aCookieHandshakeCompletedWhileThereIsNoRoomIsNotResetAndOpensOnceThereIs() {
        VirtualWire w2 = new VirtualWire();
        EventLoop l2 = EventLoop.virtual();
        // One connection per source: the client's second cookie handshake completes with no room.
        NetStack server2 = NetStack.builder(l2).name("s").device(w2.b()).address("10.0.0.2/24").seed(3)
                .tcpConfig(TcpConfig.defaults().toBuilder().synQueue(4).maxConnectionsPerSource(1).build()).build();
        NetStack client2 = NetStack.builder(l2).name("c").device(w2.a()).address("10.0.0.1/24").seed(4).build();
        server2.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(new TcpHandler() {
                    @Override
                    public void onReceive(TcpConnection x) {
                        byte[] buf = new byte[100];
                        int n = x.read(buf, 0, 100);
                        x.write(buf, 0, n); // echo
                    }

                    @Override
                    public void onEndOfInput(TcpConnection x) {
                        x.close();
                    }
                });
            }
        });
        floodWithSpoofedSyns(w2);
        l2.runFor(100_000_000L);
        String[] echoed = new String[2];
        IOException[] errors = new IOException[2];
        TcpConnection[] conns = new TcpConnection[2];
        for (int i = 0; i < 2; i++) {
            int k = i;
            conns[i] = client2.tcp().connect(B, 80, new TcpHandler() {
                @Override
                public void onConnected(TcpConnection x) {
                    x.write(("hello" + k).getBytes(), 0, 6);
                }

                @Override
                public void onReceive(TcpConnection x) {
                    byte[] buf = new byte[100];
                    int n = x.read(buf, 0, 100);
                    echoed[k] = new String(buf, 0, n);
                }

                @Override
                public void onError(TcpConnection x, IOException e) {
                    errors[k] = e;
                }
            });
        }
        l2.runFor(3_000_000_000L);
        assertThat(echoed[0]).isEqualTo("hello0");
        assertThat(echoed[1]).as("no room for the second yet").isNull();
        assertThat(errors[1]).as("and it was not reset").isNull();
        assertThat(server2.counters().get("tcp.syn_cookies_deferred")).isPositive();

        conns[0].close(); // the source's one connection ends: room for the second
        l2.runUntil(() -> echoed[1] != null || errors[1] != null, 120_000_000_000L);
        assertThat(errors[1]).isNull();
        assertThat(echoed[1]).as("opened by its retransmission").isEqualTo("hello1");
        assertThat(server2.counters().get("tcp.syn_cookies_accepted")).isEqualTo(2);
    }
}
