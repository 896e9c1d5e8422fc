package org.jnetstack.socket.jdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import org.jnetstack.NetStack;
import org.jnetstack.dns.NameResolver;
import org.jnetstack.socket.TcpServerSocket;
import org.jnetstack.socket.TcpSocket;

/**
 * The {@link SocketImpl} behind our {@code java.net.Socket} and {@code ServerSocket} objects: a
 * {@link TcpSocket} (client or accepted side) or a {@link TcpServerSocket} (after {@code listen}).
 * One instance per socket; made by our socket factories, or JVM-wide by {@link StackSocketImplFactory}.
 */
final class StackSocketImpl extends SocketImpl {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.IP_TOS);

    private final NetStack stack;
    private final NameResolver resolver;
    // Volatile: close() comes from any thread, and must see the socket another thread connected.
    private volatile TcpSocket socket;
    private volatile TcpServerSocket server;
    private InetAddress bindAddress;
    private int bindPort;
    // Options of a server socket before listen, and those TCP does not act on.
    private int serverTimeout;
    private int serverReceiveBuffer;
    private boolean reuseAddress;
    private int trafficClass;

    StackSocketImpl(NetStack stack, NameResolver resolver) {
        this.stack = stack;
        this.resolver = resolver;
    }

    private TcpSocket socket() {
        if (socket == null) {
            socket = new TcpSocket(stack);
        }
        return socket;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("datagram sockets are not made by this factory");
        }
        socket();
    }

    // ------------------------------------------------------------------ client side

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(InetSocketAddress.createUnresolved(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    /** Unresolved names go through our resolver (never the JVM's). */
    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        TcpSocket s = socket();
        if (!isa.isUnresolved()) {
            s.connect(isa, timeout);
        } else {
            // By name: both families, Happy Eyeballs (RFC 8305).
            s.connect(isa.getHostString(), isa.getPort(), resolver, timeout);
        }
        connected(s);
    }

    private void connected(TcpSocket s) {
        InetSocketAddress r = s.remoteAddress();
        InetSocketAddress l = s.localAddress();
        this.address = r.getAddress();
        this.port = r.getPort();
        this.localport = l.getPort();
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        bindAddress = host;
        bindPort = port;
        if (server == null) {
            socket().bind(port);
        }
        this.localport = port;
    }

    // ------------------------------------------------------------------ server side

    @Override
    protected void listen(int backlog) throws IOException {
        TcpServerSocket s = new TcpServerSocket(stack);
        s.setSoTimeout(serverTimeout);
        if (serverReceiveBuffer > 0) {
            s.setReceiveBufferSize(serverReceiveBuffer);
        }
        s.bind(bindAddress, bindPort, backlog);
        server = s;
        socket = null; // a listening socket has no connection of its own
        this.localport = s.localPort();
        this.address = s.localAddress().getAddress();
    }

    @Override
    protected void accept(SocketImpl into) throws IOException {
        if (server == null) {
            throw new SocketException("Socket is not listening");
        }
        if (!(into instanceof StackSocketImpl target)) {
            throw new SocketException("cannot accept into a " + into.getClass().getName());
        }
        target.accepted(server.accept());
    }

    private void accepted(TcpSocket s) {
        socket = s;
        connected(s);
    }

    // ------------------------------------------------------------------ data

    @Override
    protected InputStream getInputStream() throws IOException {
        return connectedSocket().getInputStream();
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        return connectedSocket().getOutputStream();
    }

    @Override
    protected int available() throws IOException {
        return connectedSocket().available();
    }

    @Override
    protected void shutdownInput() throws IOException {
        connectedSocket().shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        connectedSocket().shutdownOutput();
    }

    @Override
    protected void close() {
        TcpServerSocket listening = server;
        if (listening != null) {
            listening.close();
        }
        TcpSocket connected = socket;
        if (connected != null) {
            connected.close();
        }
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported (RFC 6093 discourages it)");
    }

    private TcpSocket connectedSocket() throws SocketException {
        if (socket == null) {
            throw new SocketException("Socket is not connected");
        }
        return socket;
    }

    // ------------------------------------------------------------------ options (SocketOptions ids)

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        switch (optID) {
            case SocketOptions.SO_TIMEOUT -> {
                int ms = (Integer) value;
                serverTimeout = ms;
                if (server != null) {
                    server.setSoTimeout(ms);
                } else {
                    socket().setSoTimeout(ms);
                }
            }
            case SocketOptions.TCP_NODELAY -> socket().setTcpNoDelay((Boolean) value);
            case SocketOptions.SO_KEEPALIVE -> socket().setKeepAlive((Boolean) value);
            case SocketOptions.SO_SNDBUF -> socket().setSendBufferSize((Integer) value);
            case SocketOptions.SO_RCVBUF -> {
                int n = (Integer) value;
                serverReceiveBuffer = n;
                if (server != null) {
                    server.setReceiveBufferSize(n);
                } else {
                    socket().setReceiveBufferSize(n);
                }
            }
            case SocketOptions.SO_LINGER -> {
                if (value instanceof Integer seconds) {
                    socket().setSoLinger(true, seconds);
                } else {
                    socket().setSoLinger(false, 0);
                }
            }
            case SocketOptions.SO_REUSEADDR -> reuseAddress = (Boolean) value; // no TIME_WAIT binding conflicts here
            case SocketOptions.IP_TOS -> {
                trafficClass = (Integer) value;
                if (server == null) {
                    socket().setTrafficClass(trafficClass); // the TOS byte of the connection's segments
                }
            }
            case SocketOptions.SO_OOBINLINE -> {
                if ((Boolean) value) {
                    throw new SocketException("urgent data is not supported");
                }
            }
            default -> throw new SocketException("option " + optID + " is not supported");
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        return switch (optID) {
            case SocketOptions.SO_TIMEOUT -> server != null ? server.getSoTimeout() : socket().getSoTimeout();
            case SocketOptions.TCP_NODELAY -> socket().getTcpNoDelay();
            case SocketOptions.SO_KEEPALIVE -> socket().getKeepAlive();
            case SocketOptions.SO_SNDBUF -> socket().getSendBufferSize();
            case SocketOptions.SO_RCVBUF -> server != null ? server.getReceiveBufferSize() : socket().getReceiveBufferSize();
            case SocketOptions.SO_LINGER -> {
                int l = socket().getSoLinger();
                yield l < 0 ? Boolean.FALSE : (Object) l;
            }
            case SocketOptions.SO_REUSEADDR -> reuseAddress;
            case SocketOptions.IP_TOS -> server == null ? socket().getTrafficClass() : trafficClass;
            case SocketOptions.SO_OOBINLINE -> Boolean.FALSE;
            case SocketOptions.SO_BINDADDR -> localAddress();
            default -> throw new SocketException("option " + optID + " is not supported");
        };
    }

    private InetAddress localAddress() {
        if (server != null) {
            return server.localAddress().getAddress();
        }
        InetSocketAddress l = socket == null ? null : socket.localAddress();
        if (l != null) {
            return l.getAddress();
        }
        try {
            return bindAddress != null ? bindAddress : InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    // ------------------------------------------------------------------ options (SocketOption objects)

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        Integer id = legacyId(name);
        if (name == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            setOption(SocketOptions.SO_LINGER, seconds < 0 ? (Object) Boolean.FALSE : (Object) seconds);
        } else {
            setOption(id, value);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        Integer id = legacyId(name);
        Object v = getOption(id);
        if (name == StandardSocketOptions.SO_LINGER) {
            v = v instanceof Integer ? v : -1;
        }
        return (T) v;
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    private static Integer legacyId(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return SocketOptions.TCP_NODELAY;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return SocketOptions.SO_KEEPALIVE;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return SocketOptions.SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return SocketOptions.SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_LINGER) {
            return SocketOptions.SO_LINGER;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return SocketOptions.SO_REUSEADDR;
        } else if (name == StandardSocketOptions.IP_TOS) {
            return SocketOptions.IP_TOS;
        }
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    @Override
    public String toString() {
        return server != null ? server.toString() : String.valueOf(socket);
    }
}
