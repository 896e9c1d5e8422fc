package org.jnetstack.udp;

import java.util.ArrayDeque;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.wire.Ipv6Address;

/**
 * A bound UDP port. Datagrams go to its {@link UdpHandler}, or, when it has none, into a
 * bounded queue read with {@link #poll()} (overflow is dropped and counted). An endpoint may be
 * {@link #connect connected}, which filters received datagrams to one peer.
 *
 * <p>Addresses of either family are held in the two-long form of {@link Ipv6Address} (IPv4 as
 * IPv4-mapped). An endpoint bound to no address takes datagrams of both families unless it is
 * IPv6-only; one bound to an IPv4 address takes IPv4 only, one bound to an IPv6 address IPv6 only.
 *
 * <p>Loop thread only, like the rest of the callback API.
 */
public final class UdpEndpoint {
    private final Udp udp;
    private final long localHi;
    private final long localLo;
    private final boolean v6Only;
    private final int localPort;
    private final UdpHandler handler;
    private long peerHi;
    private long peerLo;
    private int peerPort;
    private boolean closed;
    private int trafficClass;
    private final ArrayDeque<Datagram> queue;
    private int queuedBytes;
    private Runnable readable;
    long received;
    long dropped;

    UdpEndpoint(Udp udp, long localHi, long localLo, boolean v6Only, int localPort, UdpHandler handler) {
        this.udp = udp;
        this.localHi = localHi;
        this.localLo = localLo;
        this.v6Only = v6Only;
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

    /** The IPv4 address this endpoint is bound to; 0 means any of ours (or an IPv6 one: {@link #localHi}). */
    public int localAddress() {
        return TransportAddresses.isV4(localHi, localLo) ? TransportAddresses.v4(localLo) : 0;
    }

    /** The bound address in the two-long form (0:0 bound to none; IPv4 as IPv4-mapped). */
    public long localHi() {
        return localHi;
    }

    public long localLo() {
        return localLo;
    }

    /** Whether this endpoint, bound to no address, takes IPv6 datagrams only. */
    public boolean isV6Only() {
        return v6Only;
    }

    /** Whether a datagram of this family to {@code dstHi:dstLo} is for this endpoint (its bound address, if any). */
    boolean boundTo(long dstHi, long dstLo) {
        return TransportAddresses.bindMatches(localHi, localLo, v6Only, dstHi, dstLo);
    }

    /** Only datagrams from {@code ip:port} are received from now on; 0/0 removes the filter. */
    public void connect(int ip, int port) {
        connect(0, ip == 0 && port == 0 ? 0 : TransportAddresses.mappedLo(ip), port);
    }

    /** Only datagrams from {@code hi:lo} port {@code port} (either family, IPv4 as IPv4-mapped) from now on; 0:0/0 removes the filter. */
    public void connect(long hi, long lo, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535: " + port);
        }
        this.peerHi = hi;
        this.peerLo = lo;
        this.peerPort = port;
    }

    public void disconnect() {
        connect(0, 0, 0);
    }

    public boolean isConnected() {
        return peerPort != 0;
    }

    /** The connected peer's IPv4 address; 0 when not connected or connected over IPv6. */
    public int peerIp() {
        return TransportAddresses.isV4(peerHi, peerLo) ? TransportAddresses.v4(peerLo) : 0;
    }

    public long peerHi() {
        return peerHi;
    }

    public long peerLo() {
        return peerLo;
    }

    public int peerPort() {
        return peerPort;
    }

    boolean accepts(long srcHi, long srcLo, int srcPort) {
        return peerPort == 0 || (srcHi == peerHi && srcLo == peerLo && srcPort == peerPort);
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
        return send(dst.hi(), dst.lo(), dstPort, buf, off, len);
    }

    /**
     * Like {@link #send(Ipv6Address, int, byte[], int, int)} with the address in its two-long form
     * (IPv4 as IPv4-mapped): allocates nothing.
     */
    public boolean send(long dstHi, long dstLo, int dstPort, byte[] buf, int off, int len) {
        if (closed) {
            throw new IllegalStateException("UDP endpoint on port " + localPort + " is closed");
        }
        return udp.send(this, dstHi, dstLo, dstPort, buf, off, len);
    }

    /** Sends to the connected peer. */
    public boolean send(byte[] buf, int off, int len) {
        if (!isConnected()) {
            throw new IllegalStateException("not connected: use send(dstIp, dstPort, ...) or connect() first");
        }
        return send(peerHi, peerLo, peerPort, buf, off, len);
    }

    void deliver(int srcIp, int srcPort, int dstIp, byte[] buf, int off, int len) {
        received++;
        if (handler != null) {
            handler.onDatagram(this, srcIp, srcPort, buf, off, len);
            return;
        }
        enqueue(0, TransportAddresses.mappedLo(srcIp), srcPort, dstIp, buf, off, len);
    }

    /** A datagram over IPv6: to the handler's {@link UdpHandler#onDatagram6}, or into the queue. */
    void deliver6(long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
        received++;
        if (handler != null) {
            handler.onDatagram6(this, srcHi, srcLo, srcPort, buf, off, len);
            return;
        }
        enqueue(srcHi, srcLo, srcPort, 0, buf, off, len);
    }

    private void enqueue(long srcHi, long srcLo, int srcPort, int dstIp, byte[] buf, int off, int len) {
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
        queue.add(new Datagram(srcHi, srcLo, srcPort, dstIp, java.util.Arrays.copyOfRange(buf, off, off + len)));
        queuedBytes += len;
        if (readable != null) {
            readable.run();
        }
    }

    void error(int dstIp, int dstPort, int type, int code, String reason) {
        if (handler != null) {
            handler.onError(this, dstIp, dstPort, type, code, reason);
        }
    }

    void error6(long dstHi, long dstLo, int dstPort, int type, int code, String reason) {
        if (handler != null) {
            handler.onError6(this, dstHi, dstLo, dstPort, type, code, reason);
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
        return "udp " + TransportAddresses.format(localHi, localLo) + ":" + localPort
                + (isConnected() ? " -> " + TransportAddresses.format(peerHi, peerLo) + ":" + peerPort : "");
    }
}
