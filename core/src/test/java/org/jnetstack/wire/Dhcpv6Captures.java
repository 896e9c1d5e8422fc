package org.jnetstack.wire;

/**
 * A genuine stateless DHCPv6 exchange with dnsmasq 2.90: two network namespaces joined by a veth
 * pair, the client A (MAC 02:00:00:00:00:0a, fe80::ff:fe00:a) and dnsmasq in B (02:00:00:00:00:0b,
 * 2001:db8:1::1/64). A Python socket bound to [fe80::ff:fe00:a]:546 sent the Information-Request
 * below (the one our client sends: DUID-LL, Option Request 23, 24, 32, Elapsed Time 0) to
 * [ff02::1:2]:547 and printed the UDP payload of dnsmasq's Reply. The commands, as root (the
 * namespaces were deleted afterwards, also on failure):
 *
 * <pre>
 * ip netns add jns-v6h-ca; ip netns add jns-v6h-cb; ip link add jns-v6h-a type veth peer name jns-v6h-b
 * ip link set jns-v6h-a netns jns-v6h-ca; ip link set jns-v6h-b netns jns-v6h-cb
 * ip -n jns-v6h-ca link set jns-v6h-a address 02:00:00:00:00:0a; ip -n jns-v6h-cb link set jns-v6h-b address 02:00:00:00:00:0b
 * sysctl net.ipv6.conf.jns-v6h-{a,b}.accept_dad=0, each in its namespace; both links up
 * ip -n jns-v6h-cb addr add 2001:db8:1::1/64 dev jns-v6h-b nodad
 * ip netns exec jns-v6h-cb dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=jns-v6h-b --bind-interfaces \
 *     --enable-ra --dhcp-range=2001:db8:1::,ra-stateless,64,1h --dhcp-option=option6:dns-server,[2001:db8:1::53] \
 *     --dhcp-option=option6:domain-search,lab.example --log-dhcp
 * ip netns exec jns-v6h-ca python3 ireq.py   (socket(AF_INET6, SOCK_DGRAM), bind(('fe80::ff:fe00:a', 546, 0, ifindex)),
 *     IPV6_MULTICAST_IF = ifindex, sendto(INFORMATION_REQUEST, ('ff02::1:2', 547, 0, ifindex)), print(recvfrom(2000)[0].hex()))
 * </pre>
 */
public final class Dhcpv6Captures {
    private Dhcpv6Captures() {
    }

    public static final long CLIENT_MAC = 0x02_00_00_00_00_0aL;
    public static final int XID = 0x123456;

    /** The Information-Request: type 11, xid 123456, Client Identifier (DUID-LL), ORO 23 24 32, Elapsed Time 0. */
    public static final String INFORMATION_REQUEST = "0b123456" + "0001000a0003000102000000000a" + "00060006001700180020"
            + "000800020000";

    /**
     * dnsmasq's Reply: type 7, the same xid, our Client Identifier, its Server Identifier (a DUID-LLT
     * of 02:00:00:00:00:0b), Domain Search List "lab.example", DNS server 2001:db8:1::53 and an
     * Information Refresh Time of 3600 s (the range's 1h).
     */
    public static final String REPLY = "07123456" + "0001000a0003000102000000000a" + "0002000e0001000132a9b6c902000000000b"
            + "0018000d036c6162076578616d706c6500" + "0017001020010db8000100000000000000000053" + "0020000400000e10";
}
