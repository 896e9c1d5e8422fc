package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.ip.PingListener;
import org.jnetstack.ip6.Ping6Listener;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guest ping to outside addresses through the gateway's echo socket, IPv6 and IPv4, with a
 * stand-in for the host's socket (a unit test must not send to outside addresses): what is sent
 * carries the guest's data under the gateway's own number, the reply goes back to the guest from
 * the address it pinged with the guest's identifier and sequence (the host's kernel rewrites the
 * identifier), and what the gateway refuses — a destination it does not pass on, a socket the
 * host does not allow, a guest's flood — is counted and never answered.
 */
@Timeout(60)
class IcmpNatTest {
    static final Ipv6Address OUTSIDE6 = Ipv6Address.parse("2001:db8::7");
    static final int OUTSIDE4 = Ipv4Address.parseBits("192.0.2.7");

    /** The host's echo socket as a test sees it: what the gateway sent, and replies to read back. Loop thread. */
    static final class FakeSocket implements EchoSocket {
        record Sent(int number, long dstHi, long dstLo, byte[] data) {
        }

        final String unavailable;
        final List<Sent> sent = new ArrayList<>();
        final ArrayDeque<Sent> replies = new ArrayDeque<>();
        Sent last;

        FakeSocket(String unavailable) {
            this.unavailable = unavailable;
        }

        @Override
        public String unavailable() {
            return unavailable;
        }

        @Override
        public int fd() {
            return -1;
        }

        @Override
        public boolean send(int number, long dstHi, long dstLo, byte[] data, int off, int len) {
            sent.add(new Sent(number, dstHi, dstLo, Arrays.copyOfRange(data, off, off + len)));
            return true;
        }

        @Override
        public int receive(byte[] data) {
            last = replies.poll();
            if (last == null) {
                return NONE;
            }
            System.arraycopy(last.data, 0, data, 0, last.data.length);
            return last.data.length;
        }

        @Override
        public int number() {
            return last.number;
        }

        @Override
        public long fromHi() {
            return last.dstHi;
        }

        @Override
        public long fromLo() {
            return last.dstLo;
        }

        @Override
        public void close() {
        }
    }

    static CompletableFuture<String> ping6(Harness h, Ipv6Address dst, int seq) {
        CompletableFuture<String> out = new CompletableFuture<>();
        h.loop.execute(() -> h.guest.ping6(dst, 7, seq, 16, Duration.ofSeconds(3), new Ping6Listener() {
            @Override
            public void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos) {
                out.complete("reply " + sequence + " from " + new Ipv6Address(fromHi, fromLo) + " bytes " + bytes);
            }

            @Override
            public void onFailure(int sequence, long fromHi, long fromLo, String reason) {
                out.complete("fail " + sequence);
            }
        }));
        return out;
    }

    static List<FakeSocket.Sent> awaitSent(Harness h, FakeSocket fake, int n) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end && h.onLoop(() -> fake.sent.size()) < n) {
            Thread.sleep(10);
        }
        return h.onLoop(() -> List.copyOf(fake.sent));
    }

    @Test
    void aGuestPingToAnOutsideIpv6AddressGoesOutAndItsReplyComesBackAsTheGuestsOwn() throws Exception {
        try (Harness h = Nat66Test.ready(Nat66Test.config())) {
            FakeSocket fake = new FakeSocket(null);
            IcmpNat nat = h.onLoop(() -> new IcmpNat(h.net, true, fake));
            CompletableFuture<String> reply = ping6(h, OUTSIDE6, 5);
            List<FakeSocket.Sent> sent = awaitSent(h, fake, 1);
            assertThat(sent).hasSize(1);
            FakeSocket.Sent s = sent.getFirst();
            assertThat(new Ipv6Address(s.dstHi(), s.dstLo())).isEqualTo(OUTSIDE6);
            assertThat(s.data()).hasSize(16);
            assertThat(h.onLoop(nat::inFlight)).isEqualTo(1);

            // A reply under another number, and one from another address, match nothing.
            h.onLoop(() -> {
                fake.replies.add(new FakeSocket.Sent(s.number() + 1, s.dstHi(), s.dstLo(), s.data()));
                fake.replies.add(new FakeSocket.Sent(s.number(), s.dstHi(), s.dstLo() + 1, s.data()));
                fake.replies.add(new FakeSocket.Sent(s.number(), s.dstHi(), s.dstLo(), s.data()));
                return nat.readReplies(64);
            });
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("reply 5 from 2001:db8::7 bytes 24");
            assertThat(h.counter("usernet.icmp6.echo_requests")).isEqualTo(1);
            assertThat(h.counter("usernet.icmp6.echo_replies")).isEqualTo(1);
            assertThat(h.counter("usernet.icmp6.drop.unmatched_reply")).isEqualTo(2);
            assertThat(h.onLoop(nat::inFlight)).isZero();
        }
    }

    @Test
    void theGatewaysOwnAddressesAreAnsweredByItsStackAndTheGuestPrefixIsNotPassedOn() throws Exception {
        try (Harness h = Nat66Test.ready(Nat66Test.config())) {
            FakeSocket fake = new FakeSocket(null);
            IcmpNat nat = h.onLoop(() -> new IcmpNat(h.net, true, fake));
            assertThat(ping6(h, Nat66Test.GATEWAY, 1).get(10, TimeUnit.SECONDS)).isEqualTo("reply 1 from " + Nat66Test.GATEWAY + " bytes 24");
            assertThat(ping6(h, Nat66Test.DNS, 2).get(10, TimeUnit.SECONDS)).isEqualTo("reply 2 from " + Nat66Test.DNS + " bytes 24");
            // The guests' prefix is on-link to them: only a guest that sends there through the gateway anyway
            // (a request the test makes in its name) reaches the echo socket's way, and is refused.
            Ipv6Address neighbour = Ipv6Address.parse("fd00:6a6e:7366::99");
            h.onLoop(() -> {
                nat.request(Nat66Test.GATEWAY.hi(), 0x15, neighbour.hi(), neighbour.lo(), 7, 3, new byte[8], 0, 8);
                return null;
            });
            assertThat(h.counter("usernet.icmp6.denied")).isEqualTo(1);
            assertThat(h.counter("usernet.icmp6.echo_requests")).as("only the neighbour's came here").isEqualTo(1);
            assertThat(h.onLoop(() -> fake.sent)).isEmpty();
        }
    }

    @Test
    void whereTheHostRefusesTheSocketTheGuestGetsNoReplyAndACounterSaysWhy() throws Exception {
        try (Harness h = Nat66Test.ready(Nat66Test.config())) {
            FakeSocket fake = new FakeSocket("ICMPv6 echo sockets are not allowed here");
            h.onLoop(() -> new IcmpNat(h.net, true, fake));
            assertThat(ping6(h, OUTSIDE6, 1).get(10, TimeUnit.SECONDS)).isEqualTo("fail 1");
            assertThat(h.counter("usernet.icmp6.drop.not_permitted")).isEqualTo(1);
            assertThat(h.counter("icmp6.tx.echo_replies")).as("no fake reply").isZero();
            assertThat(h.onLoop(() -> fake.sent)).isEmpty();
        }
    }

    @Test
    void aGuestsFloodOfPingsHoldsAtMostItsShareOfTheTable() throws Exception {
        try (Harness h = Nat66Test.ready(Nat66Test.config())) {
            FakeSocket fake = new FakeSocket(null);
            IcmpNat nat = h.onLoop(() -> new IcmpNat(h.net, true, fake));
            int flood = EchoTable.PER_GUEST + 36;
            h.onLoop(() -> {
                for (int i = 0; i < flood; i++) {
                    ping6(h, OUTSIDE6, 100 + i);
                }
                return null;
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end && h.counter("usernet.icmp6.echo_requests") < flood) {
                Thread.sleep(10);
            }
            assertThat(h.counter("usernet.icmp6.echo_requests")).isEqualTo(flood);
            assertThat(h.onLoop(() -> fake.sent.size())).isEqualTo(EchoTable.PER_GUEST);
            assertThat(h.counter("usernet.icmp6.drop.guest_limit")).isEqualTo(flood - EchoTable.PER_GUEST);
            assertThat(h.onLoop(nat::inFlight)).isEqualTo(EchoTable.PER_GUEST);
        }
    }

    @Test
    void ipv4GuestPingGoesThroughTheSameWay() throws Exception {
        try (Harness h = new Harness()) {
            FakeSocket fake = new FakeSocket(null);
            IcmpNat nat = h.onLoop(() -> new IcmpNat(h.net, false, fake));
            CompletableFuture<String> reply = new CompletableFuture<>();
            h.loop.execute(() -> h.guest.icmp().ping(OUTSIDE4, 0x4a4e, 3, 20, TimeUnit.SECONDS.toNanos(3), new PingListener() {
                @Override
                public void onReply(int sequence, int fromIp, int ttl, int bytes, long rttNanos) {
                    reply.complete("reply " + sequence + " from " + Ipv4Address.format(fromIp) + " bytes " + bytes);
                }

                @Override
                public void onFailure(int sequence, int fromIp, String reason) {
                    reply.complete("fail " + sequence);
                }
            }));
            FakeSocket.Sent s = awaitSent(h, fake, 1).getFirst();
            assertThat(s.dstHi()).isZero();
            assertThat(s.dstLo()).isEqualTo(TransportAddresses.mappedLo(OUTSIDE4));
            h.onLoop(() -> {
                fake.replies.add(s);
                return nat.readReplies(64);
            });
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("reply 3 from 192.0.2.7 bytes 28");
            assertThat(h.counter("usernet.icmp.echo_replies")).isEqualTo(1);
        }
    }
}
