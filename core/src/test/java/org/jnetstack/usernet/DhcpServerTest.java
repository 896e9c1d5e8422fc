package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.DhcpWriter;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway's DHCP server, asked by a guest that has no address yet. */
@Timeout(60)
class DhcpServerTest {

    @Test
    void discoverOfferRequestAckHandsOutThePlan() throws Exception {
        EventLoop loop = EventLoop.system();
        UserNet net = UserNet.create(loop, UserNetConfig.defaults());
        NetStack guest = NetStack.builder(loop).name("guest").device(net.guestDevice()).build();
        LinkedBlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        loop.start("dhcp-test");
        try {
            long mac = UserNet.GUEST_MAC.bits();
            CompletableFuture<UdpEndpoint> ep = new CompletableFuture<>();
            loop.execute(() -> ep.complete(guest.udp().open(0, DhcpMessage.CLIENT_PORT,
                    (e, srcIp, srcPort, buf, off, len) -> replies.add(java.util.Arrays.copyOfRange(buf, off, off + len)))));
            UdpEndpoint client = ep.get(10, TimeUnit.SECONDS);

            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1234, mac).messageType(DhcpMessage.DISCOVER));
            DhcpMessage offer = parse(replies.poll(10, TimeUnit.SECONDS));
            assertThat(offer.messageType()).isEqualTo(DhcpMessage.OFFER);
            assertThat(offer.xid()).isEqualTo(0x1234);
            assertThat(Ipv4Address.format(offer.yiaddr())).isEqualTo("10.0.2.15");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_ROUTER))).isEqualTo("10.0.2.2");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_DNS_SERVERS))).isEqualTo("10.0.2.3");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_SUBNET_MASK))).isEqualTo("255.255.255.0");
            assertThat(Ipv4Address.format(offer.address(DhcpMessage.OPT_SERVER_ID))).isEqualTo("10.0.2.2");
            assertThat(offer.optionU32(DhcpMessage.OPT_LEASE_TIME, 0)).isEqualTo(DhcpServer.LEASE_SECONDS);

            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1235, mac).messageType(DhcpMessage.REQUEST)
                    .address(DhcpMessage.OPT_REQUESTED_ADDRESS, Ipv4Address.parseBits("10.0.2.15"))
                    .address(DhcpMessage.OPT_SERVER_ID, Ipv4Address.parseBits("10.0.2.2")));
            DhcpMessage ack = parse(replies.poll(10, TimeUnit.SECONDS));
            assertThat(ack.messageType()).isEqualTo(DhcpMessage.ACK);
            assertThat(Ipv4Address.format(ack.yiaddr())).isEqualTo("10.0.2.15");

            // Asking for an address it was not given draws a NAK (RFC 2131 §4.3.2).
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1236, mac).messageType(DhcpMessage.REQUEST)
                    .address(DhcpMessage.OPT_REQUESTED_ADDRESS, Ipv4Address.parseBits("10.0.2.99")));
            assertThat(parse(replies.poll(10, TimeUnit.SECONDS)).messageType()).isEqualTo(DhcpMessage.NAK);

            // A second client gets the next address; the first keeps its own.
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x2000, 0x020000000099L).messageType(DhcpMessage.DISCOVER));
            assertThat(Ipv4Address.format(parse(replies.poll(10, TimeUnit.SECONDS)).yiaddr())).isEqualTo("10.0.2.16");
            send(loop, client, (w, b) -> w.start(b, 0, DhcpMessage.OP_REQUEST, 0x1237, mac).messageType(DhcpMessage.DISCOVER));
            assertThat(Ipv4Address.format(parse(replies.poll(10, TimeUnit.SECONDS)).yiaddr())).isEqualTo("10.0.2.15");
        } finally {
            net.close();
            guest.close();
            loop.close();
        }
    }

    private static void send(EventLoop loop, UdpEndpoint client, java.util.function.BiFunction<DhcpWriter, byte[], DhcpWriter> build) {
        loop.execute(() -> {
            byte[] buf = new byte[576];
            int n = build.apply(new DhcpWriter(), buf).finish();
            client.send(-1, DhcpMessage.SERVER_PORT, buf, 0, n);
        });
    }

    private static DhcpMessage parse(byte[] b) {
        assertThat(b).as("a reply").isNotNull();
        DhcpMessage m = new DhcpMessage().wrap(b, 0, b.length);
        assertThat(m.check()).isNull();
        return m;
    }
}
