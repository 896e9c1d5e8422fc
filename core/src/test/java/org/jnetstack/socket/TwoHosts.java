package org.jnetstack.socket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.function.UnaryOperator;
import org.jnetstack.NetStack;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConfig;

/**
 * Two stacks on a virtual wire, on a real-time loop running on its own thread — what blocking
 * sockets need (they wait for the loop). Client 10.0.0.1, server 10.0.0.2.
 */
public final class TwoHosts implements AutoCloseable {
    public final EventLoop loop = EventLoop.system();
    public final NetStack client;
    public final NetStack server;

    public TwoHosts() {
        this(TcpConfig.defaults());
    }

    public TwoHosts(TcpConfig tcp) {
        this(tcp, d -> d);
    }

    /** {@code wrap} puts middleware (a FaultInjector) on the client's end of the wire. */
    public TwoHosts(TcpConfig tcp, UnaryOperator<LinkDevice> wrap) {
        VirtualWire wire = new VirtualWire();
        client = NetStack.builder(loop).name("client").device(wrap.apply(wire.a())).address("10.0.0.1/24").seed(1).tcpConfig(tcp).build();
        server = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).tcpConfig(tcp).build();
        loop.start("two-hosts-loop");
    }

    public static InetAddress serverIp() {
        return ip("10.0.0.2");
    }

    public static InetAddress clientIp() {
        return ip("10.0.0.1");
    }

    public static InetSocketAddress server(int port) {
        return new InetSocketAddress(serverIp(), port);
    }

    static InetAddress ip(String dotted) {
        try {
            return InetAddress.getByName(dotted); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
