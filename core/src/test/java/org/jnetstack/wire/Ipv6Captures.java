package org.jnetstack.wire;

/**
 * Genuine IPv6 frames from a Linux 6.x kernel: two network namespaces joined by a veth pair, A
 * (MAC 02:00:00:00:00:0a, fe80::ff:fe00:a) and B (02:00:00:00:00:0b, fe80::ff:fe00:b), link-local
 * addresses from EUI-64, DAD off, transmit checksum offload off ({@code ethtool -K va tx off}) so the
 * kernel fills every checksum in software; captured with {@code tcpdump -i vb -w} in B while A's
 * interface came up, A pinged B (16 and 3000 data bytes), A sent a UDP datagram to B's closed
 * port 9, and dnsmasq in B sent a Router Advertisement. The commands, as root (the namespaces
 * were deleted afterwards, also on failure):
 *
 * <pre>
 * ip netns add v6w-a; ip netns add v6w-b; ip link add va type veth peer name vb
 * ip link set va netns v6w-a; ip link set vb netns v6w-b
 * ip -n v6w-a link set va address 02:00:00:00:00:0a; ip -n v6w-b link set vb address 02:00:00:00:00:0b
 * sysctl net.ipv6.conf.{va,vb}.accept_dad=0 and ethtool -K {va,vb} tx off, each in its namespace
 * ip -n v6w-b link set vb up; ip netns exec v6w-b tcpdump -i vb -U -w cap.pcap ip6 &amp;
 * ip -n v6w-a link set va up
 * ip netns exec v6w-a ping -6 -c1 -s 16 fe80::ff:fe00:b%va; ... -s 3000 ...
 * ip netns exec v6w-a python3 -c '(a UDP socket bound to [fe80::ff:fe00:a]:40001 sends "ping" to port 9)'
 * ip -n v6w-b addr add 2001:db8:1::1/64 dev vb nodad; sysctl net.ipv6.conf.va.accept_ra=2 in v6w-a
 * ip netns exec v6w-b dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=vb --bind-interfaces \
 *     --enable-ra --dhcp-range=2001:db8:1::,ra-only,64,1h --ra-param=vb,mtu:1480,60,1800 \
 *     --dhcp-option=option6:dns-server,[2001:db8:1::53]
 * </pre>
 *
 * The hex below is each captured frame whole; the tests rebuild most of them byte for byte.
 */
public final class Ipv6Captures {
    private Ipv6Captures() {
    }

    public static final long A_HI = 0xfe80_0000_0000_0000L;
    public static final long A_LO = 0x0000_00ff_fe00_000aL;
    public static final long B_HI = 0xfe80_0000_0000_0000L;
    public static final long B_LO = 0x0000_00ff_fe00_000bL;
    public static final long A_MAC = 0x02_00_00_00_00_0aL;
    public static final long B_MAC = 0x02_00_00_00_00_0bL;

    /**
     * A's first MLDv2 report when its interface came up (RFC 3810 §5.2): to ff02::16, hop limit 1,
     * a Hop-by-Hop header with Router Alert value 0 (RFC 2711) and PadN, one CHANGE_TO_EXCLUDE record for
     * its solicited-node group ff02::1:ff00:a with no sources.
     */
    public static final String MLD_REPORT = "33330000001602000000000a86dd"
            + "6000000000240001fe80000000000000000000fffe00000aff020000000000000000000000000016"
            + "3a000502000001008f0071f50000000104000000ff0200000000000000000001ff00000a";

    /**
     * B's report after 2001:db8:1::1 was added and dnsmasq joined ff02::2: three CHANGE_TO_EXCLUDE
     * records (ff02::2, ff02::1:ff00:1, ff02::1:ff00:b), no sources.
     */
    public static final String MLD_REPORT_3 = "33330000001602000000000b86dd"
            + "60000000004c0001fe80000000000000000000fffe00000bff020000000000000000000000000016"
            + "3a000502000001008f006cbe0000000304000000ff02000000000000000000000000000204000000ff02000000000000"
            + "00000001ff00000104000000ff0200000000000000000001ff00000b";

    /**
     * A's Router Solicitation to ff02::2 with its source link-layer address option.
     */
    public static final String ROUTER_SOLICITATION = "33330000000202000000000a86dd"
            + "6000000000103afffe80000000000000000000fffe00000aff020000000000000000000000000002"
            + "85007b1a00000000010102000000000a";

    /**
     * A resolves fe80::ff:fe00:b before its ping: to the solicited-node group ff02::1:ff00:b, hop
     * limit 255, target B, source link-layer address option 02:00:00:00:00:0a.
     */
    public static final String NEIGHBOR_SOLICITATION = "3333ff00000b02000000000a86dd"
            + "6000000000203afffe80000000000000000000fffe00000aff0200000000000000000001ff00000b"
            + "87007c7300000000fe80000000000000000000fffe00000b010102000000000a";

    /**
     * B's answer: solicited and override set, router clear, target link-layer address 02:00:00:00:00:0b.
     */
    public static final String NEIGHBOR_ADVERTISEMENT = "02000000000a02000000000b86dd"
            + "6000000000203afffe80000000000000000000fffe00000bfe80000000000000000000fffe00000a"
            + "88001af660000000fe80000000000000000000fffe00000b020102000000000b";

    /**
     * B's unicast probe of A (reachability confirmation, RFC 4861 §7.3.3), with B's source link-layer address.
     */
    public static final String NEIGHBOR_SOLICITATION_UNICAST = "02000000000a02000000000b86dd"
            + "6000000000203afffe80000000000000000000fffe00000bfe80000000000000000000fffe00000a"
            + "87007cf700000000fe80000000000000000000fffe00000a010102000000000b";

    /**
     * A's answer to a unicast probe: solicited, no override, and no target link-layer address option.
     */
    public static final String NEIGHBOR_ADVERTISEMENT_NO_TLL = "02000000000b02000000000a86dd"
            + "6000000000183afffe80000000000000000000fffe00000afe80000000000000000000fffe00000b"
            + "88003f0b40000000fe80000000000000000000fffe00000a";

    /**
     * {@code ping -6 -c1 -s 16 fe80::ff:fe00:b%va}: echo request id 0x5fc6 seq 1, 16 data bytes.
     */
    public static final String ECHO_REQUEST = "02000000000b02000000000a86dd"
            + "6002990300183a40fe80000000000000000000fffe00000afe80000000000000000000fffe00000b"
            + "8000c86f5fc60001ded3166b000000006620010000000000";

    /**
     * B's echo reply to it.
     */
    public static final String ECHO_REPLY = "02000000000a02000000000b86dd"
            + "6005e51a00183a40fe80000000000000000000fffe00000bfe80000000000000000000fffe00000a"
            + "8100c76f5fc60001ded3166b000000006620010000000000";

    /**
     * {@code ping -6 -c1 -s 3000}: the first of three fragments (offset 0, M=1, id 0xffcd5a71), holding
     * the ICMPv6 echo header; 1448 bytes of fragmentable part.
     */
    public static final String FRAGMENT_FIRST = "02000000000b02000000000a86dd"
            + "6002990305b02c40fe80000000000000000000fffe00000afe80000000000000000000fffe00000b"
            + "3a000001ffcd5a718000c8bd5fc80001ded3166b00000000727a090000000000101112131415161718191a1b1c1d1e1f"
            + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f"
            + "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
            + "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            + "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
            + "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"
            + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
            + "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f"
            + "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
            + "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
            + "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
            + "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
            + "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"
            + "909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
            + "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
            + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
            + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f"
            + "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
            + "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            + "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
            + "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"
            + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
            + "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f"
            + "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
            + "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
            + "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
            + "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
            + "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"
            + "909192939495969798999a9b9c9d9e9f";

    /**
     * The last fragment of that echo request: offset 2896, M=0.
     */
    public static final String FRAGMENT_LAST = "02000000000b02000000000a86dd"
            + "6002990300782c40fe80000000000000000000fffe00000afe80000000000000000000fffe00000b"
            + "3a000b50ffcd5a7148494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f"
            + "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
            + "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7";

    /**
     * B's port unreachable for a UDP datagram (40001 to port 9, payload "ping") from A, quoting it whole.
     */
    public static final String PORT_UNREACHABLE = "02000000000a02000000000b86dd"
            + "600cf6ba003c3a40fe80000000000000000000fffe00000bfe80000000000000000000fffe00000a"
            + "0104f75400000000600d9add000c1140fe80000000000000000000fffe00000afe80000000000000000000fffe00000b"
            + "9c410009000c89a470696e67";

    /**
     * dnsmasq 2.90 in B ({@code --enable-ra --dhcp-range=2001:db8:1::,ra-only,64,1h --ra-param=vb,mtu:1480,60,1800
     * --dhcp-option=option6:dns-server,[2001:db8:1::53]}): hop limit 64, lifetime 1800 s, options prefix
     * 2001:db8:1::/64 (L, A, 3600 s, 3600 s), MTU 1480, source link-layer address, RDNSS 2001:db8:1::53 (3600 s).
     */
    public static final String ROUTER_ADVERTISEMENT = "33330000000102000000000b86dd"
            + "6c04fff800583afffe80000000000000000000fffe00000bff020000000000000000000000000001"
            + "86004541400007080000000000000000030440c000000e1000000e100000000020010db8000100000000000000000000"
            + "05010000000005c8010102000000000b1903000000000e1020010db8000100000000000000000053";

    /**
     * A general MLDv2 query from a Linux bridge's querier ({@code ip link add br0 type bridge mcast_snooping 1
     * mcast_querier 1 mcast_mld_version 2} in B, vb its port, bridge MAC 02:00:00:00:00:0c), captured on va
     * in A: from fe80::ff:fe00:c to ff02::1, hop limit 1, Router Alert; maximum response code 10000,
     * no group (general), QRV 2, QQIC 2, no sources (RFC 3810 §5.1).
     */
    public static final String MLD_QUERY = "33330000000102000000000c86dd"
            + "6000000000240001fe80000000000000000000fffe00000cff020000000000000000000000000001"
            + "3a0005020000000082005806271000000000000000000000000000000000000002020000";

    /**
     * Duplicate Address Detection (RFC 4862 §5.4.2) in the same run: from the unspecified address to
     * the solicited-node group of fe80::ff:fe00:b, no source link-layer address option but a Nonce
     * option (type 14, RFC 7527) our cursor steps over as unknown.
     */
    public static final String DAD_NEIGHBOR_SOLICITATION = "3333ff00000b02000000000b86dd"
            + "6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff00000b"
            + "87004dd700000000fe80000000000000000000fffe00000b0e01807f11ca8ee7";

    public static byte[] bytes(String hex) {
        return Captures.bytes(hex);
    }
}
