package org.jnetstack.udp;

import java.util.ArrayDeque;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * A bound UDP port. Datagrams go to its {@link UdpHandler}, or, when it has none, into a
 * bounded queue read with {@link #poll()} (overflow is dropped and counted). An endpoint may be
 * {@link #connect connected}, which filters received datagrams to one peer.
 *
 * <p>Loop thread only, like the rest of the callback API.
 */
public final class UdpEndpoint {
    private final Udp udp;
    private final int localAddress;
    private final int localPort;
    private final UdpHandler handler;
    private int peerIp;
    private int peerPort;
    private boolean closed;
    private int trafficClass;
    private final ArrayDeque<Datagram> queue;
    private int queuedBytes;
    private Runnable readable;
    long received;
    long dropped;

    UdpEndpoint(Udp udp, int localAddress, int localPort, UdpHandler handler) {
        this.udp = udp;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.handler = handler;
        this.queue = handler == null ? new ArrayDeque<>() : null;
    }

    /** Sets the IPv4 TOS byte (DSCP and ECN, RFC 2474 §3, RFC 3168 §5) of the datagrams sent from now on (IP_TOS). */
    public void setTrafficClass(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("TOS must be 0-255: " + tos);
        }
        trafficClass = tos;
    }

    public int trafficClass() {
        return trafficClass;
    }

    public int localPort() {
        return localPort;
    }

    /** The address this endpoint is bound to; 0 means any of ours. */
    public int localAddress() {
        return localAddress;
    }

    /** Only datagrams from {@code ip:port} are received from now on; 0/0 removes the filter. */
    public void connect(int ip, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535: " + port);
        }
        this.peerIp = ip;
        this.peerPort = port;
    }

    public void disconnect() {
        connect(0, 0);
    }

    public boolean isConnected() {
        return peerPort != 0;
    }

    public int peerIp() {
        return peerIp;
    }

    public int peerPort() {
        return peerPort;
    }

    boolean accepts(int srcIp, int srcPort) {
        return peerPort == 0 || (srcIp == peerIp && srcPort == peerPort);
    }

    /**
     * Sends a datagram of {@code len} bytes (at most 65507). Larger than the MTU is fine: IP
     * fragments it.
     *
     * @return false if it could not be sent (no route); the reason is counted
     */
    public boolean send(int dstIp, int dstPort, byte[] buf, int off, int len) {
        if (closed) {
            throw new IllegalStateException("UDP endpoint on port " + localPort + " is closed");
        }
        return udp.send(this, dstIp, dstPort, buf, off, len);
    }

    /**
     * Sends a datagram to an address of either family (an IPv4-mapped one goes over IPv4); over
     * IPv6 the source is chosen by the route (RFC 6724).
     *
     * @return false if it could not be sent (no route, no IPv6 layer); the reason is counted
     */
    public boolean send(Ipv6Address dst, int dstPort, byte[] buf, int off, int len) {
        if (closed) {
            throw new IllegalStateException("UDP endpoint on port " + localPort + " is closed");
        }
        return udp.send(this, dst.hi(), dst.lo(), dstPort, buf, off, len);
    }

    /** Sends to the connected peer. */
    public boolean send(byte[] buf, int off, int len) {
        if (!isConnected()) {
            throw new IllegalStateException("not connected: use send(dstIp, dstPort, ...) or connect() first");
        }
        return send(peerIp, peerPort, buf, off, len);
    }

    void deliver(int srcIp, int srcPort, int dstIp, byte[] buf, int off, int len) {
        received++;
        if (handler != null) {
            handler.onDatagram(this, srcIp, srcPort, buf, off, len);
            return;
        }
        if (queue.size() >= udp.config().udpQueueDatagrams() || queuedBytes + len > udp.config().udpQueueBytes()) {
            dropped++;
            udp.queueOverflow();
            return;
        }
        if (!udp.memory().tryCharge(len)) {
            dropped++;
            udp.memoryRefused(); // the stack's memory budget is spent
            return;
        }
        queue.add(new Datagram(srcIp, srcPort, dstIp, java.util.Arrays.copyOfRange(buf, off, off + len)));
        queuedBytes += len;
        if (readable != null) {
            readable.run();
        }
    }

    /**
     * A datagram over IPv6: to the handler's {@link UdpHandler#onDatagram6}; an endpoint without
     * a handler queues IPv4 datagrams only ({@link Datagram} holds an IPv4 source), so it drops it.
     */
    void deliver6(long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
        received++;
        if (handler != null) {
            handler.onDatagram6(this, srcHi, srcLo, srcPort, buf, off, len);
        } else {
            dropped++;
        }
    }

    void error(int dstIp, int dstPort, int type, int code, String reason) {
        if (handler != null) {
            handler.onError(this, dstIp, dstPort, type, code, reason);
        }
    }

    /** The next queued datagram, or null (endpoints without a handler). */
    public Datagram poll() {
        if (queue == null) {
            throw new IllegalStateException("this endpoint delivers to its handler; it has no queue");
        }
        Datagram d = queue.poll();
        if (d != null) {
            queuedBytes -= d.data().length;
            udp.memory().uncharge(d.data().length);
        }
        return d;
    }

    public int queued() {
        return queue == null ? 0 : queue.size();
    }

    /** Called (loop thread) whenever a datagram is queued. */
    public void onReadable(Runnable r) {
        this.readable = r;
    }

    /** Datagrams dropped because the queue was full. */
    public long droppedCount() {
        return dropped;
    }

    public long receivedCount() {
        return received;
    }

    public boolean isClosed() {
        return closed;
    }

    public void close() {
        if (!closed) {
            closed = true;
            udp.unbind(this);
            if (queue != null) {
                udp.memory().uncharge(queuedBytes); // what nobody will read goes back to the budget
                queue.clear();
                queuedBytes = 0;
            }
        }
    }

    @Override
    public String toString() {
        return "udp " + Ipv4Address.format(localAddress) + ":" + localPort
                + (isConnected() ? " -> " + Ipv4Address.format(peerIp) + ":" + peerPort : "");
    }
}
