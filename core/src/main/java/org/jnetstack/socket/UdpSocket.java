package org.jnetstack.socket;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.internal.SocketErrors;
import org.jnetstack.udp.Datagram;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;

/**
 * A blocking UDP socket for any thread, like {@link java.net.DatagramSocket}.
 *
 * <pre>{@code
 * try (UdpSocket s = new UdpSocket(stack)) {
 *     s.send(query, 0, query.length, new InetSocketAddress(server, 53));
 *     s.setSoTimeout(2000);
 *     DatagramPacket answer = new DatagramPacket(new byte[512], 512);
 *     s.receive(answer);
 * }
 * }</pre>
 *
 * <p>Received datagrams wait in a queue bounded in datagrams and bytes ({@code StackConfig}'s
 * UDP queue limits, or {@link #setReceiveBufferSize}); what does not fit is dropped and counted,
 * as a kernel does. A {@link #connect connected} socket receives only from its peer, and an ICMP
 * port-unreachable about it makes the next {@link #receive} throw {@link PortUnreachableException}.
 *
 * <p>Dual stack, as on Linux: a socket bound to no address sends and receives over IPv4 and IPv6;
 * peers are reported as {@code Inet4Address} over IPv4 and {@code Inet6Address} over IPv6, and
 * either kind (an IPv4-mapped {@code Inet6Address} too) may be given as a destination.
 */
public final class UdpSocket implements Closeable {
    private final NetStack stack;
    private final EventLoop loop;
    private final UdpEndpoint endpoint;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>(); // guarded by lock
    private int queuedBytes;     // guarded by lock
    private int maxDatagrams;    // guarded by lock
    private volatile int maxBytes;
    private volatile long dropped;   // written under lock
    private IOException pendingError; // guarded by lock
    private volatile boolean closed; // written under lock
    private volatile int soTimeoutMillis;
    private volatile InetSocketAddress peer; // written under lock

    /** Binds an ephemeral port. */
    public UdpSocket(NetStack stack) throws IOException {
        this(stack, 0);
    }

    /**
     * Binds {@code port} on every local address (0: an ephemeral port).
     *
     * @throws java.net.BindException "Address already in use"
     */
    public UdpSocket(NetStack stack, int port) throws IOException {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.loop = stack.loop();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.maxDatagrams = stack.config().udpQueueDatagrams();
        this.maxBytes = stack.config().udpQueueBytes();
        this.endpoint = LoopCall.call(loop, () -> stack.udp().open(null, false, port, new Receiver()));
    }

    public int localPort() {
        return endpoint.localPort();
    }

    /** Sends to {@code to}; {@code len} may be up to 65507 bytes (IP fragments it). */
    public void send(byte[] b, int off, int len, InetSocketAddress to) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        Objects.requireNonNull(to, "to");
        if (to.isUnresolved()) {
            throw new UnknownHostException(to.getHostString());
        }
        Ipv6Address dst = Ipv6Address.of(to.getAddress());
        int port = to.getPort();
        checkOpen();
        boolean sent = LoopCall.call(loop, () -> {
            if (endpoint.isClosed()) {
                throw SocketErrors.closed();
            }
            return endpoint.send(dst.hi(), dst.lo(), port, b, off, len);
        });
        if (!sent) {
            throw new NoRouteToHostException("No route to host " + to.getAddress().getHostAddress());
        }
    }

    /** Sends {@code p} to its address, or to the connected peer when it has none. */
    public void send(DatagramPacket p) throws IOException {
        InetSocketAddress to;
        if (p.getAddress() != null) {
            to = new InetSocketAddress(p.getAddress(), p.getPort());
        } else {
            to = peer;
            if (to == null) {
                throw new IllegalArgumentException("packet has no destination and the socket is not connected");
            }
        }
        send(p.getData(), p.getOffset(), p.getLength(), to);
    }

    /**
     * Waits (up to {@link #setSoTimeout}) for a datagram and copies it into {@code p}, setting
     * its length, address and port; a datagram longer than the buffer is truncated (the rest is lost).
     *
     * @throws SocketTimeoutException "Receive timed out"
     * @throws PortUnreachableException after an ICMP port unreachable about the connected peer
     */
    public void receive(DatagramPacket p) throws IOException {
        Datagram d;
        lock.lock();
        try {
            long deadline = Waits.deadline(soTimeoutMillis);
            while (true) {
                if (closed) {
                    throw SocketErrors.closed();
                }
                if (pendingError != null) {
                    IOException e = pendingError;
                    pendingError = null;
                    throw SocketErrors.rethrown(e);
                }
                d = queue.poll();
                if (d != null) {
                    queuedBytes -= d.data().length;
                    break;
                }
                if (!Waits.await(arrived, deadline, loop, this)) {
                    throw new SocketTimeoutException("Receive timed out");
                }
            }
        } finally {
            lock.unlock();
        }
        int n = Math.min(d.data().length, p.getData().length - p.getOffset());
        System.arraycopy(d.data(), 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setAddress(d.source());
        p.setPort(d.srcPort());
    }

    /** Receives only from {@code peer} from now on; {@code send(DatagramPacket)} without address goes there. */
    public void connect(InetSocketAddress peer) throws IOException {
        if (peer.isUnresolved()) {
            throw new UnknownHostException(peer.getHostString());
        }
        Ipv6Address ip = Ipv6Address.of(peer.getAddress());
        checkOpen();
        LoopCall.call(loop, () -> {
            endpoint.connect(ip.hi(), ip.lo(), peer.getPort());
            return null;
        });
        lock.lock();
        try {
            this.peer = peer;
            queue.removeIf(d -> !d.isFrom(ip.hi(), ip.lo(), peer.getPort()));
            queuedBytes = queue.stream().mapToInt(d -> d.data().length).sum();
        } finally {
            lock.unlock();
        }
    }

    public void disconnect() throws IOException {
        checkOpen();
        LoopCall.call(loop, () -> {
            endpoint.disconnect();
            return null;
        });
        lock.lock();
        try {
            peer = null;
            pendingError = null;
        } finally {
            lock.unlock();
        }
    }

    /** The connected peer, or null. */
    public InetSocketAddress remoteAddress() {
        return peer;
    }

    /** SO_TIMEOUT: how long {@link #receive} waits (0: for ever). */
    public void setSoTimeout(int millis) {
        soTimeoutMillis = Waits.checkTimeout(millis);
    }

    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    /** SO_RCVBUF: bytes of datagrams queued for {@link #receive} before further ones are dropped. */
    public void setReceiveBufferSize(int bytes) {
        maxBytes = Waits.checkBufferSize(bytes);
    }

    public int getReceiveBufferSize() {
        return maxBytes;
    }

    /** Datagrams dropped because the receive queue was full. */
    public long droppedCount() {
        return dropped;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Releases the port; a blocked {@link #receive} throws {@code Socket closed} at once. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (loop.inLoop()) {
            endpoint.close();
        } else {
            LoopCall.post(loop, endpoint::close);
        }
    }

    private void checkOpen() throws SocketException {
        if (isClosed()) {
            throw SocketErrors.closed();
        }
    }

    public NetStack stack() {
        return stack;
    }

    @Override
    public String toString() {
        return "UdpSocket[port " + localPort() + (isClosed() ? ", closed" : "") + "]";
    }

    /** Loop thread: copies each datagram into the bounded queue. */
    private final class Receiver implements UdpHandler {
        @Override
        public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
            onDatagram6(ep, 0, org.jnetstack.internal.TransportAddresses.mappedLo(srcIp), srcPort, buf, off, len);
        }

        @Override
        public void onDatagram6(UdpEndpoint ep, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
            lock.lock();
            try {
                if (closed || queue.size() >= maxDatagrams || queuedBytes + len > maxBytes) {
                    dropped++;
                    return;
                }
                queue.add(new Datagram(srcHi, srcLo, srcPort, 0, java.util.Arrays.copyOfRange(buf, off, off + len)));
                queuedBytes += len;
                arrived.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onError(UdpEndpoint ep, int dstIp, int dstPort, int icmpType, int icmpCode, String reason) {
            if (icmpType == IcmpMessage.TYPE_DEST_UNREACHABLE && icmpCode == IcmpMessage.CODE_PORT_UNREACHABLE) {
                portUnreachable(0, org.jnetstack.internal.TransportAddresses.mappedLo(dstIp), dstPort);
            }
        }

        @Override
        public void onError6(UdpEndpoint ep, long dstHi, long dstLo, int dstPort, int icmpType, int icmpCode, String reason) {
            if (icmpType == Icmpv6Message.TYPE_DEST_UNREACHABLE && icmpCode == Icmpv6Message.CODE_PORT_UNREACHABLE) {
                portUnreachable(dstHi, dstLo, dstPort);
            }
        }

        /** java.net reports ICMP errors only on connected sockets, about their peer. */
        private void portUnreachable(long dstHi, long dstLo, int dstPort) {
            lock.lock();
            try {
                InetSocketAddress p = peer;
                if (p != null && p.getPort() == dstPort && Ipv6Address.of(p.getAddress()).equals(new Ipv6Address(dstHi, dstLo))) {
                    pendingError = new PortUnreachableException("ICMP Port Unreachable");
                    arrived.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
