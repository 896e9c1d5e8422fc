package org.jnetstack.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** Three stacks on one learning switch, sharing one virtual-clock loop. */
class SwitchedLanTest {
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final NetStack[] hosts = new NetStack[3];

    SwitchedLanTest() {
        for (int i = 0; i < 3; i++) {
            hosts[i] = NetStack.builder(loop).name("h" + i).device(lan.newPort("h" + i))
                    .address("10.1.0." + (i + 1) + "/24").seed(i).build();
        }
    }

    @Test
    void everyHostPingsEveryOther() {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    int from = i;
                    hosts[i].icmp().ping(Ipv4Address.parseBits("10.1.0." + (j + 1)), 100 + i, j, 32, 2_000_000_000L,
                            new PingListener() {
                                @Override
                                public void onReply(int seq, int fromIp, int ttl, int bytes, long rtt) {
                                    replies.add(from + "<-" + Ipv4Address.format(fromIp));
                                }

                                @Override
                                public void onFailure(int seq, int fromIp, String reason) {
                                    replies.add(from + " failed: " + reason);
                                }
                            });
                }
            }
        }
        loop.runUntil(() -> replies.size() == 6, 5_000_000_000L);
        assertThat(replies).containsExactlyInAnyOrder("0<-10.1.0.2", "0<-10.1.0.3", "1<-10.1.0.1", "1<-10.1.0.3",
                "2<-10.1.0.1", "2<-10.1.0.2");
        assertThat(lan.learnedAddresses()).isEqualTo(3);
    }

    @Test
    void broadcastDatagramReachesEveryOtherHostAndDrawsNoIcmpError() {
        List<String> got = new ArrayList<>();
        for (int i = 1; i < 3; i++) {
            int me = i;
            hosts[i].udp().open(6000, (ep, src, sport, buf, off, len) ->
                    got.add(me + " got " + new String(buf, off, len) + " from " + Ipv4Address.format(src)));
        }
        UdpEndpoint sender = hosts[0].udp().open(0, (ep, src, sport, buf, off, len) -> { });
        byte[] msg = "hello all".getBytes();
        sender.send(Ipv4Address.parseBits("10.1.0.255"), 6000, msg, 0, msg.length);
        sender.send(-1, 6000, msg, 0, msg.length); // 255.255.255.255
        sender.send(Ipv4Address.parseBits("10.1.0.255"), 6001, msg, 0, msg.length); // nobody listens
        loop.runFor(1_000_000_000L);
        assertThat(got).containsExactlyInAnyOrder("1 got hello all from 10.1.0.1", "2 got hello all from 10.1.0.1",
                "1 got hello all from 10.1.0.1", "2 got hello all from 10.1.0.1");
        // RFC 1122 §3.2.2: no port unreachable for a broadcast datagram
        assertThat(hosts[1].counters().get("icmp.tx.errors")).isZero();
        assertThat(hosts[1].counters().get("icmp.tx.errors_suppressed")).isEqualTo(1);
        assertThat(hosts[0].counters().get("arp.tx.requests")).isEqualTo(1); // only the gratuitous one
    }
}
