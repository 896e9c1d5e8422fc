package org.jnetstack.dhcp;

/** Lease events of a {@link DhcpClient}, called on the loop thread. */
public interface DhcpListener {
    /** A lease was obtained and applied to the stack (the first, or one for a new address). */
    default void onBound(DhcpLease lease) {
    }

    /** The lease was extended (at T1 or T2); the address is unchanged. */
    default void onRenewed(DhcpLease lease) {
    }

    /**
     * The address was removed from the stack: the lease expired, a server refused it (NAK), it was
     * released, or an ARP probe found it in use.
     */
    default void onLost(DhcpLease lease, String reason) {
    }

    default void onStateChanged(DhcpState from, DhcpState to) {
    }
}
