package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Happy Eyeballs (RFC 8305 §5) on the virtual switch and the virtual clock: client 10.0.0.1 /
 * fd00::1, server 10.0.0.2 / fd00::2 listening on port 80 of both families; fd00::99 is on the
 * link but nobody has it, so a connection there black-holes (no neighbour answers).
 */
class HappyEyeballsTest {
    static final long MS = 1_000_000L;

    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final NetStack client = HappyEyeballsProbe.host(loop, lan, "client", 1);
    final NetStack server = HappyEyeballsProbe.host(loop, lan, "server", 2);
    final HappyEyeballsProbe probe = new HappyEyeballsProbe(loop);
    final List<TcpConnection> won = probe.won;
    final List<IOException> failed = probe.failed;

    {
        server.tcp().listen(80, l -> l.accept());
    }

    @AfterEach
    void close() {
        loop.close();
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    HappyEyeballs start(String... addresses) {
        List<InetAddress> list = java.util.Arrays.stream(addresses).map(HappyEyeballsTest::ip).toList();
        HappyEyeballs[] he = new HappyEyeballs[1];
        loop.execute(() -> he[0] = HappyEyeballs.connect(client, list, 80, client.tcp().config(), probe));
        loop.runUntil(() -> he[0] != null, MS);
        return he[0];
    }

    @Test
    void blackHoledIpv6LetsTheIpv4AttemptStartAfter250msAndWin() {
        long start = loop.clock().nanos();
        HappyEyeballs he = start("fd00::99", "10.0.0.2");
        assertThat(loop.runUntil(() -> !won.isEmpty() || !failed.isEmpty(), 10_000 * MS)).isTrue();
        assertThat(failed).isEmpty();
        assertThat(won.get(0).remoteInetAddress()).isEqualTo(ip("10.0.0.2"));
        assertThat(he.attempted()).containsExactly(ip("fd00::99"), ip("10.0.0.2"));
        // The IPv4 attempt started at the Connection Attempt Delay, not before, and won within a round trip of it.
        assertThat(probe.wonAt - start).isBetween(250 * MS, 251 * MS);
        // The loser was aborted: the client holds the winner alone.
        assertThat(client.tcp().connections()).containsExactly(won.get(0));
    }

    @Test
    void whenBothFamiliesWorkIpv6WinsAndNoIpv4AttemptIsMade() {
        HappyEyeballs he = start("10.0.0.2", "fd00::2");
        assertThat(loop.runUntil(() -> !won.isEmpty(), 10_000 * MS)).isTrue();
        assertThat(won.get(0).remoteInetAddress()).isEqualTo(ip("fd00::2"));
        assertThat(he.attempted()).containsExactly(ip("fd00::2"));
        loop.runFor(1_000 * MS);
        assertThat(client.tcp().connections()).hasSize(1);
    }

    @Test
    void aRefusedAttemptStartsTheNextAtOnce() {
        server.tcp().listeners().get(0).close();
        server.tcp().listen(org.jnetstack.wire.Ipv6Address.v4Mapped(0x0A000002), false, 80, 8,
                server.tcp().config(), l -> l.accept()); // IPv4 only: IPv6 is refused with a RST
        long start = loop.clock().nanos();
        start("fd00::2", "10.0.0.2");
        assertThat(loop.runUntil(() -> !won.isEmpty(), 10_000 * MS)).isTrue();
        assertThat(won.get(0).remoteInetAddress()).isEqualTo(ip("10.0.0.2"));
        assertThat(probe.wonAt - start).isLessThan(250 * MS);
    }

    /** A hostile answer with dozens of addresses makes at most eight attempts per family. */
    @Test
    void attemptsAreBoundedPerFamily() {
        String[] many = new String[40];
        for (int i = 0; i < 20; i++) {
            many[2 * i] = "fd00::1" + (10 + i);  // on the link, nobody's
            many[2 * i + 1] = "10.0.0." + (110 + i);
        }
        HappyEyeballs he = start(many);
        assertThat(loop.runUntil(() -> !failed.isEmpty(), 120_000 * MS)).isTrue();
        assertThat(he.attempted()).hasSize(2 * HappyEyeballs.MAX_PER_FAMILY);
        assertThat(he.attempted().stream().filter(a -> a instanceof java.net.Inet6Address)).hasSize(HappyEyeballs.MAX_PER_FAMILY);
        assertThat(client.tcp().connections()).isEmpty();
    }

    @Test
    void everyAttemptFailingEndsInTheLastError() {
        server.tcp().listeners().get(0).close();
        start("fd00::2", "10.0.0.2");
        assertThat(loop.runUntil(() -> !failed.isEmpty(), 10_000 * MS)).isTrue();
        assertThat(won).isEmpty();
        assertThat(failed.get(0)).isInstanceOf(ConnectException.class).hasMessageContaining("refused");
    }
}
