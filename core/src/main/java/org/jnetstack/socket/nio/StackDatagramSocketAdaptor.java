package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.util.Objects;
import java.util.Set;

/**
 * {@link StackDatagramChannel#socket()}: a {@code java.net.DatagramSocket} whose every method goes
 * to the channel, as the JDK's own adaptor does. {@code send} and {@code receive} need the channel
 * in blocking mode ({@link IllegalBlockingModeException} otherwise); SO_TIMEOUT applies to
 * {@code receive}. A received datagram longer than the packet's buffer is truncated, and a packet
 * received into keeps its whole buffer for the next {@code receive}, as with the JDK. No multicast:
 * {@code joinGroup} throws {@link SocketException}.
 */
final class StackDatagramSocketAdaptor extends DatagramSocket {
    private final StackDatagramChannel ch;
    private volatile int timeoutMillis;
    /** The last packet received into, its buffer's length and the length we gave it (one reader at a time: the channel's lock). */
    private DatagramPacket lastPacket;
    private int lastCapacity;
    private int lastLength;

    StackDatagramSocketAdaptor(StackDatagramChannel ch) {
        super(new NoDatagramSocketImpl());
        this.ch = ch;
    }

    @Override
    public DatagramChannel getChannel() {
        return ch;
    }

    @Override
    public void bind(SocketAddress local) throws SocketException {
        try {
            ch.bind(local);
        } catch (IOException e) {
            throw ChannelOptions.asSocketException(e);
        }
    }

    @Override
    public void connect(InetAddress address, int port) {
        try {
            connect(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new java.io.UncheckedIOException(e); // the JDK's connect(InetAddress, int) declares nothing either
        }
    }

    @Override
    public void connect(SocketAddress remote) throws SocketException {
        Objects.requireNonNull(remote, "address");
        try {
            ch.connect(remote);
        } catch (IOException e) {
            throw ChannelOptions.asSocketException(e);
        }
    }

    @Override
    public void disconnect() {
        try {
            ch.disconnect();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return localAddress() != null;
    }

    @Override
    public boolean isConnected() {
        return ch.isConnected();
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = remoteAddress();
        return r == null ? null : r.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress r = remoteAddress();
        return r == null ? -1 : r.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remoteAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return localAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        if (isClosed()) {
            return null;
        }
        InetSocketAddress l = localAddress();
        return l == null ? anyLocal() : l.getAddress();
    }

    @Override
    public int getLocalPort() {
        if (isClosed()) {
            return -1;
        }
        InetSocketAddress l = localAddress();
        return l == null ? 0 : l.getPort();
    }

    private InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    private InetSocketAddress remoteAddress() {
        try {
            return (InetSocketAddress) ch.getRemoteAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    private static InetAddress anyLocal() {
        return new InetSocketAddress(0).getAddress();
    }

    /**
     * Sends {@code p} to its address, or to the connected peer when it has none ({@code
     * IllegalArgumentException} when both are set and differ, as the JDK throws).
     */
    @Override
    public void send(DatagramPacket p) throws IOException {
        Objects.requireNonNull(p, "packet");
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        SocketAddress to = p.getAddress() == null ? null : p.getSocketAddress();
        SocketAddress peer = remoteAddress();
        if (peer != null) {
            if (to != null && !to.equals(peer)) {
                throw new IllegalArgumentException("connected address and packet address differ");
            }
        } else if (to == null) {
            throw new IllegalArgumentException("Address not set");
        }
        ByteBuffer data = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
        try {
            if (peer != null) {
                ch.write(data);
            } else {
                ch.send(data, to);
            }
        } catch (ClosedChannelException e) {
            throw ChannelOptions.asSocketException(e);
        }
    }

    /** The next datagram into {@code p}'s buffer (truncated to it); waits at most SO_TIMEOUT. */
    @Override
    public void receive(DatagramPacket p) throws IOException {
        Objects.requireNonNull(p, "packet");
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        synchronized (this) { // one receiver at a time, so the remembered packet is ours
            int capacity = p == lastPacket && p.getLength() == lastLength ? lastCapacity : p.getLength();
            ByteBuffer dst = ByteBuffer.wrap(p.getData(), p.getOffset(), capacity);
            SocketAddress from;
            try {
                from = ch.receive(dst, timeoutMillis);
            } catch (ClosedChannelException e) {
                throw ChannelOptions.asSocketException(e);
            }
            int n = dst.position() - p.getOffset();
            p.setLength(n);
            p.setSocketAddress(from);
            lastPacket = p;
            lastCapacity = capacity;
            lastLength = n;
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        checkOpen();
        return timeoutMillis;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        ChannelOptions.setBufferSize(ch, StandardSocketOptions.SO_SNDBUF, size, "Invalid send size");
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        ChannelOptions.setBufferSize(ch, StandardSocketOptions.SO_RCVBUF, size, "Invalid receive size");
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        ChannelOptions.set(ch, StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setBroadcast(boolean on) throws SocketException {
        ChannelOptions.set(ch, StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        ChannelOptions.setTrafficClass(ch, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.IP_TOS);
    }

    @Override
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
        ch.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return ch.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return ch.supportedOptions();
    }

    /** No multicast on the stack: {@link StackDatagramChannel#NO_MULTICAST}. */
    @Override
    public void joinGroup(SocketAddress group, NetworkInterface netIf) throws IOException {
        throw new SocketException(StackDatagramChannel.NO_MULTICAST);
    }

    @Override
    public void leaveGroup(SocketAddress group, NetworkInterface netIf) throws IOException {
        throw new SocketException(StackDatagramChannel.NO_MULTICAST);
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // closing a channel of the stack does no I/O that can fail
        }
    }

    @Override
    public boolean isClosed() {
        return !ch.isOpen();
    }

    private void checkOpen() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
    }


    @Override
    public String toString() {
        return "StackDatagramSocketAdaptor[" + ch + "]";
    }

    /** The implementation under the adaptor: none; every method that would reach it is overridden. */
    private static final class NoDatagramSocketImpl extends DatagramSocketImpl {
        private static SocketException missing() {
            return new SocketException("not supported by jnetstack's datagram socket adaptor; use the channel");
        }

        @Override
        protected void create() throws SocketException {
            throw missing();
        }

        @Override
        protected void bind(int lport, InetAddress laddr) throws SocketException {
            throw missing();
        }

        @Override
        protected void send(DatagramPacket p) throws IOException {
            throw missing();
        }

        @Override
        protected int peek(InetAddress i) throws IOException {
            throw missing();
        }

        @Override
        protected int peekData(DatagramPacket p) throws IOException {
            throw missing();
        }

        @Override
        protected void receive(DatagramPacket p) throws IOException {
            throw missing();
        }

        @Override
        @Deprecated
        protected void setTTL(byte ttl) throws IOException {
            throw missing();
        }

        @Override
        @Deprecated
        protected byte getTTL() throws IOException {
            throw missing();
        }

        @Override
        protected void setTimeToLive(int ttl) throws IOException {
            throw missing();
        }

        @Override
        protected int getTimeToLive() throws IOException {
            throw missing();
        }

        @Override
        protected void join(InetAddress inetaddr) throws IOException {
            throw missing();
        }

        @Override
        protected void leave(InetAddress inetaddr) throws IOException {
            throw missing();
        }

        @Override
        protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
            throw missing();
        }

        @Override
        protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
            throw missing();
        }

        @Override
        protected void close() {
        }

        @Override
        public void setOption(int optID, Object value) throws SocketException {
            throw missing();
        }

        @Override
        public Object getOption(int optID) throws SocketException {
            throw missing();
        }
    }
}
