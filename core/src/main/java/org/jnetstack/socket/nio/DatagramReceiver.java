package org.jnetstack.socket.nio;

import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import org.jnetstack.udp.Datagram;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;

/**
 * The loop's side of a {@link StackDatagramChannel}: on the loop thread, copies each datagram
 * into the channel's bounded queue (or drops it when full), records an ICMP port unreachable
 * about the connected peer, and tells the selectors.
 */
final class DatagramReceiver implements UdpHandler {
    private final StackDatagramChannel ch;

    DatagramReceiver(StackDatagramChannel ch) {
        this.ch = ch;
    }

    @Override
    public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
        onDatagram6(ep, 0, TransportAddresses.mappedLo(srcIp), srcPort, buf, off, len);
    }

    @Override
    public void onDatagram6(UdpEndpoint ep, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
        boolean wasReadable;
        ch.lock.lock();
        try {
            if (ch.closed || ch.queue.size() >= ch.maxDatagrams || ch.queuedBytes + len > ch.maxBytes) {
                ch.dropped++;
                return;
            }
            ch.queue.add(new Datagram(srcHi, srcLo, srcPort, 0, java.util.Arrays.copyOfRange(buf, off, off + len)));
            ch.queuedBytes += len;
            wasReadable = ch.readable;
            ch.publish();
            ch.arrived.signal();
        } finally {
            ch.lock.unlock();
        }
        if (!wasReadable) {
            ch.keys.readinessChanged();
        }
    }

    @Override
    public void onError(UdpEndpoint ep, int dstIp, int dstPort, int icmpType, int icmpCode, String reason) {
        if (icmpType == IcmpMessage.TYPE_DEST_UNREACHABLE && icmpCode == IcmpMessage.CODE_PORT_UNREACHABLE) {
            portUnreachable(0, TransportAddresses.mappedLo(dstIp), dstPort);
        }
    }

    @Override
    public void onError6(UdpEndpoint ep, long dstHi, long dstLo, int dstPort, int icmpType, int icmpCode, String reason) {
        if (icmpType == Icmpv6Message.TYPE_DEST_UNREACHABLE && icmpCode == Icmpv6Message.CODE_PORT_UNREACHABLE) {
            portUnreachable(dstHi, dstLo, dstPort);
        }
    }

    private void portUnreachable(long dstHi, long dstLo, int dstPort) {
        InetSocketAddress p = ch.peer;
        // java.net reports ICMP errors only on connected channels, about their peer.
        if (p == null || p.getPort() != dstPort || !LoopTasks.address(p.getAddress()).equals(new Ipv6Address(dstHi, dstLo))) {
            return;
        }
        ch.lock.lock();
        try {
            ch.pendingError = new PortUnreachableException("ICMP Port Unreachable");
            ch.publish();
            ch.arrived.signalAll();
        } finally {
            ch.lock.unlock();
        }
        ch.keys.readinessChanged();
    }
}
