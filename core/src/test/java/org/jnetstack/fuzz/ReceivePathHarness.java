package org.jnetstack.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip.PingListener;
import org.jnetstack.ip.Reassembly;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counters;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;

/**
 * One stack on a virtual-clock loop, fed frames by a {@link FuzzDevice}, with something
 * listening on every path a frame can take: a UDP echo endpoint (port 7), an endpoint that
 * queues and is never read (port 9), one connected to the peer (port 53), and a ping to the
 * peer in flight, so replies and ARP answers from the fuzzer have someone to reach.
 * {@link #run} plays a {@link FrameScript}; {@link #assertHealthy} checks what must hold after any input.
 */
final class ReceivePathHarness {
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:02");
    static final int IP = Ipv4Address.parseBits("10.99.0.2");
    static final int PREFIX = 24;
    /** The peer the seeds come from (the Linux kernel of the captures); also the default gateway. */
    static final MacAddress PEER_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final int PEER_IP = Ipv4Address.parseBits("10.99.0.1");
    static final int PING_ID = 0x4242;
    static final long PING_TIMEOUT_NANOS = 5_000_000_000L;
    /** Longer than every timer but the ARP cache's: ARP gives up after 15 s, reassembly after 30 s. */
    static final long SETTLE_NANOS = 120_000_000_000L;

    /** Small bounds, so that the fuzzer can reach them with a few frames. */
    static final StackConfig CONFIG = StackConfig.defaults().toBuilder()
            .arpMaxEntries(4)
            .arpQueuePerAddress(2)
            .arpQueueBytes(3000, 5000)
            .reassemblyMaxDatagrams(3)
            .reassemblyMaxBytes(8 * 1024)
            .reassemblyTimeout(Duration.ofSeconds(30))
            .udpQueue(3, 2048)
            .ipv6Address(SeedCorpus.STACK_IPV6 + "/64")
            .dadTransmits(0) // addresses usable at once: the first frame of a script already reaches them
            .ndMaxEntries(4)
            .ndQueue(2, 5000)
            .build();

    final EventLoop loop = EventLoop.virtual();
    final OutputChecker checker = new OutputChecker(MAC.bits(), IP, PREFIX, 1500);
    final FuzzDevice device = new FuzzDevice(MAC, checker);
    final NetStack stack;
    final UdpEndpoint echo;
    final UdpEndpoint sink;
    final UdpEndpoint connected;
    long echoCalls;
    long connectedCalls;
    final List<String> pingOutcomes = new ArrayList<>();

    ReceivePathHarness() {
        LoopFaults.reset();
        stack = NetStack.builder(loop).device(device).address(new Ipv4Address(IP), PREFIX)
                .gateway(new Ipv4Address(PEER_IP)).config(CONFIG).seed(1).build();
        echo = stack.udp().open(7, (ep, src, sport, buf, off, len) -> {
            echoCalls++;
            // An echo server that answered its own address would loop forever through the
            // loopback path (see docs/FUZZING.md), so it only answers others.
            if (sport != 0 && src != IP) {
                ep.send(src, sport, buf, off, len);
            }
        });
        sink = stack.udp().open(9, null);
        connected = stack.udp().open(53, (UdpHandler) (ep, src, sport, buf, off, len) -> connectedCalls++);
        connected.connect(PEER_IP, 5353);
        stack.icmp().ping(PEER_IP, PING_ID, 1, 16, PING_TIMEOUT_NANOS, new PingListener() {
            @Override
            public void onReply(int sequence, int from, int ttl, int bytes, long rttNanos) {
                pingOutcomes.add("reply");
            }

            @Override
            public void onFailure(int sequence, int from, String reason) {
                pingOutcomes.add(reason);
            }
        });
        loop.runPending();
    }

    Counters counters() {
        return stack.counters();
    }

    /** Feeds the script's frames, checking the memory bounds after each, then lets every timer run out. */
    void run(FrameScript script) {
        for (FrameScript.Step step : script.steps()) {
            byte[] frame = step.frame();
            FrameRepair.apply(frame, script, MAC.bits(), IP);
            device.inject(frame, script.has(FrameScript.JUNK_PREFIX) ? 3 : 0);
            loop.runPending();
            assertBounded();
            if (step.pauseUnits() > 0) {
                loop.runFor(step.pauseUnits() * FrameScript.PAUSE_UNIT_NANOS);
                assertBounded();
            }
        }
        loop.runFor(SETTLE_NANOS);
        assertBounded();
    }

    /** Memory held by the stack stays within its configured bounds whatever arrives. */
    void assertBounded() {
        Reassembly r = stack.ipv4().reassembly();
        assertThat(r.bytesHeld()).as("reassembly bytes held").isBetween(0, CONFIG.reassemblyMaxBytes());
        assertThat(r.datagramsInFlight()).as("datagrams being reassembled").isLessThanOrEqualTo(CONFIG.reassemblyMaxDatagrams());
        assertThat(stack.iface().neighbors().size()).as("ARP table entries").isLessThanOrEqualTo(CONFIG.arpMaxEntries());
        assertThat(stack.iface().neighbors().heldBytes()).as("bytes waiting for ARP")
                .isBetween(0, CONFIG.arpQueueTotalBytes());
        assertThat(sink.queued()).as("queued UDP datagrams").isLessThanOrEqualTo(CONFIG.udpQueueDatagrams());
        var ip6 = stack.ipv6().interfaces().get(0);
        assertThat(ip6.neighbors().size()).as("IPv6 neighbour entries").isLessThanOrEqualTo(CONFIG.ndMaxEntries());
        assertThat(ip6.neighbors().heldBytes()).as("bytes waiting for NDP").isBetween(0, CONFIG.ndQueueTotalBytes());
        // Every armed timer belongs to a neighbour, a datagram being reassembled, a ping, an IPv6
        // address (detection, lifetimes), router solicitation or MLD (a repetition, a query's answer): none leak.
        assertThat(loop.timerCount()).as("armed timers")
                .isLessThanOrEqualTo(stack.iface().neighbors().size() + r.datagramsInFlight() + stack.icmp().pendingPings()
                        + ip6.neighbors().size() + stack.ipv6Addresses().size() + 1 + 2 + stack.icmp6().pendingPings()
                        + stack.ipv6().reassembly().datagramsInFlight());
    }

    /** No exception, well-formed output, counters that add up, and nothing left held. */
    void assertHealthy() {
        Throwable fault = LoopFaults.first();
        if (fault != null) {
            throw new AssertionError("the event loop contained an exception", fault);
        }
        assertThat(loop.counters().get("loop.errors")).as("loop.errors").isZero();
        assertThat(checker.violation()).as("first malformed frame the stack sent").isNull();
        StackInvariants.assertHold(this);
        // Settled: everything with a timeout has timed out.
        assertThat(stack.ipv4().reassembly().datagramsInFlight()).isZero();
        assertThat(stack.ipv4().reassembly().bytesHeld()).isZero();
        assertThat(stack.icmp().pendingPings()).isZero();
        // ARP gave up on every unresolved address, so nothing waits for it any more.
        assertThat(stack.iface().neighbors().heldBytes()).as("bytes waiting for ARP").isZero();
        assertThat(pingOutcomes).as("outcomes of the one ping").hasSize(1);
    }
}
