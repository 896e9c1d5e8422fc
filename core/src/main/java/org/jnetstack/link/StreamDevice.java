package org.jnetstack.link;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.MacAddress;

/**
 * A virtual machine's network card on a stream socket: the framing of QEMU's
 * {@code -netdev stream} and {@code -netdev socket}, passt and gvisor-tap-vsock — every Ethernet
 * frame preceded by its length as a 32-bit big-endian integer, no virtio header.
 *
 * <pre>{@code
 * StreamDevice vm = StreamDevice.listenUnix(Path.of("/run/user/1000/jns.sock"), null, StreamOptions.defaults());
 * DeviceAttachment.attach(loop, vm, frames::onFrame);
 * // qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,addr.path=/run/user/1000/jns.sock \
 * //                        -device virtio-net-pci,netdev=n0
 * }</pre>
 *
 * <p>The device listens (on a Unix socket path or a TCP address) and serves one connection at a
 * time: when QEMU exits, the next QEMU that connects gets the same device, so a restarted guest
 * gets its switch port (and its DHCP lease, kept by MAC) back. A connection that arrives while one
 * is served is closed at once ({@code conn.refused_busy}). Or the other way round
 * ({@link #connectUnix}, {@link #connectTcp}): QEMU listens ({@code server=on}) and the device
 * connects, and connects again whenever the connection ends, so the guest keeps its network
 * across a restart of this side.
 *
 * <p><b>The loop's wait.</b> The listening and the connected socket sit in an epoll set whose
 * descriptor is {@link #pollFd()}: the loop's one {@code ppoll(2)} wakes when either is ready, and
 * the set changes as connections come and go without the loop knowing. The device never calls
 * {@code epoll_wait}; it tries its two sockets, which are non-blocking.
 *
 * <p><b>Batches, no allocation per frame.</b> One {@code read(2)} fills a buffer of
 * {@link StreamOptions#readBufferBytes()}; every frame lying whole in it is handed up where it lies.
 * Only a frame cut by the read's end is copied, into a buffer for one frame, and completed from the
 * next read. Frames sent during an iteration are gathered, each behind its length, and written
 * with one {@code write(2)} at the iteration's end (a {@link org.jnetstack.loop.BatchEndTask}); what
 * the socket does not take waits, and the device asks the epoll set for writability until it is
 * written (each iteration that polls the device tries again).
 *
 * <p><b>A hostile or broken peer.</b> A length below 14 (no Ethernet header) or above the MTU plus
 * 18 ({@link StreamOptions#maxFrame()}) cannot be a frame: the stream has lost its framing and
 * nothing after it can be trusted, so the connection is closed ({@code rx.dropped.bad_length}).
 * Memory held per connection is the two fixed buffers, whatever the peer does. A connection that
 * cannot be accepted (the process is out of descriptors, {@code EMFILE}) stays queued while
 * the listening socket is left out of the epoll set for {@link #ACCEPT_RETRY_NANOS}
 * ({@code conn.accept_failed}): the socket stays readable, and waiting on it would wake the loop
 * at once, again and again.
 *
 * <p>All calls but {@link #close()} on the loop thread after {@link #open}.
 */
public final class StreamDevice implements LinkDevice {
    private static final System.Logger LOG = System.getLogger(StreamDevice.class.getName());
    /** How long the listening socket is not waited on after an accept failed other than for want of a connection. */
    static final long ACCEPT_RETRY_NANOS = 1_000_000_000L;

    private final String name;
    private final MacAddress mac;
    private final StreamOptions options;
    private final int maxFrame;
    private final Path unixPath;
    /** -1 when the device connects to its peer instead of listening. */
    private final int listenFd;
    /** The peer's address when the device connects to it (QEMU with server=on); null when it listens. */
    private final MemorySegment peerAddress;
    private final int family;
    private final int epollFd;
    private final int localPort;

    private final DeviceStats stats = new DeviceStats();
    private final Counter accepted = stats.counters().counter("conn.accepted");
    private final Counter disconnected = stats.counters().counter("conn.closed");
    private final Counter refusedBusy = stats.counters().counter("conn.refused_busy");
    private final Counter connectedOut = stats.counters().counter("conn.connected");
    private final Counter connectFailed = stats.counters().counter("conn.connect_failed");
    private final Counter acceptFailed = stats.counters().counter("conn.accept_failed");
    private final Counter badLength = stats.counters().counter("rx.dropped.bad_length");
    private final Counter rxErrors = stats.counters().counter("rx.errors");
    private final Counter txErrors = stats.counters().counter("tx.errors");
    private final Counter txNotConnected = stats.counters().counter("tx.dropped.not_connected");
    private final Counter txFull = stats.counters().counter("tx.dropped.full");
    private final Counter txOversize = stats.counters().counter("tx.dropped.oversize");
    private final Counter txDiscarded = stats.counters().counter("tx.discarded_bytes");

    /** GC-managed: nothing is freed under a call that races with {@link #close()}. */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment callState = arena.allocate(TunCalls.CAPTURE_LAYOUT);
    private final MemorySegment epollEvent = arena.allocate(SocketCalls.EPOLL_EVENT_SIZE, 8);

    private final StreamFraming frames;
    /** Read calls fill the framing's read buffer from its start through this segment (critical downcall, no slice per call). */
    private final MemorySegment rxSegment;

    /** Frames waiting to be written, each behind its length; always written from index 0. */
    private final byte[] txBuffer;
    private final MemorySegment txSegment;
    private int txLength;
    private boolean wantWritable;

    private int connFd = -1;
    /** A non-blocking connect to the peer is in progress on {@link #connFd}. */
    private boolean connecting;
    private org.jnetstack.loop.Timer reconnect;
    /** Puts the listening socket back in the epoll set after an accept failed; null when connecting out. */
    private org.jnetstack.loop.Timer acceptRetry;
    private boolean acceptPaused;
    private volatile boolean connected;
    private volatile boolean closed;
    private DeviceContext context;
    /** Writes the frames gathered in an iteration at its end: requested by {@link #send}. */
    private org.jnetstack.loop.BatchEndTask flushTask;

    /** {@code peer}: the address to connect to (copied), or null to listen on {@code sockets.listenFd()}. */
    private StreamDevice(String name, MacAddress mac, StreamOptions options, Path unixPath, StreamListener sockets,
                         int family, MemorySegment peer) {
        this.name = name;
        this.mac = mac != null ? mac : MacAddress.randomLocal(new SecureRandom());
        this.options = options;
        this.maxFrame = options.maxFrame();
        this.unixPath = unixPath;
        this.listenFd = sockets.listenFd();
        this.epollFd = sockets.epollFd();
        this.localPort = sockets.port();
        this.family = family;
        if (peer != null) {
            this.peerAddress = arena.allocate(peer.byteSize(), 4);
            MemorySegment.copy(peer, 0, peerAddress, 0, peer.byteSize());
        } else {
            this.peerAddress = null;
        }
        this.frames = new StreamFraming(options.readBufferBytes(), maxFrame);
        this.rxSegment = MemorySegment.ofArray(frames.readBuffer);
        this.txBuffer = new byte[options.writeBufferBytes()];
        this.txSegment = MemorySegment.ofArray(txBuffer);
    }

    /**
     * Listens on the Unix socket {@code path} (QEMU: {@code -netdev stream,server=off,addr.type=unix,addr.path=PATH}).
     * A stale socket file left by a process that is gone is replaced.
     *
     * @param mac the address a stack on this device would use, or null for a random local one
     * @throws IOException if the path is in use by a live listener, is not a socket, or cannot be bound
     */
    public static StreamDevice listenUnix(Path path, MacAddress mac, StreamOptions options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        StreamListener.removeStaleSocket(path);
        String name = "stream:" + path;
        try (Arena tmp = Arena.ofConfined()) {
            StreamListener l = StreamListener.listen(SocketCalls.AF_UNIX, SocketCalls.unixAddress(tmp, path.toString()), name);
            return new StreamDevice(name, mac, options, path, l, SocketCalls.AF_UNIX, null);
        }
    }

    /**
     * Listens on the IPv4 TCP address {@code address} (port 0 picks a free one, see {@link #localPort()})
     * (QEMU: {@code -netdev stream,server=off,addr.type=inet,addr.host=H,addr.port=P}, or
     * {@code -netdev socket,connect=H:P}).
     */
    public static StreamDevice listenTcp(InetSocketAddress address, MacAddress mac, StreamOptions options) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        String name = "stream:tcp:" + address.getAddress().getHostAddress();
        try (Arena tmp = Arena.ofConfined()) {
            StreamListener l = StreamListener.listen(SocketCalls.AF_INET, SocketCalls.inetAddress(tmp, address), name);
            return new StreamDevice(name + ":" + l.port(), mac, options, null, l, SocketCalls.AF_INET, null);
        }
    }

    /**
     * Connects to a peer listening on the Unix socket {@code path} (QEMU:
     * {@code -netdev stream,server=on,addr.type=unix,addr.path=PATH}), once attached to a loop, and
     * again whenever the connection ends or the peer is not there yet, every
     * {@link StreamOptions#reconnectInterval()}: so the guest keeps its network across a restart of
     * this side.
     */
    public static StreamDevice connectUnix(Path path, MacAddress mac, StreamOptions options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        String name = "stream:connect:" + path;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment addr = SocketCalls.unixAddress(tmp, path.toString());
            return new StreamDevice(name, mac, options, null, StreamListener.none(name), SocketCalls.AF_UNIX, addr);
        }
    }

    /** Like {@link #connectUnix}, to a peer listening on the IPv4 TCP address {@code address}. */
    public static StreamDevice connectTcp(InetSocketAddress address, MacAddress mac, StreamOptions options) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        String name = "stream:connect:tcp:" + address.getAddress().getHostAddress() + ":" + address.getPort();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment addr = SocketCalls.inetAddress(tmp, address);
            return new StreamDevice(name, mac, options, null, StreamListener.none(name), SocketCalls.AF_INET, addr);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return options.mtu();
    }

    public StreamOptions options() {
        return options;
    }

    /** The TCP port listened on (useful after port 0), or -1 for a Unix socket. */
    public int localPort() {
        return localPort;
    }

    /** The Unix socket path listened on, or null for TCP. */
    public Path unixPath() {
        return unixPath;
    }

    /** Whether a peer (a guest) is connected now; any thread. */
    public boolean isConnected() {
        return connected;
    }

    /** The epoll descriptor over the listening and the connected socket. */
    @Override
    public int pollFd() {
        return epollFd;
    }

    @Override
    public DeviceStats stats() {
        return stats;
    }

    @Override
    public void open(DeviceContext ctx) {
        if (this.context != null) {
            throw new IllegalStateException(name + " is already attached to a loop");
        }
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        this.context = Objects.requireNonNull(ctx, "context");
        flushTask = ctx.loop().newBatchEndTask(this::flush);
        if (listenFd >= 0) {
            acceptRetry = ctx.loop().newTimer(this::resumeAccepting);
        }
        if (peerAddress != null) {
            reconnect = ctx.loop().newTimer(this::connect);
            connect();
        }
    }

    /** Starts a connection to the peer (connect mode); on failure tries again after the interval. */
    private void connect() {
        if (closed || connFd >= 0) {
            return;
        }
        int fd = SocketCalls.socket(callState, family);
        if (fd < 0) {
            connectFailed.inc();
            reconnect.schedule(options.reconnectInterval().toNanos());
            return;
        }
        int r = SocketCalls.connect(callState, fd, peerAddress);
        int errno = r < 0 ? TunCalls.errno(callState) : 0;
        if (r < 0 && errno != SocketCalls.EINPROGRESS) {
            // ENOENT / ECONNREFUSED: nobody listens (yet); EAGAIN: its backlog is full.
            TunCalls.close(fd);
            connectFailed.inc();
            reconnect.schedule(options.reconnectInterval().toNanos());
            return;
        }
        if (SocketCalls.epollCtl(callState, epollFd, SocketCalls.EPOLL_CTL_ADD, fd, epollEvent,
                SocketCalls.EPOLLIN | (r < 0 ? SocketCalls.EPOLLOUT : 0)) < 0) {
            TunCalls.close(fd);
            connectFailed.inc();
            reconnect.schedule(options.reconnectInterval().toNanos());
            return;
        }
        connFd = fd;
        connecting = r < 0;
        if (!connecting) {
            established();
        }
    }

    /** A connect in progress: done, still going, or failed (then closed and retried later). */
    private boolean connectFinished() {
        int r = SocketCalls.connect(callState, connFd, peerAddress);
        int errno = r < 0 ? TunCalls.errno(callState) : 0;
        if (r == 0 || errno == SocketCalls.EISCONN) {
            connecting = false;
            wantWritable = true; // registered with EPOLLOUT for the connect; flush() sets what it needs
            watchWritable(false);
            established();
            return true;
        }
        if (errno == SocketCalls.EALREADY || errno == SocketCalls.EINPROGRESS || errno == TunCalls.EINTR) {
            return false;
        }
        SocketCalls.epollCtl(callState, epollFd, SocketCalls.EPOLL_CTL_DEL, connFd, epollEvent, 0);
        TunCalls.close(connFd);
        connFd = -1;
        connecting = false;
        connectFailed.inc();
        reconnect.schedule(options.reconnectInterval().toNanos());
        return false;
    }

    private void established() {
        connected = true;
        connectedOut.inc();
        LOG.log(Level.INFO, name + ": connected to the peer");
    }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        if (closed) {
            return 0;
        }
        if (connecting && !connectFinished()) {
            return 0;
        }
        if (txLength > 0) {
            flushTask.request(); // what the socket did not take: try again at this iteration's end
        }
        int n = connFd >= 0 ? readFrames(handler, maxFrames) : 0;
        if (n < maxFrames && listenFd >= 0 && !acceptPaused) {
            acceptPending();
        }
        return n;
    }

    private int readFrames(FrameHandler handler, int maxFrames) {
        int n = 0;
        while (n < maxFrames && connFd >= 0) {
            if (!frames.hasBytes() && !fill()) {
                break;
            }
            int len = frames.next();
            if (len == StreamFraming.BOGUS) {
                bogusLength(frames.badLength());
                break;
            }
            if (len > 0) {
                stats.rxFrames.inc();
                stats.rxBytes.add(len);
                handler.onFrame(frames.frameArray(), frames.frameOffset(), len);
                n++;
            }
        }
        return n;
    }

    /** A length that cannot be a frame on this link ends the connection: the framing is lost. */
    private void bogusLength(int len) {
        badLength.inc();
        stats.rxDropped.inc();
        disconnect("bogus frame length " + Integer.toUnsignedString(len) + " (a frame is 14-" + maxFrame + " bytes here)");
    }

    /** One read into the buffer's start; false when nothing came (would block, end of stream, error). */
    private boolean fill() {
        while (true) {
            long r = TunCalls.read(callState, connFd, rxSegment, frames.readBuffer.length);
            if (r > 0) {
                frames.filled((int) r);
                return true;
            }
            if (r == 0) {
                disconnect("the peer closed the connection");
                return false;
            }
            int errno = TunCalls.errno(callState);
            if (errno == TunCalls.EAGAIN) {
                return false;
            }
            if (errno != TunCalls.EINTR) {
                rxErrors.inc();
                disconnect("read: " + TunCalls.strerror(errno));
                return false;
            }
        }
    }

    private void acceptPending() {
        while (!closed) {
            int fd = SocketCalls.accept(callState, listenFd);
            if (fd < 0) {
                int errno = TunCalls.errno(callState);
                if (errno != TunCalls.EAGAIN && errno != TunCalls.EINTR) {
                    // e.g. EMFILE: the pending connection stays queued for a later try
                    rxErrors.inc();
                    acceptFailed.inc();
                    pauseAccepting(errno);
                }
                return;
            }
            if (connFd >= 0) {
                refusedBusy.inc();
                TunCalls.close(fd);
                continue;
            }
            if (SocketCalls.epollCtl(callState, epollFd, SocketCalls.EPOLL_CTL_ADD, fd, epollEvent, SocketCalls.EPOLLIN) < 0) {
                rxErrors.inc();
                TunCalls.close(fd);
                continue;
            }
            connFd = fd;
            connected = true;
            wantWritable = false;
            accepted.inc();
            LOG.log(Level.INFO, name + ": peer connected");
        }
    }

    /** Leaves the listening socket out of the loop's wait until {@link #acceptRetry} fires. */
    private void pauseAccepting(int errno) {
        acceptPaused = true;
        SocketCalls.epollCtl(callState, epollFd, SocketCalls.EPOLL_CTL_DEL, listenFd, epollEvent, 0);
        acceptRetry.schedule(ACCEPT_RETRY_NANOS);
        LOG.log(Level.WARNING, () -> name + ": cannot accept a connection (" + TunCalls.strerror(errno) + "); trying again in "
                + ACCEPT_RETRY_NANOS / 1_000_000 + " ms");
    }

    private void resumeAccepting() {
        if (closed || !acceptPaused) {
            return;
        }
        acceptPaused = false;
        SocketCalls.epollCtl(callState, epollFd, SocketCalls.EPOLL_CTL_ADD, listenFd, epollEvent, SocketCalls.EPOLLIN);
        acceptPending();
    }

    private void disconnect(String why) {
        if (connFd < 0) {
            return;
        }
        SocketCalls.epollCtl(callState, epollFd, SocketCalls.EPOLL_CTL_DEL, connFd, epollEvent, 0);
        TunCalls.close(connFd);
        connFd = -1;
        connected = false;
        frames.reset();
        txDiscarded.add(txLength);
        txLength = 0;
        wantWritable = false;
        disconnected.inc();
        if (reconnect != null) {
            LOG.log(Level.INFO, name + ": peer disconnected (" + why + "); connecting again every "
                    + options.reconnectInterval().toMillis() + " ms");
            reconnect.schedule(options.reconnectInterval().toNanos());
        } else {
            LOG.log(Level.INFO, name + ": peer disconnected (" + why + "); waiting for the next connection");
        }
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (closed || connFd < 0 || connecting) {
            txNotConnected.inc();
            stats.txDropped.inc();
            return false;
        }
        if (len > maxFrame || len < StreamFraming.MIN_FRAME) {
            txOversize.inc();
            stats.txDropped.inc();
            return false;
        }
        int need = StreamOptions.LENGTH_PREFIX + len;
        if (txLength + need > txBuffer.length) {
            flush();
            if (connFd < 0 || txLength + need > txBuffer.length) {
                txFull.inc();
                stats.txDropped.inc();
                return false;
            }
        }
        byte[] t = txBuffer;
        int p = txLength;
        StreamFraming.writeLength(t, p, len);
        System.arraycopy(buf, off, t, p + StreamOptions.LENGTH_PREFIX, len);
        txLength = p + need;
        flushTask.request();
        stats.txFrames.inc();
        stats.txBytes.add(len);
        return true;
    }

    /** Writes what is gathered (at the end of the loop's iteration); what the socket does not take waits for writability. */
    private void flush() {
        if (connFd < 0 || txLength == 0 || closed || connecting) {
            return;
        }
        while (txLength > 0) {
            long r = TunCalls.write(callState, connFd, txSegment, txLength);
            if (r > 0) {
                int left = txLength - (int) r;
                if (left > 0) {
                    System.arraycopy(txBuffer, (int) r, txBuffer, 0, left);
                }
                txLength = left;
                continue;
            }
            int errno = r < 0 ? TunCalls.errno(callState) : TunCalls.EAGAIN;
            if (errno == TunCalls.EINTR) {
                continue;
            }
            if (errno == TunCalls.EAGAIN) {
                watchWritable(true);
                return;
            }
            txErrors.inc();
            disconnect("write: " + TunCalls.strerror(errno));
            return;
        }
        watchWritable(false);
    }

    private void watchWritable(boolean on) {
        if (on == wantWritable || connFd < 0) {
            return;
        }
        wantWritable = on;
        SocketCalls.epollCtl(callState, epollFd, SocketCalls.EPOLL_CTL_MOD, connFd, epollEvent,
                SocketCalls.EPOLLIN | (on ? SocketCalls.EPOLLOUT : 0));
    }

    /** Closes the connection, the listening socket and the epoll set, and removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        connected = false;
        if (connFd >= 0) {
            TunCalls.close(connFd);
            connFd = -1;
        }
        if (listenFd >= 0) {
            TunCalls.close(listenFd);
        }
        TunCalls.close(epollFd);
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "cannot remove " + unixPath + ": " + e);
            }
        }
    }

    @Override
    public String toString() {
        return "StreamDevice[" + name + ", mtu " + options.mtu() + (connected ? ", connected" : "") + "]";
    }
}
