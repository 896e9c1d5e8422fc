package org.jnetstack.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.stats.Counters;

/**
 * The counters of a settled stack must add up: every received frame is accounted for exactly
 * once, either by a drop reason or by the layer that took it, at every layer. A frame that
 * vanished uncounted, or was counted twice, breaks one of these equations.
 */
final class StackInvariants {
    private StackInvariants() {
    }

    static void assertHold(ReceivePathHarness h) {
        Counters c = h.counters();
        long frames = c.get("eth.rx.frames");
        assertThat(frames).as("frames the device handed up").isEqualTo(c.get("fuzzdev.rx.frames"));

        // Ethernet: dropped, or handed to ARP or IPv4. Datagrams we sent to ourselves re-enter IPv4
        // without a frame (ip.tx.loopback).
        long ipFromWire = c.get("ip.rx.packets") - c.get("ip.tx.loopback");
        // IPv6 likewise, and a reassembled packet goes through input again.
        long ip6FromWire = c.get("ip6.rx.packets") - c.get("ip6.tx.loopback") - c.get("ip6.frag.reassembled");
        assertThat(frames).as("eth.rx.frames == eth drops + arp.rx.packets + IPv4 and IPv6 packets from the wire\n%s", c)
                .isEqualTo(c.sum("eth.rx.drop.") + c.get("arp.rx.packets") + ipFromWire + ip6FromWire);

        // ARP: malformed, or a request or a reply.
        assertThat(c.get("arp.rx.packets")).as("arp.rx.packets == arp drops + requests + replies\n%s", c)
                .isEqualTo(c.sum("arp.rx.drop.") + c.get("arp.rx.requests") + c.get("arp.rx.replies"));
        assertThat(c.get("arp.tx.replies")).as("ARP replies only answer requests").isLessThanOrEqualTo(c.get("arp.rx.requests"));

        // IPv4: dropped, held as a fragment, or delivered; a reassembled datagram is delivered
        // (or dropped as an unknown protocol) once more without being received again.
        assertThat(c.get("ip.rx.packets") + c.get("ip.frag.reassembled"))
                .as("ip.rx.packets + ip.frag.reassembled == ip drops + ip.frag.rx + ip.rx.delivered\n%s", c)
                .isEqualTo(c.sum("ip.rx.drop.") + c.get("ip.frag.rx") + c.get("ip.rx.delivered"));
        assertThat(c.get("ip.frag.reassembled")).isLessThanOrEqualTo(c.get("ip.frag.rx"));
        // Every fragment is eventually either part of a reassembled datagram or dropped: each
        // datagram ended once (reassembled, timed out, or discarded for a reason).
        assertThat(c.get("ip.frag.reassembled") + c.get("ip.frag.drop.timeout") + c.get("ip.frag.drop.overlap")
                + c.get("ip.frag.drop.inconsistent") + c.get("ip.frag.drop.limit") + c.get("ip.frag.drop.bad_length")
                + c.get("ip.frag.duplicates"))
                .as("fragment outcomes cannot exceed fragments received\n%s", c)
                .isLessThanOrEqualTo(c.get("ip.frag.rx"));

        // Delivered datagrams went to ICMP, UDP or TCP, the protocols registered.
        assertThat(c.get("ip.rx.delivered")).as("ip.rx.delivered == icmp.rx.messages + udp.rx.datagrams + tcp.rx.segments\n%s", c)
                .isEqualTo(c.get("icmp.rx.messages") + c.get("udp.rx.datagrams") + c.get("tcp.rx.segments"));

        // ICMP: malformed, or one of the types it sorts into.
        assertThat(c.get("icmp.rx.messages")).as("icmp.rx.messages == icmp drops + types\n%s", c)
                .isEqualTo(c.sum("icmp.rx.drop.") + c.get("icmp.rx.echo_requests") + c.get("icmp.rx.echo_replies")
                        + c.get("icmp.rx.dest_unreachable") + c.get("icmp.rx.time_exceeded")
                        + c.get("icmp.rx.redirects_ignored") + c.get("icmp.rx.other_types"));
        assertThat(c.get("icmp.tx.echo_replies") + c.get("icmp.tx.echo_replies_rate_limited")
                + c.get("icmp.rx.broadcast_echo_ignored"))
                .as("every echo request is answered, rate-limited or ignored as broadcast\n%s", c)
                .isEqualTo(c.get("icmp.rx.echo_requests"));

        // UDP: dropped, or delivered to an endpoint (whose queue may then overflow).
        long received = h.echo.receivedCount() + h.sink.receivedCount() + h.connected.receivedCount();
        long queueFull = c.get("udp.rx.drop.queue_full");
        assertThat(c.get("udp.rx.datagrams")).as("udp.rx.datagrams == udp drops + delivered to endpoints\n%s", c)
                .isEqualTo(c.sum("udp.rx.drop.") - queueFull + received);
        assertThat(h.sink.droppedCount()).as("queue overflow counted per endpoint and per stack").isEqualTo(queueFull);
        assertThat(h.echoCalls).isEqualTo(h.echo.receivedCount());
        assertThat(h.connectedCalls).isEqualTo(h.connected.receivedCount());
        assertThat(h.sink.queued() + h.sink.droppedCount()).isEqualTo(h.sink.receivedCount());

        // Output: every frame the stack handed the device was counted as sent.
        assertThat(c.get("eth.tx.frames") + c.get("eth.tx.drop.device")).isEqualTo(h.device.sendCalls);
        assertThat(h.checker.arpFrames + h.checker.ipFrames + h.checker.ipv6Frames).isEqualTo(h.device.sendCalls);
    }
}
