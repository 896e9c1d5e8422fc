package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.internal.SipHash;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.ip.Ipv6Output;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Allocations;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.TcpSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Both address families in TCP's keys, tables, checksums and output seam. */
class DualFamilyTupleTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");
    static final Ipv6Address L6 = Ipv6Address.parse("fd00::1");
    static final Ipv6Address R6 = Ipv6Address.parse("fd00::2");

    final EventLoop loop = EventLoop.virtual();
    final NetStack stack = NetStack.builder(loop).device(new VirtualWire().a()).address("10.0.0.1/24").build();

    @AfterEach
    void close() {
        loop.close();
    }

    FourTuple v4(int remotePort) {
        return new FourTuple(stack.tcp().keys, 0, TransportAddresses.mappedLo(A), 80, 0, TransportAddresses.mappedLo(B), remotePort);
    }

    FourTuple v6(int remotePort) {
        return new FourTuple(stack.tcp().keys, L6.hi(), L6.lo(), 80, R6.hi(), R6.lo(), remotePort);
    }

    @Test
    void keysAreKeyedAndTellTheFamiliesApart() {
        TupleKeys k1 = new TupleKeys(new SipHash(1, 2));
        TupleKeys k2 = new TupleKeys(new SipHash(3, 4));
        long mapped = TransportAddresses.mappedLo(B);
        assertThat(k1.key(0, mapped, 40000, 80)).isEqualTo(k1.key(0, mapped, 40000, 80))
                .as("another secret, other keys: a peer cannot aim collisions").isNotEqualTo(k2.key(0, mapped, 40000, 80));
        assertThat(k1.key(0, mapped, 40000, 80)).isNotEqualTo(k1.key(0, mapped, 40001, 80))
                .isNotEqualTo(k1.key(0, mapped, 80, 40000)).isNotEqualTo(k1.key(R6.hi(), R6.lo(), 40000, 80));
        assertThat(v4(40000).isV4()).isTrue();
        assertThat(v6(40000).isV4()).isFalse();
    }

    @Test
    void anIpv6SourceIsItsSlash64ForThePerSourceLimits() {
        // A peer picks its own interface identifiers: per full address it would be a new source each time.
        TupleKeys k = new TupleKeys(new SipHash(1, 2));
        Ipv6Address a = Ipv6Address.parse("2001:db8:1:2::1");
        Ipv6Address sameSlash64 = Ipv6Address.parse("2001:db8:1:2:dead:beef:0:7");
        Ipv6Address nextSlash64 = Ipv6Address.parse("2001:db8:1:3::1");
        assertThat(k.addressKey(a.hi(), a.lo())).isEqualTo(k.addressKey(sameSlash64.hi(), sameSlash64.lo()))
                .isNotEqualTo(k.addressKey(nextSlash64.hi(), nextSlash64.lo()));
        long b = TransportAddresses.mappedLo(B);
        assertThat(k.addressKey(0, b)).as("IPv4: the whole address")
                .isNotEqualTo(k.addressKey(0, TransportAddresses.mappedLo(B + 1)));
    }

    @Test
    void theTableFindsTuplesOfBothFamiliesAndAllocatesNothingLookingThemUp() {
        TupleTable<TcpConnection> t = new TupleTable<>(x -> x.tuple, x -> x.sameKeyNext, (x, n) -> x.sameKeyNext = n);
        List<TcpConnection> all = new ArrayList<>();
        for (int p = 40000; p < 40100; p++) {
            TcpConnection a = new TcpConnection(stack.tcp(), TcpConfig.defaults(), v4(p), null);
            assertThat(t.add(a)).isTrue();
            all.add(a);
        }
        TcpConnection six = new TcpConnection(stack.tcp(), TcpConfig.defaults(), v6(40000), null);
        assertThat(t.add(six)).as("same ports, other family: another tuple").isTrue();
        assertThat(t.add(new TcpConnection(stack.tcp(), TcpConfig.defaults(), v6(40000), null))).isFalse();
        TupleKeys keys = stack.tcp().keys;
        long bLo = TransportAddresses.mappedLo(B);
        long aLo = TransportAddresses.mappedLo(A);
        assertThat(t.get(keys.key(0, bLo, 40042, 80), 0, aLo, 0, bLo, 40042, 80)).isSameAs(all.get(42));
        assertThat(t.get(keys.key(R6.hi(), R6.lo(), 40000, 80), L6.hi(), L6.lo(), R6.hi(), R6.lo(), 40000, 80)).isSameAs(six);
        assertThat(t.get(keys.key(R6.hi(), R6.lo(), 40001, 80), L6.hi(), L6.lo(), R6.hi(), R6.lo(), 40001, 80)).isNull();
        long bytes = Allocations.leastAllocatedBy(20, () -> {
            long found = 0;
            for (int i = 0; i < 1000; i++) {
                int p = 40000 + (i % 100);
                found += t.get(keys.key(0, bLo, p, 80), 0, aLo, 0, bLo, p, 80) != null ? 1 : 0;
                found += t.get(keys.key(R6.hi(), R6.lo(), 40000, 80), L6.hi(), L6.lo(), R6.hi(), R6.lo(), 40000, 80) != null ? 1 : 0;
            }
            return found;
        });
        assertThat(bytes).as("bytes allocated by 2000 keyed lookups").isZero();
    }

    @Test
    void theRecentEntryIsOnlyEverItsOwnTupleAndGoesWithItsRemoval() {
        TupleTable<TcpConnection> t = new TupleTable<>(x -> x.tuple, x -> x.sameKeyNext, (x, n) -> x.sameKeyNext = n);
        TcpConnection four = new TcpConnection(stack.tcp(), TcpConfig.defaults(), v4(40000), null);
        TcpConnection six = new TcpConnection(stack.tcp(), TcpConfig.defaults(), v6(40000), null);
        t.add(four);
        t.add(six);
        long aLo = TransportAddresses.mappedLo(A);
        long bLo = TransportAddresses.mappedLo(B);
        assertThat(t.recent(0, aLo, 0, bLo, 40000, 80)).as("nothing looked up yet").isNull();
        assertThat(t.get(four.tuple)).isSameAs(four);
        assertThat(t.recent(0, aLo, 0, bLo, 40000, 80)).isSameAs(four);
        assertThat(t.recent(0, aLo, 0, bLo, 40001, 80)).as("another remote port").isNull();
        assertThat(t.recent(0, aLo, 0, bLo, 40000, 81)).as("another local port").isNull();
        assertThat(t.recent(0, aLo, 0, bLo + 1, 40000, 80)).as("another remote address").isNull();
        assertThat(t.recent(L6.hi(), L6.lo(), R6.hi(), R6.lo(), 40000, 80)).as("same ports, other family").isNull();
        assertThat(t.get(six.tuple)).isSameAs(six);
        assertThat(t.recent(L6.hi(), L6.lo(), R6.hi(), R6.lo(), 40000, 80)).isSameAs(six);
        assertThat(t.recent(0, aLo, 0, bLo, 40000, 80)).as("only the last one found").isNull();
        t.remove(six);
        assertThat(t.recent(L6.hi(), L6.lo(), R6.hi(), R6.lo(), 40000, 80)).as("removed: never found again").isNull();
        assertThat(t.get(six.tuple)).isNull();
    }

    @Test
    void thePseudoHeaderFollowsTheFamily() {
        long bLo = TransportAddresses.mappedLo(B);
        long aLo = TransportAddresses.mappedLo(A);
        assertThat(TransportAddresses.pseudoHeader(0, aLo, 0, bLo, 6, 1234)).isEqualTo(Checksum.pseudoHeader(A, B, 6, 1234));
        assertThat(TransportAddresses.pseudoHeader(L6.hi(), L6.lo(), R6.hi(), R6.lo(), 6, 1234))
                .isEqualTo(Checksum.pseudoHeader6(L6.hi(), L6.lo(), R6.hi(), R6.lo(), 6, 1234))
                .isNotEqualTo(Checksum.pseudoHeader((int) L6.lo(), (int) R6.lo(), 6, 1234));
    }

    @Test
    void anIpv6ResetLeavesThroughTheIpv6HookWithTheIpv6Checksum() {
        List<byte[]> sent = new ArrayList<>();
        byte[] tx = new byte[2048];
        stack.tcp().attachIpv6(new Ipv6Output() {
            public byte[] txBuffer() {
                return tx;
            }

            public int transportOffset() {
                return 100;
            }

            public int mtuFor(long hi, long lo) {
                return 1500;
            }

            public int lowerPathMtu(long hi, long lo, long mtu) {
                return 1500;
            }

            public boolean selectSource(long dHi, long dLo) {
                return true;
            }

            public long sourceHi() {
                return L6.hi();
            }

            public long sourceLo() {
                return L6.lo();
            }

            public boolean send(long sHi, long sLo, long dHi, long dLo, int proto, int tc, byte[] b, int off, int len) {
                assertThat(new Ipv6Address(sHi, sLo)).isEqualTo(L6);
                assertThat(new Ipv6Address(dHi, dLo)).isEqualTo(R6);
                assertThat(proto).isEqualTo(Ipv4Packet.PROTO_TCP);
                assertThat(off).isEqualTo(100);
                sent.add(java.util.Arrays.copyOfRange(b, off, off + len));
                return true;
            }

            public boolean sendOffloaded(long sHi, long sLo, long dHi, long dLo, int proto, int tc, byte[] b, int off,
                                         int len, int csumOff, int segSize) {
                throw new AssertionError("no offload here");
            }
        });
        long ipv4Before = stack.counters().snapshot().getOrDefault("ip.tx.packets", 0L);
        stack.tcp().writer.sendRst(v6(40000), 7, 0, false);
        assertThat(sent).hasSize(1);
        byte[] seg = sent.get(0);
        assertThat(seg.length).isEqualTo(TcpSegment.MIN_HEADER_LENGTH);
        assertThat(Bytes.u16(seg, 0)).isEqualTo(80);
        assertThat(Bytes.u16(seg, 2)).isEqualTo(40000);
        int sum6 = Checksum.pseudoHeader6(L6.hi(), L6.lo(), R6.hi(), R6.lo(), Ipv4Packet.PROTO_TCP, seg.length);
        assertThat(Checksum.finish(Checksum.partial(seg, 0, seg.length, sum6))).as("verifies over the IPv6 pseudo-header").isZero();
        assertThat(stack.tcp().mssFor(v6(1))).as("IPv6: MTU - 40 - 20").isEqualTo(1440);
        assertThat(stack.tcp().mssFor(v4(1))).as("IPv4: MTU - 20 - 20").isEqualTo(1460);
        assertThat(stack.counters().snapshot().getOrDefault("ip.tx.packets", 0L)).isEqualTo(ipv4Before);
    }
}
