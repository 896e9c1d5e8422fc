package org.jnetstack.fuzz;

import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.MacAddress;

/**
 * Rewrites a fuzzed frame in place so that it can pass the stack's checks: destination
 * addresses aimed at the stack, and the IPv4 header, ICMP and UDP checksums made right. Only
 * fields whose lengths are consistent are touched; everything else is left as the fuzzer made it.
 */
final class FrameRepair {
    private static final int ETH = EthernetFrame.HEADER_LENGTH;

    private FrameRepair() {
    }

    static void apply(byte[] f, FrameScript script, long ourMac, int ourIp) {
        if (f.length < ETH) {
            return;
        }
        if (script.has(FrameScript.AIM_MAC) && !MacAddress.isMulticast(MacAddress.read(f, 0))) {
            MacAddress.write(f, 0, ourMac);
        }
        if (Bytes.u16(f, 12) != EthernetFrame.TYPE_IPV4 || f.length < ETH + Ipv4Packet.MIN_HEADER_LENGTH) {
            return;
        }
        int hl = (f[ETH] & 0x0F) * 4;
        if (hl < Ipv4Packet.MIN_HEADER_LENGTH || ETH + hl > f.length) {
            return;
        }
        if (script.has(FrameScript.AIM_IP)) {
            Bytes.putI32(f, ETH + 16, ourIp);
        }
        if (!script.has(FrameScript.REPAIR_CHECKSUMS)) {
            return;
        }
        Bytes.putU16(f, ETH + 10, 0);
        Bytes.putU16(f, ETH + 10, Checksum.compute(f, ETH, hl));
        int total = Bytes.u16(f, ETH + 2);
        boolean fragment = (Bytes.u16(f, ETH + 6) & (Ipv4Packet.FLAG_MF | Ipv4Packet.OFFSET_MASK)) != 0;
        if (fragment || total < hl || ETH + total > f.length) {
            return;
        }
        int t = ETH + hl;
        int tLen = total - hl;
        int proto = f[ETH + 9] & 0xFF;
        if (proto == Ipv4Packet.PROTO_ICMP && tLen >= 4) {
            Bytes.putU16(f, t + 2, 0);
            Bytes.putU16(f, t + 2, Checksum.compute(f, t, tLen));
        } else if (proto == Ipv4Packet.PROTO_UDP && tLen >= 8) {
            int udpLen = Bytes.u16(f, t + 4);
            // A zero checksum means "none" (RFC 768): keep that case reachable for the fuzzer.
            if (udpLen >= 8 && udpLen <= tLen && Bytes.u16(f, t + 6) != 0) {
                Bytes.putU16(f, t + 6, 0);
                int sum = Checksum.pseudoHeader(Bytes.i32(f, ETH + 12), Bytes.i32(f, ETH + 16), Ipv4Packet.PROTO_UDP, udpLen);
                int c = Checksum.finish(Checksum.partial(f, t, udpLen, sum));
                Bytes.putU16(f, t + 6, c == 0 ? 0xFFFF : c);
            }
        }
    }
}
