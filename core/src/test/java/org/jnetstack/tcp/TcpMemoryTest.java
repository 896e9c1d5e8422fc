package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.MemoryUse;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.TcpHeader;
import org.jnetstack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

/**
 * Memory follows data: what a connection holds before data, with data queued, once drained and
 * in TIME-WAIT (by the pool's accounting and the connections' footprints, not heap sampling);
 * the stack-wide budget refusing new connections, and counting it, while an established one keeps
 * every byte; the per-source and per-listener limits.
 */
class TcpMemoryTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final List<TcpConnection> accepted = new ArrayList<>();

    NetStack host(String name, int lastOctet, StackConfig config, TcpConfig tcp) {
        return NetStack.builder(loop).name(name).device(lan.newPort(name)).address("10.0.0." + lastOctet + "/24")
                .seed(lastOctet).config(config).tcpConfig(tcp).build();
    }

    /** Accepts everything on {@code port}; the connections keep what they receive (no reading). */
    TcpListener listen(NetStack s, int port) {
        return s.tcp().listen(port, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(new TcpHandler() { });
                accepted.add(c);
            }
        });
    }

    TcpConnection connect(NetStack from, int port) {
        TcpConnection c = from.tcp().connect(B, port, new TcpHandler() { });
        loop.runUntil(() -> c.state() != TcpState.SYN_SENT, 10 * SECOND);
        return c;
    }

    static byte[] pattern(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((from + i) * 31 + 7);
        }
        return b;
    }

    @Test
    void buffersGrowWithDataAndGiveEverythingBackWhenDrainedAndInTimeWait() {
        NetStack a = host("a", 1, StackConfig.defaults(), TcpConfig.defaults());
        NetStack b = host("b", 2, StackConfig.defaults(), TcpConfig.defaults());
        listen(b, 80);
        TcpConnection client = connect(a, 80);
        loop.runFor(SECOND);
        TcpConnection server = accepted.get(0);
        assertThat(client.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(client.bufferFootprint()).as("never used").isZero();
        assertThat(server.bufferFootprint()).isZero();
        assertThat(a.tcp().memory().used() + b.tcp().memory().used()).isZero();

        // One byte each way: a page while it is held, nothing once read and acknowledged.
        assertThat(client.write(new byte[] {42}, 0, 1)).isEqualTo(1);
        assertThat(client.bufferFootprint()).as("one byte queued: one page").isEqualTo(MemoryBudget.PAGE);
        loop.runFor(SECOND / 100);
        assertThat(server.readable()).isEqualTo(1);
        assertThat(server.bufferFootprint()).isEqualTo(MemoryBudget.PAGE);
        assertThat(b.tcp().memory().used()).isEqualTo(MemoryBudget.PAGE);
        byte[] one = new byte[1];
        assertThat(server.read(one, 0, 1)).isEqualTo(1);
        assertThat(one[0]).isEqualTo((byte) 42);
        server.write(new byte[] {43}, 0, 1);
        loop.runFor(SECOND);
        assertThat(client.read(one, 0, 1)).isEqualTo(1);
        assertThat(one[0]).isEqualTo((byte) 43);
        loop.runFor(SECOND);
        assertThat(client.bufferFootprint()).as("after 1 byte each way, drained").isZero();
        assertThat(server.bufferFootprint()).isZero();
        assertThat(a.tcp().memory().used()).isZero();
        assertThat(b.tcp().memory().used()).isZero();

        // Bulk with the reader stalled: the receive ring grows in doubling pages, never past the capacity.
        byte[] data = pattern(0, 200_000);
        int written = 0;
        long deadline = loop.clock().nanos() + 10 * SECOND;
        while (written < data.length && loop.clock().nanos() < deadline) {
            written += client.write(data, written, data.length - written);
            loop.runFor(SECOND / 100);
        }
        loop.runFor(SECOND);
        int held = server.readable();
        assertThat(held).isPositive();
        int rcvRing = server.bufferFootprint();
        assertThat(rcvRing).as("storage for what is held, a power-of-two number of pages")
                .isGreaterThanOrEqualTo(held).isLessThanOrEqualTo(server.receiveBufferSize())
                .matches(n -> Integer.bitCount(n / MemoryBudget.PAGE) == 1 && n % MemoryBudget.PAGE == 0);
        assertThat(b.tcp().memory().used()).isEqualTo(rcvRing);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] chunk = new byte[7000];
        deadline = loop.clock().nanos() + 60 * SECOND;
        while (got.size() < data.length && loop.clock().nanos() < deadline) {
            int n;
            while ((n = server.read(chunk, 0, chunk.length)) > 0) {
                got.write(chunk, 0, n);
            }
            if (written < data.length) {
                written += client.write(data, written, data.length - written);
            }
            loop.runFor(SECOND / 100);
        }
        assertThat(got.toByteArray()).isEqualTo(data);
        loop.runFor(SECOND);
        assertThat(client.bufferFootprint() + server.bufferFootprint()).as("drained again").isZero();
        assertThat(a.tcp().memory().used() + b.tcp().memory().used()).isZero();

        // TIME-WAIT: the active closer keeps a small record, not the connection.
        client.close();
        loop.runFor(SECOND / 10);
        server.close();
        loop.runFor(SECOND / 10);
        assertThat(client.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(a.tcp().connections()).as("out of the connection table").isEmpty();
        assertThat(a.tcp().timeWaitCount()).isEqualTo(1);
        assertThat(client.bufferFootprint()).isZero();
        assertThat(a.tcp().memory().used()).isZero();
        loop.runFor(2 * TcpConfig.defaults().msl().toNanos() + SECOND);
        assertThat(client.state()).isEqualTo(TcpState.CLOSED);
        assertThat(a.tcp().timeWaitCount()).isZero();
    }

    @Test
    void theTimeWaitRecordAnswersARetransmittedFinAndAnExactResetEndsIt() {
        NetStack a = host("a", 1, StackConfig.defaults(), TcpConfig.defaults());
        NetStack b = host("b", 2, StackConfig.defaults(), TcpConfig.defaults());
        listen(b, 80);
        TcpConnection client = connect(a, 80);
        loop.runFor(SECOND);
        TcpConnection server = accepted.get(0);
        client.close();
        loop.runFor(SECOND / 10);
        server.close();
        loop.runFor(SECOND / 10);
        assertThat(client.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(server.state()).isEqualTo(TcpState.CLOSED);
        assertThatThrownBy(() -> a.tcp().connect(client.localPort(), B, 80, new TcpHandler() { }))
                .as("the 4-tuple is still taken").hasRootCauseInstanceOf(java.net.BindException.class);

        // The server's FIN again, as if our ACK had been lost: the record acknowledges it; the
        // server, closed, answers that ACK with a RST whose sequence number is exactly RCV.NXT,
        // which ends the wait (RFC 9293 §3.10.7.4).
        long sentBefore = a.counters().get("tcp.tx.segments");
        long resetsBefore = b.counters().get("tcp.tx.resets");
        forge(a, B, 80, client.localPort(), client.rcvNxtForTest() - 1, client.sndNxtForTest(),
                TcpSegment.FIN | TcpSegment.ACK);
        loop.runFor(SECOND / 10);
        assertThat(a.counters().get("tcp.tx.segments")).as("the record's ACK").isEqualTo(sentBefore + 1);
        assertThat(b.counters().get("tcp.tx.resets")).isEqualTo(resetsBefore + 1);
        assertThat(a.tcp().timeWaitCount()).isZero();
        assertThat(client.state()).isEqualTo(TcpState.CLOSED);
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    VirtualSwitch.Port forger;

    /** Sends a forged TCP segment (no payload) from {@code srcIp:srcPort} to {@code to}'s address. */
    void forge(NetStack to, int srcIp, int srcPort, int dstPort, int seq, int ack, int flags) {
        if (forger == null) {
            forger = lan.newPort("forger");
        }
        int dstIp = to.iface().address();
        byte[] f = new byte[14 + 20 + 20];
        TcpSegment.write(f, 34, new TcpHeader().ports(srcPort, dstPort)
                .segment(seq, ack, flags, 1000), 0, srcIp, dstIp);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(40)
                .identification(7).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(srcIp, dstIp));
        EthernetFrame.write(f, 0, to.iface().mac().bits(), forger.mac().bits(), EthernetFrame.TYPE_IPV4);
        forger.send(f, 0, f.length);
    }

    @Test
    void theBudgetRefusesNewConnectionsAndCountsWhileTheEstablishedOneKeepsItsData() {
        NetStack a = host("a", 1, StackConfig.defaults(), TcpConfig.defaults());
        // 96 KiB for the whole server stack: one connection's window fills it.
        NetStack b = host("b", 2, StackConfig.defaults().toBuilder().memoryBudget(96 * 1024).build(), TcpConfig.defaults());
        listen(b, 80);
        TcpConnection client = connect(a, 80);
        loop.runFor(SECOND);
        TcpConnection server = accepted.get(0);
        byte[] data = pattern(5, 400_000);
        int[] written = {0};
        for (int i = 0; i < 300 && written[0] < data.length; i++) {
            written[0] += client.write(data, written[0], data.length - written[0]);
            loop.runFor(SECOND / 100);
        }
        MemoryUse memory = b.tcp().memory();
        int[] maxHeld = {server.readable()};
        assertThat(memory.underPressure()).as("held %d of %d", memory.used(), memory.limit()).isTrue();
        long advertised = server.info().receiveWindow();
        assertThat((long) server.readable() + advertised)
                .as("the window never promises more than the budget holds or may still give")
                .isLessThanOrEqualTo(Math.max(memory.used(), memory.limit()) + MemoryBudget.PAGE);

        // New connections: refused (at the limit) or answered statelessly (under pressure), and counted.
        List<TcpConnection> late = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            late.add(a.tcp().connect(B, 80, new TcpHandler() { }));
        }
        loop.runFor(SECOND / 10);
        long refused = b.counters().get("tcp.refused.memory") + b.counters().get("tcp.syn_cookies_memory_pressure");
        assertThat(refused).as("refusals counted").isGreaterThanOrEqualTo(5);
        assertThat(b.tcp().connections()).as("no new connection state while under pressure").hasSize(1);

        // The established connection loses nothing: every byte arrives, in order.
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] chunk = new byte[3000];
        long deadline = loop.clock().nanos() + 600 * SECOND;
        while (got.size() < data.length && loop.clock().nanos() < deadline) {
            int n;
            maxHeld[0] = Math.max(maxHeld[0], server.readable());
            while ((n = server.read(chunk, 0, chunk.length)) > 0) {
                got.write(chunk, 0, n);
            }
            if (written[0] < data.length) {
                written[0] += client.write(data, written[0], data.length - written[0]);
            }
            loop.runFor(SECOND / 100);
        }
        assertThat(got.toByteArray()).isEqualTo(data);
        assertThat((long) maxHeld[0]).as("data held never passed what the budget could give")
                .isLessThanOrEqualTo(memory.limit() + MemoryBudget.PAGE);
        assertThat(memory.peak()).as("storage: at most that, twice while a ring is moved to a larger one")
                .isLessThanOrEqualTo(2 * (memory.limit() + MemoryBudget.PAGE));

        // Drained: memory is back, and a new connection gets in.
        loop.runFor(SECOND);
        assertThat(memory.used()).isZero();
        TcpConnection fresh = connect(a, 80);
        assertThat(fresh.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    @Test
    void oneSourceCannotTakeMoreThanItsShareAndAnotherSourceStillGetsIn() {
        TcpConfig limited = TcpConfig.defaults().toBuilder().maxConnectionsPerSource(3).synRetries(1).build();
        NetStack a = host("a", 1, StackConfig.defaults(), TcpConfig.defaults());
        NetStack b = host("b", 2, StackConfig.defaults(), limited);
        NetStack c = host("c", 3, StackConfig.defaults(), TcpConfig.defaults());
        listen(b, 80);
        List<TcpConnection> fromA = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fromA.add(a.tcp().connect(B, 80, new TcpHandler() { }));
        }
        loop.runFor(SECOND / 10);
        assertThat(fromA.stream().filter(x -> x.state() == TcpState.ESTABLISHED)).hasSize(3);
        assertThat(b.tcp().connectionsFrom(A)).isEqualTo(3);
        assertThat(b.counters().get("tcp.refused.per_source")).isGreaterThanOrEqualTo(2);
        TcpConnection fromC = connect(c, 80);
        assertThat(fromC.state()).as("another source is served").isEqualTo(TcpState.ESTABLISHED);

        // One of a's connections ends: its share frees up.
        fromA.get(0).abort();
        loop.runFor(SECOND / 10);
        assertThat(b.tcp().connectionsFrom(A)).isEqualTo(2);
        TcpConnection again = connect(a, 80);
        assertThat(again.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void halfOpenConnectionsPerSourceAreBounded() {
        TcpConfig limited = TcpConfig.defaults().toBuilder().maxHalfOpenPerSource(2).build();
        NetStack b = host("b", 2, StackConfig.defaults(), limited);
        NetStack c = host("c", 3, StackConfig.defaults(), TcpConfig.defaults());
        listen(b, 80);
        // SYNs from 10.0.0.9, an address nobody answers ARP for: their SYN-ACKs never get an ACK.
        int flooder = Ipv4Address.parseBits("10.0.0.9");
        for (int port = 40000; port < 40006; port++) {
            forge(b, flooder, port, 80, 1000 * port, 0, TcpSegment.SYN);
        }
        loop.runFor(SECOND / 100);
        assertThat(b.tcp().connections()).as("half-open from the flooder").hasSize(2);
        assertThat(b.counters().get("tcp.refused.per_source_half_open")).isEqualTo(4);
        assertThat(connect(c, 80).state()).as("another source is served").isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void aListenerTakesNoMoreThanItsLimitAndTheOtherListenerStillAccepts() {
        TcpConfig limited = TcpConfig.defaults().toBuilder().maxConnectionsPerListener(2).build();
        NetStack a = host("a", 1, StackConfig.defaults(), TcpConfig.defaults());
        NetStack b = host("b", 2, StackConfig.defaults(), limited);
        TcpListener busy = listen(b, 80);
        listen(b, 81);
        for (int i = 0; i < 4; i++) {
            a.tcp().connect(B, 80, new TcpHandler() { });
        }
        loop.runFor(SECOND / 10);
        assertThat(busy.connections()).isEqualTo(2);
        assertThat(b.counters().get("tcp.refused.per_listener")).isGreaterThanOrEqualTo(2);
        assertThat(connect(a, 81).state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void timeWaitRecordsAreBoundedTheOldestEndsFirst() {
        TcpConfig twoRecords = TcpConfig.defaults().toBuilder().maxTimeWaits(2).build();
        NetStack a = host("a", 1, StackConfig.defaults(), twoRecords);
        NetStack b = host("b", 2, StackConfig.defaults(), TcpConfig.defaults());
        listen(b, 80);
        List<TcpConnection> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TcpConnection c = connect(a, 80);
            loop.runFor(SECOND / 10);
            c.close();
            loop.runFor(SECOND / 10);
            accepted.get(i).close();
            loop.runFor(SECOND / 10);
            clients.add(c);
        }
        assertThat(a.tcp().timeWaitCount()).isEqualTo(2);
        assertThat(a.counters().get("tcp.time_wait_overflow")).isEqualTo(1);
        assertThat(clients.get(0).state()).as("the oldest wait ended").isEqualTo(TcpState.CLOSED);
        assertThat(clients.get(1).state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(clients.get(2).state()).isEqualTo(TcpState.TIME_WAIT);
    }
}
