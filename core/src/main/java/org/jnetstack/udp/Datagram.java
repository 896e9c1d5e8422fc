package org.jnetstack.udp;

/** A queued datagram (endpoints opened without a handler): who sent it, and a copy of its payload. */
public record Datagram(int srcIp, int srcPort, int dstIp, byte[] data) {
}
