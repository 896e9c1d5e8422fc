package org.jnetstack.socket.nio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;

/**
 * {@link StackSocketChannel#socket()}: a {@code java.net.Socket} whose every method goes to the
 * channel, as the JDK's own adaptor does (code such as {@code com.sun.net.httpserver} asks the
 * socket for addresses and TCP_NODELAY). Its streams need the channel in blocking mode
 * ({@link IllegalBlockingModeException} otherwise); SO_TIMEOUT applies to reads.
 */
final class StackSocketAdaptor extends Socket {
    private final StackSocketChannel ch;
    private volatile int timeoutMillis;

    /** {@code Socket(SocketImpl)} declares SocketException; with our impl it never throws. */
    StackSocketAdaptor(StackSocketChannel ch) throws SocketException {
        super(new NoSocketImpl());
        this.ch = ch;
    }

    @Override
    public SocketChannel getChannel() {
        return ch;
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        Objects.requireNonNull(remote, "remote");
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        ch.connect(remote, timeout); // 0: until the stack's SYN retries give up
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        ch.bind(local);
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = remote();
        return r == null ? null : r.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress r = remote();
        return r == null ? 0 : r.getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress l = local();
        return l == null ? anyLocal() : l.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = local();
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remote();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local();
    }

    private InetSocketAddress remote() {
        try {
            return ch.isOpen() && ch.isConnected() ? (InetSocketAddress) ch.getRemoteAddress() : null;
        } catch (IOException closed) {
            return null;
        }
    }

    private InetSocketAddress local() {
        try {
            return ch.isOpen() ? (InetSocketAddress) ch.getLocalAddress() : null;
        } catch (IOException closed) {
            return null;
        }
    }

    private static InetAddress anyLocal() {
        return new InetSocketAddress(0).getAddress();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        checkStreams();
        if (isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        return new InputStream() {
            private final ByteBuffer[] one = new ByteBuffer[1];

            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                if (!ch.isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                synchronized (one) {
                    one[0] = ByteBuffer.wrap(b, off, len);
                    return (int) ch.read(one, 0, 1, timeoutMillis);
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkStreams();
        if (isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (!ch.isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    private void checkStreams() throws SocketException {
        if (!ch.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (!ch.isConnected()) {
            throw new SocketException("Socket is not connected");
        }
    }


    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        ChannelOptions.set(ch, StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        ChannelOptions.set(ch, StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        if (!ch.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (!ch.isOpen()) {
            throw new SocketException("Socket is closed");
        }
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
    public void setKeepAlive(boolean on) throws SocketException {
        ChannelOptions.set(ch, StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_KEEPALIVE);
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
    public void setTrafficClass(int tc) throws SocketException {
        ChannelOptions.setTrafficClass(ch, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.IP_TOS);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        throw new SocketException("urgent data (OOBINLINE) not supported on jnetstack");
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return false;
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data not supported on jnetstack");
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
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

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        checkStreams();
        ch.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        checkStreams();
        ch.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return ch.isConnected();
    }

    @Override
    public boolean isBound() {
        return local() != null;
    }

    @Override
    public boolean isClosed() {
        return !ch.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return ch.inputShut();
    }

    @Override
    public boolean isOutputShutdown() {
        return ch.outputShut();
    }

    @Override
    public String toString() {
        return "Socket over " + ch;
    }
}
