package org.jnetstack.ip;

/**
 * Sees every well-formed ARP packet an interface receives, before the cache acts on it (loop
 * thread). The DHCP client watches for a conflicting owner of an address it probes (RFC 5227).
 */
@FunctionalInterface
public interface ArpObserver {
    void onArp(int operation, int senderIp, long senderMac, int targetIp);
}
