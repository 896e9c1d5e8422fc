package org.jnetstack.socket.nio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;

/**
 * The implementation under the socket adaptors: none. Every method of {@code java.net.Socket}
 * and {@code ServerSocket} the adaptors serve is overridden to go to the channel, so reaching
 * this class is a missing override; it says so instead of touching the host's network.
 */
final class NoSocketImpl extends SocketImpl {
    private static IOException missing() {
        return new SocketException("not supported by jnetstack's socket adaptor; use the channel");
    }

    @Override
    protected void create(boolean stream) throws IOException {
        throw missing();
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        throw missing();
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        throw missing();
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        throw missing();
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        throw missing();
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw missing();
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw missing();
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        throw missing();
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        throw missing();
    }

    @Override
    protected int available() throws IOException {
        throw missing();
    }

    @Override
    protected void close() {
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw missing();
    }

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        throw new SocketException("not supported by jnetstack's socket adaptor; use the channel");
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        throw new SocketException("not supported by jnetstack's socket adaptor; use the channel");
    }
}
