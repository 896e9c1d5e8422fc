package org.jnetstack.dhcp;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.jnetstack.wire.Ipv4Address;

/**
 * What a DHCP server granted: the address and the configuration that came with it (RFC 2132).
 *
 * @param address       our address (yiaddr)
 * @param prefixLength  from the subnet mask (option 1), or the address class when absent
 * @param routers       option 3, in the server's order of preference; may be empty
 * @param dnsServers    option 6; may be empty
 * @param domain        option 15, or null
 * @param mtu           option 26, or 0 when absent
 * @param server        the server identifier (option 54): where renewals go
 * @param leaseTime     option 51
 * @param renewalTime   T1 (option 58, default half the lease, RFC 2131 §4.4.5)
 * @param rebindingTime T2 (option 59, default 7/8 of the lease)
 * @param boundAtNanos  loop-clock time the lease (or its last renewal) was acknowledged: the times count from here
 */
public record DhcpLease(Ipv4Address address, int prefixLength, List<Ipv4Address> routers, List<Ipv4Address> dnsServers,
                        String domain, int mtu, Ipv4Address server, Duration leaseTime, Duration renewalTime,
                        Duration rebindingTime, long boundAtNanos) {

    public DhcpLease {
        routers = List.copyOf(routers);
        dnsServers = List.copyOf(dnsServers);
    }

    /** The first router, or null. */
    public Ipv4Address router() {
        return routers.isEmpty() ? null : routers.get(0);
    }

    /** One line for people: {@code 10.0.0.5/24 router 10.0.0.1 dns 10.0.0.1 lease 3600s from 10.0.0.1}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(address).append('/').append(prefixLength);
        if (!routers.isEmpty()) {
            sb.append(" router ").append(routers.stream().map(Ipv4Address::toString).collect(Collectors.joining(",")));
        }
        if (!dnsServers.isEmpty()) {
            sb.append(" dns ").append(dnsServers.stream().map(Ipv4Address::toString).collect(Collectors.joining(",")));
        }
        if (domain != null) {
            sb.append(" domain ").append(domain);
        }
        if (mtu != 0) {
            sb.append(" mtu ").append(mtu);
        }
        return sb.append(" lease ").append(leaseTime.toSeconds()).append("s from ").append(server).toString();
    }
}
