package org.jnetstack.dhcp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jnetstack.NetStack;
import org.jnetstack.udp.Datagram;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.DhcpWriter;

/** Test-only DHCP server on a stack at 10.0.0.1/24: hands out 10.0.0.100 upwards and records every message it sees. */
final class TestDhcpServer {
    static final int ADDRESS = 0x0A000001;
    static final int FIRST = 0x0A000064;

    record Seen(long atNanos, int type, int srcIp, int dstIp, int ciaddr, int requested, int serverId, int secs, int xid, String hostName) {
    }

    final List<Seen> seen = new ArrayList<>();
    final Set<Integer> declined = new HashSet<>();
    long leaseSecs = 1000;
    long t1Secs = 500;
    long t2Secs = 875;
    int mtu = 1400;
    boolean silent;
    boolean ignoreUnicast;
    boolean ignoreRequests;
    int naksToSend;
    private final NetStack stack;
    private final UdpEndpoint ep;
    private final DhcpMessage msg = new DhcpMessage();
    private final DhcpWriter writer = new DhcpWriter();
    private final byte[] out = new byte[600];

    TestDhcpServer(NetStack stack) {
        this.stack = stack;
        ep = stack.udp().open(DhcpMessage.SERVER_PORT, null);
        ep.onReadable(this::drain);
    }

    private void drain() {
        Datagram d;
        while ((d = ep.poll()) != null) {
            handle(d);
        }
    }

    private void handle(Datagram d) {
        if (msg.wrap(d.data(), 0, d.data().length).check() != null) {
            return;
        }
        seen.add(new Seen(stack.loop().clock().nanos(), msg.messageType(), d.srcIp(), d.dstIp(), msg.ciaddr(),
                msg.address(DhcpMessage.OPT_REQUESTED_ADDRESS), msg.address(DhcpMessage.OPT_SERVER_ID), msg.secs(), msg.xid(),
                msg.string(DhcpMessage.OPT_HOST_NAME)));
        if (silent || (ignoreUnicast && d.dstIp() == ADDRESS) || (ignoreRequests && msg.messageType() == DhcpMessage.REQUEST)) {
            return;
        }
        switch (msg.messageType()) {
            case DhcpMessage.DISCOVER -> reply(DhcpMessage.OFFER, nextFree());
            case DhcpMessage.REQUEST -> {
                int addr = msg.ciaddr() != 0 ? msg.ciaddr() : msg.address(DhcpMessage.OPT_REQUESTED_ADDRESS);
                if (naksToSend > 0) {
                    naksToSend--;
                    reply(DhcpMessage.NAK, 0);
                } else {
                    reply(DhcpMessage.ACK, addr);
                }
            }
            case DhcpMessage.DECLINE -> declined.add(msg.address(DhcpMessage.OPT_REQUESTED_ADDRESS));
            default -> {
            }
        }
    }

    private int nextFree() {
        int a = FIRST;
        while (declined.contains(a)) {
            a++;
        }
        return a;
    }

    private void reply(int type, int yiaddr) {
        int ciaddr = msg.ciaddr();
        writer.start(out, 0, DhcpMessage.OP_REPLY, msg.xid(), msg.clientMac()).yiaddr(yiaddr).messageType(type)
                .address(DhcpMessage.OPT_SERVER_ID, ADDRESS);
        if (type != DhcpMessage.NAK) {
            writer.optionU32(DhcpMessage.OPT_LEASE_TIME, (int) leaseSecs)
                    .optionU32(DhcpMessage.OPT_RENEWAL_TIME, (int) t1Secs)
                    .optionU32(DhcpMessage.OPT_REBINDING_TIME, (int) t2Secs)
                    .address(DhcpMessage.OPT_SUBNET_MASK, 0xFFFFFF00)
                    .addresses(DhcpMessage.OPT_ROUTER, ADDRESS)
                    .addresses(DhcpMessage.OPT_DNS_SERVERS, ADDRESS, 0x08080808)
                    .string(DhcpMessage.OPT_DOMAIN_NAME, "lan.test")
                    .optionU16(DhcpMessage.OPT_INTERFACE_MTU, mtu);
        } else {
            writer.string(DhcpMessage.OPT_MESSAGE, "wrong network");
        }
        int n = writer.finish();
        // RFC 2131 §4.1: unicast to a configured client (ciaddr), else broadcast.
        ep.send(ciaddr != 0 && type != DhcpMessage.NAK ? ciaddr : -1, DhcpMessage.CLIENT_PORT, out, 0, n);
    }

    List<Seen> ofType(int type) {
        return seen.stream().filter(s -> s.type() == type).toList();
    }
}
