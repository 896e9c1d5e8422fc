package org.jnetstack.socket.jdk;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOptions;
import java.net.UnknownHostException;
import org.jnetstack.NetStack;
import org.jnetstack.socket.UdpSocket;

/**
 * The {@link DatagramSocketImpl} behind {@link StackDatagramSockets}: a {@link UdpSocket},
 * opened at {@code bind}. Multicast is not supported; neither is peeking (the JDK needs it only
 * for impls that report queued data at connect, which this one never does).
 */
final class StackDatagramSocketImpl extends DatagramSocketImpl {
    private final NetStack stack;
    private UdpSocket socket;
    private int timeout;
    private int receiveBuffer;
    private int trafficClass;
    private boolean broadcast;
    private boolean reuseAddress;

    StackDatagramSocketImpl(NetStack stack) {
        this.stack = stack;
    }

    @Override
    protected void create() {
        // the port is taken at bind
    }

    @Override
    protected void bind(int lport, InetAddress laddr) throws SocketException {
        try {
            socket = new UdpSocket(stack, lport);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
        socket.setSoTimeout(timeout);
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        this.localPort = socket.localPort();
    }

    private UdpSocket bound() throws SocketException {
        if (socket == null) {
            throw new SocketException("Socket is not bound");
        }
        return socket;
    }

    @Override
    protected void send(DatagramPacket p) throws IOException {
        bound().send(p);
    }

    @Override
    protected void receive(DatagramPacket p) throws IOException {
        bound().receive(p);
    }

    @Override
    protected void connect(InetAddress address, int port) throws SocketException {
        try {
            bound().connect(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    protected void disconnect() {
        try {
            if (socket != null) {
                socket.disconnect();
            }
        } catch (IOException closed) {
            // nothing to undo on a closed socket
        }
    }

    @Override
    protected int peek(InetAddress i) throws IOException {
        throw new SocketException("peek is not supported");
    }

    @Override
    protected int peekData(DatagramPacket p) throws IOException {
        throw new SocketException("peek is not supported");
    }

    @Override
    protected void close() {
        if (socket != null) {
            socket.close();
        }
    }

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        switch (optID) {
            case SocketOptions.SO_TIMEOUT -> {
                timeout = (Integer) value;
                if (socket != null) {
                    socket.setSoTimeout(timeout);
                }
            }
            case SocketOptions.SO_RCVBUF -> {
                receiveBuffer = (Integer) value;
                if (socket != null) {
                    socket.setReceiveBufferSize(receiveBuffer);
                }
            }
            case SocketOptions.SO_SNDBUF -> {
                // datagrams go out at once: there is no send buffer to size
            }
            case SocketOptions.IP_TOS -> trafficClass = (Integer) value;
            case SocketOptions.SO_BROADCAST -> broadcast = (Boolean) value; // 255.255.255.255 is always allowed
            case SocketOptions.SO_REUSEADDR -> reuseAddress = (Boolean) value;
            default -> throw new SocketException("option " + optID + " is not supported");
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        return switch (optID) {
            case SocketOptions.SO_TIMEOUT -> timeout;
            case SocketOptions.SO_RCVBUF -> socket != null ? socket.getReceiveBufferSize() : stack.config().udpQueueBytes();
            case SocketOptions.SO_SNDBUF -> 65_507;
            case SocketOptions.IP_TOS -> trafficClass;
            case SocketOptions.SO_BROADCAST -> broadcast;
            case SocketOptions.SO_REUSEADDR -> reuseAddress;
            case SocketOptions.SO_BINDADDR -> anyAddress();
            default -> throw new SocketException("option " + optID + " is not supported");
        };
    }

    private static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    // ------------------------------------------------------------------ multicast: not here

    @Override
    @Deprecated
    protected void setTTL(byte ttl) throws IOException {
        throw new SocketException("multicast is not supported");
    }

    @Override
    @Deprecated
    protected byte getTTL() throws IOException {
        throw new SocketException("multicast is not supported");
    }

    @Override
    protected void setTimeToLive(int ttl) throws IOException {
        throw new SocketException("multicast is not supported");
    }

    @Override
    protected int getTimeToLive() throws IOException {
        throw new SocketException("multicast is not supported");
    }

    @Override
    protected void join(InetAddress inetaddr) throws IOException {
        throw new SocketException("multicast is not supported");
    }

    @Override
    protected void leave(InetAddress inetaddr) throws IOException {
        throw new SocketException("multicast is not supported");
    }

    @Override
    protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        throw new SocketException("multicast is not supported");
    }

    @Override
    protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        throw new SocketException("multicast is not supported");
    }
}
