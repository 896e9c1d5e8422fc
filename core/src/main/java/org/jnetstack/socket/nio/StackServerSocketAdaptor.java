package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;

/**
 * {@link StackServerSocketChannel#socket()}: a {@code java.net.ServerSocket} whose every method
 * goes to the channel, as the JDK's own adaptor does ({@code com.sun.net.httpserver} binds
 * through it). {@link #accept()} needs the channel in blocking mode.
 */
final class StackServerSocketAdaptor extends ServerSocket {
    private final StackServerSocketChannel ch;
    private volatile int timeoutMillis;

    StackServerSocketAdaptor(StackServerSocketChannel ch) {
        super(new NoSocketImpl());
        this.ch = ch;
    }

    @Override
    public ServerSocketChannel getChannel() {
        return ch;
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        ch.bind(local, backlog);
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress l = local();
        return l == null ? null : l.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = local();
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local();
    }

    private InetSocketAddress local() {
        try {
            return ch.isOpen() ? (InetSocketAddress) ch.getLocalAddress() : null;
        } catch (IOException closed) {
            return null;
        }
    }

    @Override
    public Socket accept() throws IOException {
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        return ch.accept(timeoutMillis).socket();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public boolean isBound() {
        return local() != null;
    }

    @Override
    public boolean isClosed() {
        return !ch.isOpen();
    }

    /** SO_TIMEOUT: how long {@link #accept()} waits (0: for ever). */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
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
    public void setReuseAddress(boolean on) throws SocketException {
        ChannelOptions.set(ch, StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        ChannelOptions.setBufferSize(ch, StandardSocketOptions.SO_RCVBUF, size, "negative receive size");
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return ChannelOptions.get(ch, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
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
    public String toString() {
        return "ServerSocket over " + ch;
    }
}
