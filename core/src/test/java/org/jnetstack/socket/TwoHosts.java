package org.jnetstack.socket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.function.UnaryOperator;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
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
        this(tcp, wrap, false);
    }

    private TwoHosts(TcpConfig tcp, UnaryOperator<LinkDevice> wrap, boolean ipv6) {
        VirtualWire wire = new VirtualWire();
        client = NetStack.builder(loop).name("client").device(wrap.apply(wire.a())).address("10.0.0.1/24").seed(1).tcpConfig(tcp)
                .config(config(ipv6, "fd00::1/64")).build();
        server = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).tcpConfig(tcp)
                .config(config(ipv6, "fd00::2/64")).build();
        loop.start("two-hosts-loop");
    }

    /** Dual stack: also client fd00::1, server fd00::2 (no duplicate address detection, so usable at once). */
    public static TwoHosts dualStack() {
        return new TwoHosts(TcpConfig.defaults(), d -> d, true);
    }

    private static StackConfig config(boolean ipv6, String address) {
        StackConfig d = StackConfig.defaults();
        return ipv6 ? d.toBuilder().ipv6Address(address).dadTransmits(0).build() : d;
    }

    public static InetAddress serverIp6() {
        return ip("fd00::2");
    }

    public static InetAddress clientIp6() {
        return ip("fd00::1");
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
            return InetAddress.getByName(dotted); // a literal (either family): no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
