package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns ping} run as a user runs it, in a namespace whose kernel owns 10.0.0.1 on the
 * other side of the TAP: its output must read like ping(8)'s and its exit status must say
 * whether anything answered.
 */
class JnsPingTest {
    private static final Pattern REPLY =
            Pattern.compile("64 bytes from 10\\.0\\.0\\.1: icmp_seq=(\\d+) ttl=64 time=\\d+(\\.\\d+)? ms");
    private static final Pattern STATS =
            Pattern.compile("(\\d+) packets transmitted, (\\d+) received, (?:\\+\\d+ errors, )?(\\d+(?:\\.\\d+)?)% packet loss, time \\d+ms");
    private static final Pattern RTT =
            Pattern.compile("rtt min/avg/max/mdev = (\\d+\\.\\d{3})/(\\d+\\.\\d{3})/(\\d+\\.\\d{3})/(\\d+\\.\\d{3}) ms");

    private Netns ns;
    private String tap;

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "tshark");
    }

    @BeforeEach
    void kernelSide() {
        ns = Netns.create();
        tap = Netns.uniqueTapName();
        ns.createTap(tap, "10.0.0.1/24");
    }

    @AfterEach
    void close() {
        ns.close();
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    private CommandResult jnsPing(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ping", "--tap", tap, "--ip", "10.0.0.2/24"));
        cmd.addAll(List.of(args));
        return ns.run(Duration.ofMinutes(2), Jns.command(cmd.toArray(new String[0])));
    }

    @Test
    void pingsTheKernelWithoutLossAndPrintsLikePing8() {
        CommandResult r = jnsPing("-c", "5", "-i", "0.2", "10.0.0.1");
        List<String> lines = r.stdout().lines().toList();

        assertThat(r.exitStatus()).as(r.describe()).isZero();
        assertThat(lines).as(r.describe()).hasSize(1 + 5 + 4);
        assertThat(lines.get(0)).isEqualTo("PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.");
        for (int i = 1; i <= 5; i++) {
            Matcher m = REPLY.matcher(lines.get(i));
            assertThat(m.matches()).as("reply line %d: %s", i, lines.get(i)).isTrue();
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(i);
        }
        assertThat(lines.get(6)).isEmpty();
        assertThat(lines.get(7)).isEqualTo("--- 10.0.0.1 ping statistics ---");
        Matcher stats = STATS.matcher(lines.get(8));
        assertThat(stats.matches()).as(lines.get(8)).isTrue();
        assertThat(stats.group(1)).isEqualTo("5");
        assertThat(stats.group(2)).isEqualTo("5");
        assertThat(stats.group(3)).isEqualTo("0");
        Matcher rtt = RTT.matcher(lines.get(9));
        assertThat(rtt.matches()).as(lines.get(9)).isTrue();
        double min = Double.parseDouble(rtt.group(1));
        double avg = Double.parseDouble(rtt.group(2));
        double max = Double.parseDouble(rtt.group(3));
        assertThat(min).isPositive().isLessThanOrEqualTo(avg);
        assertThat(avg).isLessThanOrEqualTo(max);
        assertThat(r.stderr()).as("nothing on stderr").isEmpty();
    }

    @Test
    void fragmentedPingFromTheStackIsAnswered() {
        CommandResult r = jnsPing("-c", "3", "-i", "0.2", "-s", "8000", "10.0.0.1");

        assertThat(r.exitStatus()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("PING 10.0.0.1 (10.0.0.1) 8000(8028) bytes of data.")
                .contains("8008 bytes from 10.0.0.1: icmp_seq=3 ttl=64")
                .contains("3 packets transmitted, 3 received, 0% packet loss");
    }

    @Test
    void traceAndPcapShowTheSameExchange(@TempDir Path dir) {
        Path pcap = dir.resolve("ping.pcap");
        CommandResult r = jnsPing("-c", "2", "-i", "0.2", "--trace", "--pcap", pcap.toString(), "10.0.0.1");

        assertThat(r.exitStatus()).as(r.describe()).isZero();
        assertThat(r.stdout()).as("trace lines stay off stdout").doesNotContain(" tx ").doesNotContain(" rx ");
        assertThat(r.stderr()).contains("ARP").containsPattern(" tx .*ICMP echo request").containsPattern(" rx .*ICMP echo reply");
        assertThat(Tshark.problems(pcap)).isEmpty();
        assertThat(Tshark.count(pcap, "icmp.type == 8 && ip.src == 10.0.0.2")).isEqualTo(2);
        assertThat(Tshark.count(pcap, "icmp.type == 0 && ip.src == 10.0.0.1")).isEqualTo(2);
    }

    @Test
    void noReplyFromAnUnusedAddressExitsWithOne() {
        CommandResult r = jnsPing("-c", "2", "-i", "0.2", "-W", "1", "10.0.0.99");

        assertThat(r.exitStatus()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).contains("--- 10.0.0.99 ping statistics ---")
                .contains("2 packets transmitted, 0 received")
                .contains("100% packet loss")
                .doesNotContain("bytes from")
                .doesNotContain("rtt min/avg/max/mdev");
    }

    @Test
    void interruptedPingStillPrintsStatisticsAndExitsWithZero() throws Exception {
        Background ping = ns.spawn(Jns.command("ping", "--tap", tap, "--ip", "10.0.0.2/24", "-i", "0.2", "10.0.0.1"));
        ping.awaitLine(line -> line.contains("icmp_seq=3 "), Duration.ofSeconds(60));

        ping.signal("INT");
        int status = ping.awaitExit(Duration.ofSeconds(30));

        assertThat(status).as(ping.output()).isZero();
        assertThat(ping.output()).contains("--- 10.0.0.1 ping statistics ---").containsPattern(RTT.pattern());
        Matcher stats = STATS.matcher(ping.output());
        assertThat(stats.find()).as(ping.output()).isTrue();
        assertThat(Integer.parseInt(stats.group(2))).isGreaterThanOrEqualTo(3);
    }
}
