package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * A gateway's catch-all tells connections apart by the full 4-tuple: one client port to two
 * destinations on the same port are two connections (as a NAT guest opens them), on the virtual clock.
 */
class TcpCatchAllTupleTest {
    static final int DST1 = Ipv4Address.parseBits("198.51.100.1");
    static final int DST2 = Ipv4Address.parseBits("198.51.100.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire();
    final NetStack client = NetStack.builder(loop).device(wire.a()).address("10.0.0.1/24").gateway(Ipv4Address.parse("10.0.0.2")).seed(1).build();
    final NetStack gateway = NetStack.builder(loop).device(wire.b()).address("10.0.0.2/24").seed(2).build();
    final List<TcpSynRequest> requests = new ArrayList<>();
    /** What each gateway-side connection received, by the destination address the client used. */
    final Map<Integer, StringBuilder> received = new LinkedHashMap<>();
    final List<TcpConnection> served = new ArrayList<>();

    TcpCatchAllTupleTest() {
        gateway.ipv4().setAcceptAnyDestination(true);
        gateway.tcp().listenAny(requests::add);
    }

    TcpConnection serve(TcpSynRequest r) {
        TcpConnection c = r.accept(new TcpHandler() {
            @Override
            public void onReceive(TcpConnection c) {
                byte[] b = new byte[c.readable()];
                int n = c.read(b, 0, b.length);
                received.computeIfAbsent(c.localAddress(), k -> new StringBuilder()).append(new String(b, 0, n, StandardCharsets.US_ASCII));
            }
        });
        served.add(c);
        return c;
    }

    @Test
    void oneSourcePortToTwoDestinationsOnTheSamePortIsTwoConnections() {
        TcpConnection one = client.tcp().connect(40000, DST1, 80, new TcpHandler() { });
        TcpConnection two = client.tcp().connect(40000, DST2, 80, new TcpHandler() { });
        // Both SYNs are undecided at once (a NAT is still connecting on the host), then accepted.
        loop.runUntil(() -> requests.size() == 2, 5 * SECOND);
        assertThat(requests).extracting(TcpSynRequest::localAddress).containsExactly(DST1, DST2);
        assertThat(gateway.tcp().pendingSynRequests()).isEqualTo(2);
        serve(requests.get(1));
        serve(requests.get(0));
        loop.runUntil(() -> one.state() == TcpState.ESTABLISHED && two.state() == TcpState.ESTABLISHED, 5 * SECOND);
        assertThat(gateway.tcp().connections()).hasSize(2);

        one.write("to one".getBytes(StandardCharsets.US_ASCII), 0, 6);
        two.write("to two".getBytes(StandardCharsets.US_ASCII), 0, 6);
        loop.runUntil(() -> received.size() == 2 && received.values().stream().allMatch(b -> b.length() == 6), 5 * SECOND);
        assertThat(received.get(DST1)).hasToString("to one");
        assertThat(received.get(DST2)).hasToString("to two");

        // Ending the first (the chain's head) leaves the second reachable, and the other way round.
        served.stream().filter(c -> c.localAddress() == DST1).findFirst().orElseThrow().abort();
        loop.runUntil(() -> one.state() == TcpState.CLOSED, 5 * SECOND);
        two.write("!".getBytes(StandardCharsets.US_ASCII), 0, 1);
        loop.runUntil(() -> received.get(DST2).length() == 7, 5 * SECOND);
        assertThat(received.get(DST2)).hasToString("to two!");
        assertThat(gateway.tcp().connections()).hasSize(1);

        // A new connection from the same port to the first destination is a fresh request again.
        TcpConnection again = client.tcp().connect(40000, DST1, 80, new TcpHandler() { });
        loop.runUntil(() -> requests.size() == 3, 5 * SECOND);
        serve(requests.get(2));
        loop.runUntil(() -> again.state() == TcpState.ESTABLISHED, 5 * SECOND);
        assertThat(gateway.tcp().connections()).extracting(TcpConnection::localAddress).containsExactlyInAnyOrder(DST1, DST2);
    }

    /** Local address {@code local} port 80, remote {@code remote} port 40000. */
    private FourTuple tuple(int local, int remote) {
        return new FourTuple(gateway.tcp().keys, 0, TransportAddresses.mappedLo(local), 80, 0,
                TransportAddresses.mappedLo(remote), 40000);
    }

    @Test
    void tupleTableKeepsEntriesApartByLocalAddress() {
        TcpConnection a = new TcpConnection(gateway.tcp(), TcpConfig.defaults(), tuple(DST1, 1), new TcpHandler() { });
        TcpConnection b = new TcpConnection(gateway.tcp(), TcpConfig.defaults(), tuple(DST2, 1), new TcpHandler() { });
        TcpConnection c = new TcpConnection(gateway.tcp(), TcpConfig.defaults(), tuple(3, 1), new TcpHandler() { });
        TcpConnection dup = new TcpConnection(gateway.tcp(), TcpConfig.defaults(), tuple(DST2, 1), new TcpHandler() { });
        TupleTable<TcpConnection> t = new TupleTable<>(x -> x.tuple, x -> x.sameKeyNext, (x, n) -> x.sameKeyNext = n);
        long k = a.tuple.key;
        assertThat(b.tuple.key).as("the key leaves the local address out").isEqualTo(k);
        assertThat(t.add(a)).isTrue();
        assertThat(t.add(b)).isTrue();
        assertThat(t.add(c)).isTrue();
        assertThat(t.add(dup)).as("same 4-tuple").isFalse();
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.get(k, 0, TransportAddresses.mappedLo(DST2), 0, TransportAddresses.mappedLo(1), 40000, 80)).isSameAs(b);
        t.remove(b); // middle of the chain
        assertThat(t.get(k, 0, TransportAddresses.mappedLo(DST2), 0, TransportAddresses.mappedLo(1), 40000, 80)).isNull();
        assertThat(t.get(k, 0, TransportAddresses.mappedLo(3), 0, TransportAddresses.mappedLo(1), 40000, 80)).isSameAs(c);
        t.remove(a); // the head
        assertThat(t.get(k, 0, TransportAddresses.mappedLo(DST1), 0, TransportAddresses.mappedLo(1), 40000, 80)).isNull();
        assertThat(t.get(k, 0, TransportAddresses.mappedLo(3), 0, TransportAddresses.mappedLo(1), 40000, 80)).isSameAs(c);
        assertThat(t.values()).containsExactly(c);
        t.remove(a); // absent: nothing changes
        assertThat(t.size()).isEqualTo(1);
        t.remove(c);
        assertThat(t.size()).isZero();
        assertThat(t.get(c.tuple)).isNull();
    }

    @Test
    void segmentsOfAChainedConnectionAllocateNothing() {
        byte[] sink = new byte[64 * 1024];
        long[] got = {0};
        TcpHandler drain = new TcpHandler() {
            @Override
            public void onReceive(TcpConnection c) {
                got[0] += c.read(sink, 0, sink.length);
            }
        };
        TcpConnection head = client.tcp().connect(40000, DST1, 80, new TcpHandler() { });
        TcpConnection chained = client.tcp().connect(40000, DST2, 80, new TcpHandler() { });
        loop.runUntil(() -> requests.size() == 2, 5 * SECOND);
        requests.get(0).accept(drain); // DST1 first: the head; DST2 hangs off it
        requests.get(1).accept(drain);
        loop.runUntil(() -> head.state() == TcpState.ESTABLISHED && chained.state() == TcpState.ESTABLISHED, 5 * SECOND);
        byte[] data = new byte[1000];
        long[] deadline = {0};
        java.util.function.BooleanSupplier passed = () -> loop.clock().nanos() - deadline[0] >= 0; // made once: runFor's own lambda would allocate
        long bytes = org.jnetstack.testing.Allocations.leastAllocatedBy(20, () -> {
            long before = got[0];
            for (int i = 0; i < 200; i++) {
                chained.write(data, 0, data.length);
                loop.runPending();
            }
            deadline[0] = loop.clock().nanos() + SECOND / 10;
            loop.runUntil(passed, SECOND / 10); // delayed ACKs
            return got[0] - before;
        });
        assertThat(bytes).as("bytes allocated per round of 200 segments through the chained lookup").isZero();
    }
}
