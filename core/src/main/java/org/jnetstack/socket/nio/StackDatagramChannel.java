package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jnetstack.NetStack;
import org.jnetstack.udp.Datagram;
import org.jnetstack.udp.UdpEndpoint;

/**
 * A {@link DatagramChannel} over a UDP endpoint of a {@link NetStack}: blocking and non-blocking
 * {@code send}/{@code receive}, {@code connect}ed {@code read}/{@code write} (scattering and
 * gathering), readiness for selectors (OP_READ when a datagram waits; OP_WRITE always, UDP sends
 * at once). Received datagrams wait in a queue bounded in datagrams and bytes (StackConfig's UDP
 * queue limits; SO_RCVBUF sets the byte bound); what does not fit is dropped, as a kernel does.
 * A connected channel receives only from its peer, and an ICMP port unreachable about that peer
 * makes the next read or receive throw {@link PortUnreachableException}. An unbound channel binds
 * an ephemeral port on its first send, receive or connect. {@link #socket()} is a
 * {@code java.net.DatagramSocket} over the channel. No multicast ({@link #join} throws
 * {@link UnsupportedOperationException}). Dual stack, as the JDK's on Linux: IPv4 and IPv6
 * peers, reported as {@code Inet4Address} and {@code Inet6Address}.
 */
public final class StackDatagramChannel extends DatagramChannel implements StackSelectable {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.IP_TOS);

    private final NetStack stack;
    final KeyList keys = new KeyList();
    final ReentrantLock lock = new ReentrantLock();
    final Condition arrived = lock.newCondition();
    private final ReentrantLock readLock = new ReentrantLock();

    // Guarded by lock. DatagramReceiver fills the queue on the loop thread.
    final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    int queuedBytes;
    final int maxDatagrams;
    IOException pendingError;
    private UdpEndpoint endpoint;
    boolean closed;

    volatile boolean readable; // a datagram or an error waits
    private volatile InetSocketAddress local;
    volatile InetSocketAddress peer;
    volatile int maxBytes;
    private volatile int sendBufferSize = 65_536;
    private volatile boolean reuseAddress;
    private volatile boolean broadcast;
    private volatile int trafficClass;
    volatile long dropped;
    private final Object stateLock = new Object();
    private StackDatagramSocketAdaptor adaptor; // guarded by stateLock

    StackDatagramChannel(StackSelectorProvider provider, NetStack stack) {
        super(provider);
        this.stack = stack;
        this.maxDatagrams = stack.config().udpQueueDatagrams();
        this.maxBytes = stack.config().udpQueueBytes();
    }

    // ------------------------------------------------------------------ binding and connecting

    @Override
    public DatagramChannel bind(SocketAddress localAddress) throws IOException {
        InetSocketAddress a = localAddress == null ? new InetSocketAddress(0) : check(localAddress);
        lock.lock();
        try {
            ensureOpen();
            if (endpoint != null) {
                throw new AlreadyBoundException();
            }
        } finally {
            lock.unlock();
        }
        bindTo(a);
        return this;
    }

    private void bindTo(InetSocketAddress a) throws IOException {
        org.jnetstack.wire.Ipv6Address addr = LoopTasks.bindAddress(a.getAddress());
        UdpEndpoint ep = LoopTasks.call(stack.loop(), () -> {
            UdpEndpoint made = stack.udp().open(addr, false, a.getPort(), new DatagramReceiver(this));
            made.setTrafficClass(trafficClass);
            return made;
        });
        lock.lock();
        try {
            if (closed || endpoint != null) { // closed, or bound by another thread, meanwhile
                LoopTasks.post(stack.loop(), ep::close);
                if (closed) {
                    throw new ClosedChannelException();
                }
                return;
            }
            endpoint = ep;
            local = new InetSocketAddress(addr == null ? LoopTasks.inet(0) : a.getAddress(), ep.localPort());
        } finally {
            lock.unlock();
        }
    }

    private UdpEndpoint bound() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            if (endpoint != null) {
                return endpoint;
            }
        } finally {
            lock.unlock();
        }
        bindTo(new InetSocketAddress(0));
        lock.lock();
        try {
            return endpoint;
        } finally {
            lock.unlock();
        }
    }

    private static InetSocketAddress check(SocketAddress a) {
        Objects.requireNonNull(a, "address");
        if (!(a instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return isa;
    }

    @Override
    public DatagramChannel connect(SocketAddress remote) throws IOException {
        InetSocketAddress r = check(remote);
        org.jnetstack.wire.Ipv6Address ip = LoopTasks.address(r.getAddress());
        UdpEndpoint ep = bound();
        if (isConnected()) {
            throw new AlreadyConnectedException();
        }
        LoopTasks.call(stack.loop(), () -> {
            ep.connect(ip.hi(), ip.lo(), r.getPort());
            return null;
        });
        lock.lock();
        try {
            peer = new InetSocketAddress(ip.toInetAddress(), r.getPort());
            // datagrams from others that came before the connect are not for us (as Linux)
            queue.removeIf(d -> !d.isFrom(ip.hi(), ip.lo(), r.getPort()));
            queuedBytes = queue.stream().mapToInt(d -> d.data().length).sum();
            pendingError = null;
            publish();
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        UdpEndpoint ep;
        lock.lock();
        try {
            if (closed || peer == null) {
                return this;
            }
            ep = endpoint;
        } finally {
            lock.unlock();
        }
        LoopTasks.call(stack.loop(), () -> {
            ep.disconnect();
            return null;
        });
        lock.lock();
        try {
            peer = null;
            pendingError = null;
            publish();
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public boolean isConnected() {
        return peer != null;
    }

    // ------------------------------------------------------------------ sending

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src, "src");
        InetSocketAddress to = check(target);
        InetSocketAddress p = peer;
        if (p != null && !p.equals(to)) {
            throw new AlreadyConnectedException();
        }
        return sendTo(src, to);
    }

    /** UDP sends at once (IP queues or fragments it): blocking or not, the whole datagram goes or none does. */
    private int sendTo(ByteBuffer src, InetSocketAddress to) throws IOException {
        UdpEndpoint ep = bound();
        int len = src.remaining();
        if (len > org.jnetstack.udp.Udp.MAX_PAYLOAD) {
            throw new java.net.SocketException("Message too long: " + len + " bytes, at most "
                    + org.jnetstack.udp.Udp.MAX_PAYLOAD);
        }
        byte[] data = new byte[len];
        src.get(src.position(), data);
        org.jnetstack.wire.Ipv6Address ip = LoopTasks.address(to.getAddress());
        int port = to.getPort();
        boolean sent = LoopTasks.call(stack.loop(), () -> {
            if (ep.isClosed()) {
                throw new ClosedChannelException();
            }
            return ep.send(ip.hi(), ip.lo(), port, data, 0, len);
        });
        if (!sent) {
            throw new NoRouteToHostException("No route to host " + to.getAddress().getHostAddress());
        }
        src.position(src.position() + len);
        return len;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        InetSocketAddress p = peer;
        if (p == null) {
            ensureOpen();
            throw new NotYetConnectedException();
        }
        return sendTo(src, p);
    }

    /** Gathering write: one datagram made of every buffer's remaining bytes. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        if (total > org.jnetstack.udp.Udp.MAX_PAYLOAD) {
            throw new java.net.SocketException("Message too long: " + total + " bytes");
        }
        ByteBuffer one = ByteBuffer.allocate((int) total);
        for (int i = offset; i < offset + length; i++) {
            one.put(srcs[i].duplicate());
        }
        int n = write(one.flip());
        for (int i = offset; i < offset + length; i++) {
            srcs[i].position(srcs[i].limit());
        }
        return n;
    }

    // ------------------------------------------------------------------ receiving

    /**
     * The next datagram into {@code dst} (truncated to what fits; the rest is lost) and its
     * source; null when non-blocking and none waits.
     */
    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        return receive(dst, 0);
    }

    /** {@link #receive(ByteBuffer)} with a timeout in milliseconds (0: none) when blocking: the socket adaptor's SO_TIMEOUT. */
    SocketAddress receive(ByteBuffer dst, int timeoutMillis) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        bound();
        Datagram d = take(timeoutMillis);
        if (d == null) {
            return null;
        }
        dst.put(d.data(), 0, Math.min(d.data().length, dst.remaining()));
        return new InetSocketAddress(d.source(), d.srcPort());
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return (int) read(new ByteBuffer[] {dst}, 0, 1);
    }

    /** Scattering read of one datagram from the connected peer: 0 when non-blocking and none waits. */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ensureOpen();
        if (peer == null) {
            throw new NotYetConnectedException();
        }
        Datagram d = take(0);
        if (d == null) {
            return 0;
        }
        int at = 0;
        byte[] data = d.data();
        for (int i = offset; i < offset + length && at < data.length; i++) {
            int n = Math.min(dsts[i].remaining(), data.length - at);
            dsts[i].put(data, at, n);
            at += n;
        }
        return at;
    }

    /** The next datagram, waiting for one when blocking; null when non-blocking and none waits. */
    private Datagram take(int timeoutMillis) throws IOException {
        long deadline = timeoutMillis == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            boolean completed = false;
            try {
                if (blocking) {
                    begin();
                }
                lock.lock();
                try {
                    while (true) {
                        if (closed) {
                            return null; // end(false) throws AsynchronousCloseException
                        }
                        if (pendingError != null) {
                            IOException e = pendingError;
                            pendingError = null;
                            publish();
                            completed = true;
                            throw e;
                        }
                        Datagram d = queue.poll();
                        if (d != null || !blocking) {
                            if (d != null) {
                                queuedBytes -= d.data().length;
                            }
                            publish();
                            completed = true;
                            return d;
                        }
                        if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                            completed = true; // not closed: the timeout is the outcome
                            throw new java.net.SocketTimeoutException("Receive timed out");
                        }
                        await(deadline);
                    }
                } finally {
                    lock.unlock();
                }
            } finally {
                if (blocking) {
                    end(completed);
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    private void await(long deadline) throws IOException {
        LoopTasks.checkNotLoopThread(stack.loop());
        if (stack.loop().isClosed()) {
            throw new java.net.SocketException("Socket closed: the network stack's event loop has stopped");
        }
        try {
            long wait = TimeUnit.SECONDS.toNanos(1);
            if (deadline != 0) {
                wait = Math.min(wait, deadline - System.nanoTime());
            }
            arrived.awaitNanos(wait);
        } catch (InterruptedException e) {
            if (!closed) {
                arrived.awaitUninterruptibly(); // the interruptor closes the channel and signals us
            }
            Thread.currentThread().interrupt();
        }
    }

    /** Lock held. */
    void publish() {
        readable = !queue.isEmpty() || pendingError != null;
    }

    // ------------------------------------------------------------------ selection and closing

    @Override
    public int readyOps(int interest) {
        int ops = SelectionKey.OP_WRITE;
        if (readable) {
            ops |= SelectionKey.OP_READ;
        }
        return ops & interest;
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // receive and read look at isBlocking() each time
    }

    @Override
    protected void implCloseSelectableChannel() {
        UdpEndpoint ep;
        lock.lock();
        try {
            closed = true;
            queue.clear();
            queuedBytes = 0;
            arrived.signalAll();
            ep = endpoint;
        } finally {
            lock.unlock();
        }
        if (ep != null) {
            LoopTasks.post(stack.loop(), ep::close);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** Datagrams dropped because the receive queue was full. */
    public long droppedCount() {
        return dropped;
    }

    // ------------------------------------------------------------------ addresses and options

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return local;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return peer;
    }

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        ChannelOptions.checkSet(OPTIONS, name, value, this::ensureOpen);
        if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
            int v = ChannelOptions.bufferSize((Integer) value);
            if (name == StandardSocketOptions.SO_RCVBUF) {
                maxBytes = v;
            } else {
                sendBufferSize = v;
            }
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
        } else if (name == StandardSocketOptions.IP_TOS) {
            int tos = ChannelOptions.trafficClass((Integer) value);
            UdpEndpoint ep;
            lock.lock();
            try {
                trafficClass = tos;
                ep = endpoint;
            } finally {
                lock.unlock();
            }
            if (ep != null) {
                LoopTasks.post(stack.loop(), () -> ep.setTrafficClass(tos));
            }
        } else {
            broadcast = (Boolean) value;
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ChannelOptions.checkGet(OPTIONS, name, this::ensureOpen);
        Object v;
        if (name == StandardSocketOptions.SO_RCVBUF) {
            v = maxBytes;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = sendBufferSize;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            v = reuseAddress;
        } else if (name == StandardSocketOptions.IP_TOS) {
            v = trafficClass;
        } else {
            v = broadcast;
        }
        return (T) v;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /**
     * A {@code java.net.DatagramSocket} view of this channel, as the JDK's adaptor: its
     * {@code send}/{@code receive} need blocking mode; SO_TIMEOUT applies to {@code receive}.
     */
    @Override
    public DatagramSocket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = new StackDatagramSocketAdaptor(this);
            }
            return adaptor;
        }
    }

    /** What {@link #join} says: the stack has no IGMP (RFC 3376), so it cannot take part in a multicast group. */
    static final String NO_MULTICAST = "multicast not supported on jnetstack: the stack has no IGMP, so it cannot join "
            + "a group; use unicast, or a channel of the JDK's own provider on the host's network";

    /** Always throws {@link UnsupportedOperationException}: {@link #NO_MULTICAST}. */
    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
        throw new UnsupportedOperationException(NO_MULTICAST);
    }

    /** Always throws {@link UnsupportedOperationException}: {@link #NO_MULTICAST}. */
    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        throw new UnsupportedOperationException(NO_MULTICAST);
    }

    @Override
    public String toString() {
        return "StackDatagramChannel[" + (isOpen() ? "" : "closed ") + "local=" + local + (peer == null ? "" : " remote=" + peer) + "]";
    }
}
