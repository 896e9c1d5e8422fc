package org.jnetstack.wire;

import java.util.HexFormat;

/**
 * Genuine frames captured from a Linux 6.x kernel on a TAP device in a network namespace
 * (kernel address 10.99.0.1, MAC 02:00:00:00:00:01; the peer 10.99.0.2, 02:00:00:00:00:02).
 * TAP without offloads makes the kernel fill every checksum itself, so they are real.
 */
public final class Captures {
    private Captures() {
    }

    static final int KERNEL_IP = 0x0A630001;
    static final int PEER_IP = 0x0A630002;
    static final long KERNEL_MAC = 0x02_00_00_00_00_01L;
    static final long PEER_MAC = 0x02_00_00_00_00_02L;

    /** Kernel asks who has 10.99.0.2 (before its ping). */
    public static final String ARP_REQUEST = "ffffffffffff0200000000010806"
            + "0001080006040001020000000001" + "0a630001" + "000000000000" + "0a630002";
    /** Kernel answers a request for 10.99.0.1. */
    public static final String ARP_REPLY = "0200000000020200000000010806"
            + "0001080006040002020000000001" + "0a630001" + "020000000002" + "0a630002";
    /** {@code ping -c 1 -s 16 10.99.0.2}: echo request id 0x1136 seq 1, 16 data bytes. */
    public static final String ICMP_ECHO_REQUEST = "0200000000020200000000010800"
            + "4500002ce665400040013fa30a6300010a630002"
            + "0800c94e11360001b437046b000000005ed7060000000000";
    /** A DNS query for example.com A from port 40000 to 10.99.0.2:53. */
    public static final String UDP_DNS_QUERY = "0200000000020200000000010800"
            + "450000394f2f40004011d6bc0a6300010a630002"
            + "9c40003500256cc4"
            + "123401000001000000000000076578616d706c6503636f6d0000010001";
    /** Linux's SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 10. */
    public static final String TCP_SYN = "0200000000020200000000010800"
            + "4500003cff504000400626a30a6300010a630002"
            + "a5201f9014de4d8200000000a002faf0a3fb0000"
            + "020405b40402080a9924d412000000000103030a";
    /** Linux's SYN-ACK to a SYN (port 40002, seq 1000, TSval 12345) sent by the peer. */
    static final String TCP_SYN_ACK = "0200000000020200000000010800"
            + "4500003c00004000400625f40a6300010a630002"
            + "1e619c42e1fa90ab000003e9a012fe88413a0000"
            + "020405b40402080a01c29033000030390103030a";
    /** Port unreachable for a UDP datagram (40001 to port 9, payload "ping") the peer sent. */
    public static final String ICMP_PORT_UNREACHABLE = "0200000000020200000000010800"
            + "45c0003ce7ff000040017d390a6300010a630002"
            + "030311e300000000"
            + "45000020424240004011e3c20a6300020a630001" + "9c410009000c6ff270696e67";

    /**
     * Linux's duplicate ACK after the peer (port 40002, ISN 1000) sent 10 bytes at 1101, leaving a
     * gap: ACK 1001 with timestamps and one SACK block 1101-1111.
     */
    static final String TCP_ACK_SACK_1 = "0200000000020200000000010800"
            + "450000409e5a4000400687950a6300010a630002"
            + "1e619c42a4a3668e000003e9b0100040656100000101080a01c5c1da0000303a"
            + "0101050a0000044d00000457";
    /** The next duplicate ACK, after 10 more bytes at 1201: two blocks, the newest first. */
    static final String TCP_ACK_SACK_2 = "0200000000020200000000010800"
            + "450000489e5b40004006878c0a6300010a630002"
            + "1e619c42a4a3668e000003e9d01000403ab700000101080a01c5c3080000303a"
            + "01010512000004b1000004bb0000044d00000457";

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
