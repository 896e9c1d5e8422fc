package org.jnetstack.dhcp;

import org.jnetstack.ip.NetInterface;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.DhcpWriter;

/**
 * The messages a {@link DhcpClient} sends, each in the form RFC 2131 §4.4.1 (table 5) gives it,
 * built into one reused buffer and sent from the client's port to the server port: broadcast,
 * or unicast to the server where the client already knows it (RENEWING, RELEASE).
 */
final class ClientMessages {
    private static final int[] REQUESTED_OPTIONS = {DhcpMessage.OPT_SUBNET_MASK, DhcpMessage.OPT_ROUTER, DhcpMessage.OPT_DNS_SERVERS,
        DhcpMessage.OPT_DOMAIN_NAME, DhcpMessage.OPT_INTERFACE_MTU, DhcpMessage.OPT_BROADCAST_ADDRESS, DhcpMessage.OPT_LEASE_TIME,
        DhcpMessage.OPT_RENEWAL_TIME, DhcpMessage.OPT_REBINDING_TIME};
    private static final int BROADCAST = -1;

    private final NetInterface ni;
    private final DhcpConfig config;
    private final UdpEndpoint endpoint;
    private final long mac;
    private final DhcpWriter tx = new DhcpWriter();
    private final byte[] out = new byte[576];

    ClientMessages(NetInterface ni, DhcpConfig config, UdpEndpoint endpoint) {
        this.ni = ni;
        this.config = config;
        this.endpoint = endpoint;
        this.mac = ni.mac().bits();
    }

    void discover(int xid, int secs) {
        tx.start(out, 0, DhcpMessage.OP_REQUEST, xid, mac).secs(secs).messageType(DhcpMessage.DISCOVER).clientId(mac);
        commonOptions();
        send(BROADCAST);
    }

    /**
     * REQUEST in the form each state needs (RFC 2131 §4.3.2, table 4): SELECTING's answer to an
     * offer names the address and the server; INIT-REBOOT names the address it remembers;
     * RENEWING (unicast) and REBINDING put the lease's address in ciaddr.
     */
    void request(DhcpState state, int xid, int secs, int offered, int offerServer, DhcpLease lease) {
        tx.start(out, 0, DhcpMessage.OP_REQUEST, xid, mac).secs(secs).messageType(DhcpMessage.REQUEST).clientId(mac);
        int dst = BROADCAST;
        switch (state) {
            case REQUESTING -> tx.address(DhcpMessage.OPT_REQUESTED_ADDRESS, offered).address(DhcpMessage.OPT_SERVER_ID, offerServer);
            case REBOOTING -> tx.address(DhcpMessage.OPT_REQUESTED_ADDRESS, offered);
            case RENEWING -> {
                tx.ciaddr(lease.address().bits());
                dst = lease.server().bits();
            }
            case REBINDING -> tx.ciaddr(lease.address().bits());
            default -> throw new IllegalStateException("no REQUEST in state " + state);
        }
        commonOptions();
        send(dst);
    }

    /** DECLINE (RFC 2131 §4.4.1): the address in the lease is in use by another host. */
    void decline(int xid, DhcpLease l) {
        tx.start(out, 0, DhcpMessage.OP_REQUEST, xid, mac)
                .messageType(DhcpMessage.DECLINE)
                .address(DhcpMessage.OPT_REQUESTED_ADDRESS, l.address().bits())
                .address(DhcpMessage.OPT_SERVER_ID, l.server().bits())
                .clientId(mac);
        send(BROADCAST);
    }

    /** RELEASE (RFC 2131 §4.4.6), unicast to the server that granted the lease. */
    void release(int xid, DhcpLease l) {
        tx.start(out, 0, DhcpMessage.OP_REQUEST, xid, mac)
                .ciaddr(l.address().bits())
                .messageType(DhcpMessage.RELEASE)
                .address(DhcpMessage.OPT_SERVER_ID, l.server().bits())
                .clientId(mac);
        send(l.server().bits());
    }

    private void commonOptions() {
        // Option 57: we reassemble fragments, but servers size replies to the interface.
        tx.optionU16(DhcpMessage.OPT_MAX_MESSAGE_SIZE, Math.max(576, ni.mtu()));
        if (config.hostName() != null) {
            tx.string(DhcpMessage.OPT_HOST_NAME, config.hostName());
        }
        tx.parameterRequestList(REQUESTED_OPTIONS);
    }

    private void send(int dst) {
        int n = tx.finish();
        endpoint.send(dst, DhcpMessage.SERVER_PORT, out, 0, n);
    }
}
