package org.jnetstack.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jnetstack.stats.Counters;
import org.junit.jupiter.api.Test;

/**
 * The fuzz harness is only worth something if its inputs reach the layers: each seed is run
 * through it and must have the effect it was written for (a reply sent, a datagram reassembled,
 * a drop counted under the right reason). Also keeps the committed seed files in step with
 * {@link SeedCorpus}.
 */
class ReceivePathSeedsTest {
    private static ReceivePathHarness run(String seed) {
        ReceivePathHarness h = new ReceivePathHarness();
        h.run(SeedCorpus.all().get(seed));
        h.assertHealthy();
        return h;
    }

    @Test
    void seedFilesMatchTheCorpus() throws IOException {
        for (Map.Entry<String, FrameScript> e : SeedCorpus.all().entrySet()) {
            Path file = Path.of(SeedCorpus.DIR, e.getKey());
            assertThat(file).as("seed file (regenerate with SeedCorpus.main)").exists();
            assertThat(Files.readAllBytes(file)).as(e.getKey()).isEqualTo(e.getValue().encode());
        }
        for (Map.Entry<String, byte[]> e : SeedCorpus.wireSeeds().entrySet()) {
            Path file = Path.of(SeedCorpus.WIRE_DIR, e.getKey());
            assertThat(file).as("seed file (regenerate with SeedCorpus.main)").exists();
            assertThat(Files.readAllBytes(file)).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void arpRequestIsAnsweredAndTheAskerLearned() {
        ReceivePathHarness h = run("arp-request");
        assertThat(h.counters().get("arp.tx.replies")).isEqualTo(1);
        assertThat(h.stack.iface().neighbors().lookup(SeedCorpus.KERNEL_IP)).isEqualTo(SeedCorpus.KERNEL_MAC);
    }

    @Test
    void echoRequestIsAnswered() {
        ReceivePathHarness h = run("icmp-echo-request");
        assertThat(h.counters().get("icmp.tx.echo_replies")).isEqualTo(1);
    }

    @Test
    void pingGetsItsReplyAfterArpResolves() {
        ReceivePathHarness h = run("ping-reply");
        assertThat(h.pingOutcomes).containsExactly("reply");
    }

    @Test
    void udpReachesTheEchoEndpointAndItAnswers() {
        ReceivePathHarness h = run("udp-echo");
        assertThat(h.echoCalls).isEqualTo(1);
        assertThat(h.counters().get("udp.tx.datagrams")).isEqualTo(1);
    }

    @Test
    void unreadQueueIsBounded() {
        ReceivePathHarness h = run("udp-queue-overflow");
        assertThat(h.sink.queued()).isEqualTo(ReceivePathHarness.CONFIG.udpQueueDatagrams());
        assertThat(h.counters().get("udp.rx.drop.queue_full")).isEqualTo(2);
    }

    @Test
    void closedPortAndConnectedFilter() {
        ReceivePathHarness h = run("udp-closed-port-and-filter");
        Counters c = h.counters();
        assertThat(c.get("udp.rx.drop.no_port")).isEqualTo(1);
        assertThat(c.get("icmp.tx.errors")).isEqualTo(1);
        assertThat(c.get("udp.rx.drop.not_connected_peer")).isEqualTo(1);
        assertThat(h.connectedCalls).isEqualTo(1);
    }

    @Test
    void reorderedDuplicatedFragmentsAreReassembledAndTheReplyFragmented() {
        ReceivePathHarness h = run("udp-fragments-reordered");
        Counters c = h.counters();
        assertThat(c.get("ip.frag.reassembled")).isEqualTo(1);
        assertThat(c.get("ip.frag.duplicates")).isEqualTo(1);
        assertThat(h.echoCalls).isEqualTo(1);
        assertThat(c.get("ip.tx.fragments")).isEqualTo(3);
    }

    @Test
    void loneFirstFragmentTimesOutWithTimeExceeded() {
        ReceivePathHarness h = run("fragment-timeout");
        assertThat(h.counters().get("ip.frag.drop.timeout")).isEqualTo(1);
        assertThat(h.counters().get("icmp.tx.errors")).isEqualTo(1);
        assertThat(h.checker.icmpErrors).isEqualTo(1);
    }

    @Test
    void tcpSynToAClosedPortGetsAReset() {
        ReceivePathHarness h = run("tcp-syn-protocol-unreachable");
        assertThat(h.counters().get("tcp.rx.segments")).isEqualTo(1);
        assertThat(h.counters().get("tcp.tx.resets")).isEqualTo(1); // RFC 9293 §3.10.7.1
        assertThat(h.checker.tcpResets).isEqualTo(1);
        assertThat(h.checker.icmpErrors).isZero();
    }

    @Test
    void receivedPortUnreachableIsSorted() {
        ReceivePathHarness h = run("icmp-port-unreachable");
        assertThat(h.counters().get("icmp.rx.dest_unreachable")).isEqualTo(1);
    }

    @Test
    void ipv6SolicitationIsAnsweredAndEchoRequestsToOurAddressAndAllNodesToo() {
        ReceivePathHarness h = run("ipv6-solicitation-and-echo");
        assertThat(h.counters().get("nd.rx.neighbor_solicitations")).isEqualTo(1);
        assertThat(h.counters().get("nd.tx.neighbor_advertisements")).isEqualTo(1);
        assertThat(h.counters().get("icmp6.tx.echo_replies")).isEqualTo(2);
    }

    @Test
    void ipv6RouterAdvertisementGivesAnAddressRouterAndDnsServer() {
        ReceivePathHarness h = run("ipv6-router-advertisement");
        assertThat(h.counters().get("ip6.slaac.addresses_formed")).isEqualTo(1);
        assertThat(h.stack.ipv6Routers()).hasSize(1);
        assertThat(h.stack.ipv6DnsServers()).hasSize(1);
    }

    @Test
    void ipv6FragmentsOutOfOrderAreReassembledAndTheReplyFragmented() {
        ReceivePathHarness h = run("ipv6-fragments-reordered");
        assertThat(h.counters().get("ip6.frag.reassembled")).isEqualTo(1);
        assertThat(h.counters().get("icmp6.tx.echo_replies")).isEqualTo(1);
        assertThat(h.counters().get("ip6.frag.tx")).isEqualTo(3);
    }

    @Test
    void malformedFramesAreCountedUnderTheirReasons() {
        ReceivePathHarness h = run("malformed");
        Counters c = h.counters();
        assertThat(c.get("eth.rx.drop.truncated")).isEqualTo(1);
        assertThat(c.get("eth.rx.drop.vlan_tagged")).isEqualTo(1);
        assertThat(c.get("ip.rx.drop.bad_checksum")).isEqualTo(1);
        assertThat(c.get("ip.rx.drop.bad_total_length")).isEqualTo(1);
        assertThat(c.get("arp.rx.drop.truncated")).isEqualTo(1);
        // Nothing answered: only the gratuitous ARP and the ping's ARP request with its 2 retries went out.
        assertThat(h.checker.arpFrames + h.checker.ipFrames).isEqualTo(1 + 3);
        // IPv6 (no address detection in the harness): 3 router solicitations (RFC 4861 §6.3.7) and the
        // MLDv2 reports of the two solicited-node groups joined, then their merged repetition (RFC 3810 §6.1).
        assertThat(h.checker.ipv6Frames).isEqualTo(3 + 3);
        assertThat(h.counters().get("nd.tx.router_solicitations")).isEqualTo(3);
    }
}
