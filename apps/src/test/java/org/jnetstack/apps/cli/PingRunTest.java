package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.MS;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * A ping session between two stacks joined by a virtual wire, on virtual time: what it prints,
 * when it stops, and what it counts. Deterministic, so the times printed are exact.
 */
class PingRunTest {

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2).build();
    private final StringWriter out = new StringWriter();
    private final PingStatistics stats = new PingStatistics();

    private PingRun ping(String host, int count, long interval, int size, long timeout) {
        PingRun.Settings s = new PingRun.Settings(Ipv4Address.parseBits(host), count, interval, size, timeout, 0x4242);
        return new PingRun(a, loop, s, stats, new PrintWriter(out, true));
    }

    private List<String> lines() {
        return out.toString().lines().toList();
    }

    @Test
    void countedRunPrintsEveryReplyAndStopsAfterTheLast() {
        PingRun run = ping("10.0.0.2", 3, SECOND, 56, 5 * SECOND);
        loop.execute(run::start);

        assertThat(loop.runUntil(run::isFinished, 60 * SECOND)).isTrue();

        assertThat(lines()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(lines().get(i)).startsWith("64 bytes from 10.0.0.2: icmp_seq=" + (i + 1) + " ttl=64 time=");
        }
        assertThat(stats.transmittedCount()).isEqualTo(3);
        assertThat(stats.receivedCount()).isEqualTo(3);
        assertThat(b.counters().get("icmp.tx.echo_replies")).isEqualTo(3);
    }

    @Test
    void sizeIsThePayloadAndTheReplyCountsTheIcmpHeaderToo() {
        PingRun run = ping("10.0.0.2", 1, SECOND, 3000, 5 * SECOND);
        loop.execute(run::start);

        assertThat(loop.runUntil(run::isFinished, 60 * SECOND)).isTrue();

        assertThat(lines()).singleElement().asString().startsWith("3008 bytes from 10.0.0.2: icmp_seq=1 ");
    }

    @Test
    void unansweredRequestsTimeOutSilentlyAndCountAsLost() {
        // 10.0.0.2 answers ARP but this address does not exist: ARP for it never resolves.
        PingRun run = ping("10.0.0.77", 2, SECOND, 56, 2 * SECOND);
        long start = loop.clock().nanos();
        loop.execute(run::start);

        assertThat(loop.runUntil(run::isFinished, 60 * SECOND)).isTrue();

        assertThat(lines()).as("ping(8) prints nothing for a plain timeout").isEmpty();
        assertThat(stats.transmittedCount()).isEqualTo(2);
        assertThat(stats.receivedCount()).isZero();
        assertThat(stats.errorCount()).isZero();
        // The second request goes at 1 s and times out 2 s later.
        assertThat(loop.clock().nanos() - start).isEqualTo(3 * SECOND);
    }

    @Test
    void hostUnreachableIsPrintedAsAnError() {
        // Waiting longer than ARP's retries (15 s) lets the stack report the failure.
        PingRun run = ping("10.0.0.77", 1, SECOND, 56, 60 * SECOND);
        loop.execute(run::start);

        assertThat(loop.runUntil(run::isFinished, 120 * SECOND)).isTrue();

        assertThat(lines()).containsExactly("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable");
        assertThat(stats.errorCount()).isEqualTo(1);
        assertThat(stats.summary("10.0.0.77", 0).get(2)).contains("+1 errors");
    }

    @Test
    void uncountedRunGoesOnUntilStopped() {
        PingRun run = ping("10.0.0.2", 0, SECOND, 56, 5 * SECOND);
        loop.execute(run::start);

        loop.runFor(10 * SECOND + 500 * MS);
        assertThat(run.isFinished()).isFalse();
        loop.execute(run::stop);
        loop.runFor(MS);

        assertThat(run.isFinished()).isTrue();
        assertThat(stats.transmittedCount()).as("at 0, 1, ..., 10 s").isEqualTo(11);
        assertThat(stats.receivedCount()).isEqualTo(11);
        long sentBefore = stats.transmittedCount();
        loop.runFor(5 * SECOND);
        assertThat(stats.transmittedCount()).as("nothing sent after stop").isEqualTo(sentBefore);
    }
}
