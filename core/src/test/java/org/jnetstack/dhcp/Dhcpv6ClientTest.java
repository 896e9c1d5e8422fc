package org.jnetstack.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Dhcpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

/** The stateless DHCPv6 client (RFC 8415 §18.2.6) against a test server on its link, on virtual time. */
class Dhcpv6ClientTest {
    static final long SECOND = 1_000_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort port = new TestPort(lan.newPort("c"));
    final NetStack stack = NetStack.builder(loop).name("c").device(port).seed(21).build();
    final TestDhcpv6Server server = new TestDhcpv6Server(port, loop);
    final Dhcpv6Client client;

    Dhcpv6ClientTest() {
        assertThat(loop.runUntil(() -> !stack.ipv6Addresses().isEmpty()
                && stack.ipv6Addresses().get(0).state() == org.jnetstack.ip6.AddressState.PREFERRED, 10 * SECOND)).isTrue();
        client = Dhcpv6Client.start(stack);
    }

    long counter(String name) {
        return stack.counters().get(name);
    }

    @Test
    void otherConfigurationFlagBringsDnsServersAndSearchListFromTheServer() {
        long ra = loop.clock().nanos();
        server.advertise(false, true);
        assertThat(loop.runUntil(() -> client.state() == Dhcpv6Client.State.INFORMED, 5 * SECOND)).isTrue();

        assertThat(server.seen).hasSize(1);
        TestDhcpv6Server.Seen s = server.seen.get(0);
        assertThat(s.atNanos() - ra).as("RFC 8415 §18.2.6: at most INF_MAX_DELAY after the advertisement").isBetween(0L, SECOND);
        assertThat(s.fromLinkLocal()).isTrue();
        assertThat(s.srcPort()).isEqualTo(Dhcpv6Message.CLIENT_PORT);
        assertThat(s.elapsedCentis()).isZero();
        assertThat(s.clientId()).as("DUID-LL of the interface's MAC").isEqualTo(Dhcpv6Message.duidLl(stack.iface().mac().bits()));
        assertThat(stack.ipv6DnsServers()).containsExactly(TestDhcpv6Server.DNS_1, TestDhcpv6Server.DNS_2);
        assertThat(stack.ipv6().interfaces().get(0).routers().dhcpv6Domains()).containsExactly("lab.example");
        assertThat(client.refreshSeconds()).isEqualTo(3600);
        assertThat(counter("dhcp6.rx.replies")).isEqualTo(1);

        // §21.23: asked again after the refresh time, in a new transaction.
        loop.runFor(3599 * SECOND);
        assertThat(server.seen).hasSize(1);
        loop.runFor(2 * SECOND);
        assertThat(server.seen).hasSize(2);
        assertThat(server.seen.get(1).xid()).isNotEqualTo(s.xid());
        assertThat(client.state()).isEqualTo(Dhcpv6Client.State.INFORMED);
    }

    @Test
    void withoutTheOtherFlagOrWithTheManagedFlagNothingIsAsked() {
        server.advertise(false, false);
        loop.runFor(100 * SECOND);
        server.advertise(true, true); // M: addresses by stateful DHCPv6, which this client does not do
        loop.runFor(100 * SECOND);
        assertThat(server.seen).isEmpty();
        assertThat(client.state()).isEqualTo(Dhcpv6Client.State.IDLE);
        assertThat(stack.ipv6DnsServers()).isEmpty();

        server.advertise(false, true);
        assertThat(loop.runUntil(() -> client.state() == Dhcpv6Client.State.INFORMED, 5 * SECOND)).isTrue();
    }

    @Test
    void retransmitsPerSection15DoublingFromOneSecondToAnHourWithRandomisation() {
        server.silent = true;
        server.advertise(false, true);
        loop.runFor(30_000 * SECOND);
        List<TestDhcpv6Server.Seen> seen = server.seen;
        assertThat(seen.size()).as("12 doublings from 1 s, then one an hour").isBetween(17, 23);
        assertThat(seen).extracting(TestDhcpv6Server.Seen::xid).as("one transaction").containsOnly(seen.get(0).xid());
        double rt = 0;
        for (int i = 1; i < seen.size(); i++) {
            double gap = (seen.get(i).atNanos() - seen.get(i - 1).atNanos()) / (double) SECOND;
            if (i == 1) {
                assertThat(gap).as("IRT 1 s ± 10 %").isBetween(0.9, 1.1);
            } else if (gap < 3240) {
                assertThat(gap / rt).as("RT = 2 RTprev ± 10 % RTprev").isBetween(1.9, 2.1);
            } else {
                assertThat(gap).as("MRT 3600 s ± 10 %").isBetween(3240.0, 3960.0);
            }
            rt = gap;
            // §21.9: hundredths of a second since the first message, at most 0xFFFF.
            long elapsed = (seen.get(i).atNanos() - seen.get(0).atNanos()) / 10_000_000L;
            assertThat(seen.get(i).elapsedCentis()).isEqualTo((int) Math.min(0xFFFF, elapsed));
        }
        assertThat(rt).as("the last gaps are capped").isBetween(3240.0, 3960.0);
        assertThat(client.state()).isEqualTo(Dhcpv6Client.State.REQUESTING);

        server.silent = false;
        assertThat(loop.runUntil(() -> client.state() == Dhcpv6Client.State.INFORMED, 4000 * SECOND)).isTrue();
    }

    @Test
    void aReplyWithAnotherTransactionIdIsIgnoredAndCounted() {
        server.xidOffset = 1;
        server.advertise(false, true);
        loop.runFor(5 * SECOND);
        assertThat(server.seen).hasSizeGreaterThanOrEqualTo(2); // still retransmitting
        assertThat(client.state()).isEqualTo(Dhcpv6Client.State.REQUESTING);
        assertThat(stack.ipv6DnsServers()).isEmpty();
        assertThat(counter("dhcp6.rx.drop.wrong_transaction")).isEqualTo(server.seen.size());

        server.xidOffset = 0;
        assertThat(loop.runUntil(() -> client.state() == Dhcpv6Client.State.INFORMED, 10 * SECOND)).isTrue();
        assertThat(stack.ipv6DnsServers()).containsExactly(TestDhcpv6Server.DNS_1, TestDhcpv6Server.DNS_2);
    }

    @Test
    void aReplyForAnotherClientOrWithoutServerIdIsIgnored() {
        server.silent = true;
        server.advertise(false, true);
        loop.runFor(2 * SECOND);
        TestDhcpv6Server.Seen s = server.seen.get(0);
        Ipv6Address ll = stack.ipv6Addresses().get(0).address();
        byte[] other = Dhcpv6Message.duidLl(0x02_00_00_00_00_99L);
        port.injectReceived(server.reply(ll, 546, stack.iface().mac().bits(), s.xid(), other));
        port.injectReceived(server.reply(ll, 546, stack.iface().mac().bits(), s.xid(), null));
        loop.runPending();
        assertThat(counter("dhcp6.rx.drop.not_ours")).isEqualTo(2);
        assertThat(client.state()).isEqualTo(Dhcpv6Client.State.REQUESTING);
    }

    /** A Reply to the first request seen, with {@code options} (whole options, code and length included) after the two identifiers. */
    byte[] replyWith(byte[] options) {
        TestDhcpv6Server.Seen s = server.seen.get(0);
        byte[] msg = new byte[4 + 14 + 14 + options.length];
        int p = Dhcpv6Message.writeHeader(msg, 0, Dhcpv6Message.REPLY, s.xid());
        p += Dhcpv6Message.writeOption(msg, p, Dhcpv6Message.OPT_SERVERID, TestDhcpv6Server.SERVER_DUID, 0, 10);
        p += Dhcpv6Message.writeOption(msg, p, Dhcpv6Message.OPT_CLIENTID, s.clientId(), 0, s.clientId().length);
        System.arraycopy(options, 0, msg, p, options.length);
        return TestDhcpv6Server.udpFrame(stack.iface().mac().bits(), stack.ipv6Addresses().get(0).address(), 547, 546, msg,
                p + options.length);
    }

    @Test
    void aMalformedReplyIsDroppedAndCountedAndAHugeServerListIsHeldToItsBound() {
        server.silent = true;
        server.advertise(false, true);
        loop.runFor(2 * SECOND);
        // Two DNS server options: RFC 8415 §21 allows each once at message level.
        byte[] twice = java.util.HexFormat.of().parseHex("00170010" + "20010db8000000000000000000000053"
                + "00170010" + "20010db8000000000000000000000054");
        port.injectReceived(replyWith(twice));
        // An option whose length runs past the end of the message.
        byte[] overrun = java.util.HexFormat.of().parseHex("00170020" + "20010db8000000000000000000000053");
        port.injectReceived(replyWith(overrun));
        loop.runPending();
        assertThat(counter("dhcp6.rx.drop.duplicate_option")).isEqualTo(1);
        assertThat(counter("dhcp6.rx.drop.option_overrun")).isEqualTo(1);
        assertThat(client.state()).isEqualTo(Dhcpv6Client.State.REQUESTING);

        // 40 servers in one option: 8 are kept (as for advertised ones), the rest counted.
        byte[] many = new byte[4 + 40 * 16];
        org.jnetstack.wire.Bytes.putU16(many, 0, Dhcpv6Message.OPT_DNS_SERVERS);
        org.jnetstack.wire.Bytes.putU16(many, 2, 40 * 16);
        for (int i = 0; i < 40; i++) {
            Ipv6Address.write(many, 4 + 16 * i, 0x2001_0db8_0000_0000L, 0x100 + i);
        }
        port.injectReceived(replyWith(many));
        loop.runPending();
        assertThat(client.state()).isEqualTo(Dhcpv6Client.State.INFORMED);
        assertThat(stack.ipv6DnsServers()).hasSize(org.jnetstack.ip6.RouterDiscovery.MAX_DNS_SERVERS);
        assertThat(counter("dhcp6.dns.drop.list_full")).isEqualTo(40 - org.jnetstack.ip6.RouterDiscovery.MAX_DNS_SERVERS);
        assertThat(client.refreshSeconds()).as("no refresh time given: RFC 8415 §21.23's default").isEqualTo(86_400);
    }
}
