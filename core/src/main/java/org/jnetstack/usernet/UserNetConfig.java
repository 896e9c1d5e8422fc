package org.jnetstack.usernet;

import java.time.Duration;
import java.util.List;
import org.jnetstack.wire.Ipv4Address;

/**
 * The user-mode gateway's plan and tunables, with QEMU's familiar defaults (its "user"
 * networking): network 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, guest 10.0.2.15.
 *
 * @param network           the guest network's address (host bits zero).
 * @param prefixLength      its prefix length. 24, as QEMU.
 * @param gateway           the gateway's address: the guest's default route. Traffic to it is
 *                          sent to the host's 127.0.0.1 (as slirp does) when {@code hostLoopback} is on.
 * @param dns               the DNS forwarder's address (on-link: the gateway answers ARP for it too).
 * @param guest             the address the DHCP server hands out (and the one forwards connect to).
 * @param mtu               MTU of the virtual link. 1500: what a guest expects of Ethernet.
 * @param spliceBufferBytes the most one read or write of a host socket moves between it and a
 *                          guest connection's buffer (a splice holds no bytes of its own: a
 *                          stalled host peer leaves the guest's data in that connection's receive
 *                          buffer, and its window closes). 64 KiB.
 * @param connectTimeout    how long a guest's SYN waits for the host connect before the guest
 *                          is told the destination is unreachable. 30 s, below the guest's own
 *                          SYN retry budget (about a minute), so the guest learns why.
 * @param udpIdleTimeout    a UDP flow's host socket is closed after this long without traffic
 *                          either way. 60 s (Linux's conntrack keeps unreplied UDP 30 s, replied 120 s).
 * @param maxUdpFlows       bound on UDP flows at once; beyond it new flows are dropped (counted).
 * @param maxTcpSplices     bound on TCP connections joined to host sockets at once (each holds a
 *                          host socket, a file descriptor): half for the guests' outbound
 *                          connections, half for the forwards' host clients, so neither side can
 *                          take the other's share; beyond its half a connection is reset
 *                          ({@code usernet.tcp.drop.too_many_splices}). 2048.
 * @param hostLoopback      traffic to the gateway address goes to the host's 127.0.0.1, and to the IPv6
 *                          gateway address {@code PREFIX::2} to the host's [::1].
 * @param keepClientAddress a forwarded connection or datagram from a host client that is not on
 *                          the host's loopback appears in the guest from the client's own IPv4
 *                          address (as libslirp's host forwards and passt do), which the guest
 *                          answers through its default route, the gateway; from loopback, and
 *                          when off, it appears from the gateway address. On by default.
 * @param forwards          host-to-guest port forwards.
 * @param ipv6              the IPv6 plan ({@link UserNetIpv6}): on by default, the gateway the
 *                          link's router for a random unique local /64 prefix, at {@code PREFIX::2}.
 */
public record UserNetConfig(
        Ipv4Address network,
        int prefixLength,
        Ipv4Address gateway,
        Ipv4Address dns,
        Ipv4Address guest,
        int mtu,
        int spliceBufferBytes,
        Duration connectTimeout,
        Duration udpIdleTimeout,
        int maxUdpFlows,
        int maxTcpSplices,
        boolean hostLoopback,
        boolean keepClientAddress,
        List<ForwardRule> forwards,
        UserNetIpv6 ipv6) {

    public UserNetConfig {
        int mask = Ipv4Address.mask(prefixLength);
        if ((network.bits() & ~mask) != 0) {
            throw new IllegalArgumentException("network " + network + "/" + prefixLength + " has host bits set");
        }
        for (Ipv4Address a : new Ipv4Address[] {gateway, dns, guest}) {
            if ((a.bits() & mask) != network.bits()) {
                throw new IllegalArgumentException(a + " is not in " + network + "/" + prefixLength);
            }
        }
        if (gateway.equals(guest) || dns.equals(guest)) {
            throw new IllegalArgumentException("the guest address must differ from the gateway and DNS addresses");
        }
        if (mtu < 576 || mtu > 65535) {
            throw new IllegalArgumentException("MTU must be 576-65535: " + mtu);
        }
        if (spliceBufferBytes < 1024) {
            throw new IllegalArgumentException("spliceBufferBytes must be at least 1024: " + spliceBufferBytes);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || udpIdleTimeout.isNegative() || udpIdleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxUdpFlows < 1) {
            throw new IllegalArgumentException("maxUdpFlows must be at least 1");
        }
        if (maxTcpSplices < 2) {
            throw new IllegalArgumentException("maxTcpSplices must be at least 2 (one outbound, one forwarded): " + maxTcpSplices);
        }
        forwards = List.copyOf(forwards);
        java.util.Objects.requireNonNull(ipv6, "ipv6 (UserNetIpv6.off() for none)");
        if (ipv6.enabled() && mtu < org.jnetstack.wire.Ipv6Packet.MIN_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " cannot carry IPv6, which needs at least 1280 (RFC 8200 §5):"
                    + " raise the MTU or turn IPv6 off (UserNetIpv6.off(), jns gateway --no-ipv6)");
        }
    }

    /** QEMU's plan, no forwards. */
    public static UserNetConfig defaults() {
        return new UserNetConfig(Ipv4Address.parse("10.0.2.0"), 24, Ipv4Address.parse("10.0.2.2"),
                Ipv4Address.parse("10.0.2.3"), Ipv4Address.parse("10.0.2.15"), 1500, 64 * 1024,
                Duration.ofSeconds(30), Duration.ofSeconds(60), 1024, 2048, true, true, List.of(), UserNetIpv6.defaults());
    }

    public UserNetConfig withForwards(List<ForwardRule> rules) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, spliceBufferBytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, hostLoopback, keepClientAddress, rules, ipv6);
    }

    public UserNetConfig withSpliceBufferBytes(int bytes) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, bytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, hostLoopback, keepClientAddress, forwards, ipv6);
    }

    public UserNetConfig withConnectTimeout(Duration timeout) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, spliceBufferBytes, timeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, hostLoopback, keepClientAddress, forwards, ipv6);
    }

    /** The bound on TCP connections joined to host sockets at once, half outbound and half forwarded (at least 2). */
    public UserNetConfig withMaxTcpSplices(int max) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, spliceBufferBytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, max, hostLoopback, keepClientAddress, forwards, ipv6);
    }

    public UserNetConfig withUdpIdleTimeout(Duration timeout) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, spliceBufferBytes, connectTimeout,
                timeout, maxUdpFlows, maxTcpSplices, hostLoopback, keepClientAddress, forwards, ipv6);
    }

    /** The link's MTU (576-65535). */
    public UserNetConfig withMtu(int newMtu) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, newMtu, spliceBufferBytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, hostLoopback, keepClientAddress, forwards, ipv6);
    }

    /** Whether the gateway address stands for the host's 127.0.0.1 (off: connections to it are refused). */
    public UserNetConfig withHostLoopback(boolean on) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, spliceBufferBytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, on, keepClientAddress, forwards, ipv6);
    }

    /** Whether forwarded connections from non-loopback clients keep the client's address in the guest. */
    public UserNetConfig withKeepClientAddress(boolean on) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, spliceBufferBytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, hostLoopback, on, forwards, ipv6);
    }

    /** The address the DHCP server hands out first and forwards connect to (in the network, not the gateway's or DNS's). */
    public UserNetConfig withGuest(Ipv4Address address) {
        return new UserNetConfig(network, prefixLength, gateway, dns, address, mtu, spliceBufferBytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, hostLoopback, keepClientAddress, forwards, ipv6);
    }

    /** Moves the whole plan: e.g. {@code withNetwork("192.168.76.0/24")} puts the gateway at .2, DNS at .3, guest at .15. */
    public UserNetConfig withNetwork(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected NETWORK/PREFIX like 10.0.2.0/24: " + cidr);
        }
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        if (prefix > 28) {
            throw new IllegalArgumentException("the guest network needs at least 16 addresses (prefix 28 or shorter): " + cidr);
        }
        int net = Ipv4Address.parseBits(cidr.substring(0, slash)) & Ipv4Address.mask(prefix);
        return new UserNetConfig(new Ipv4Address(net), prefix, new Ipv4Address(net + 2), new Ipv4Address(net + 3),
                new Ipv4Address(net + 15), mtu, spliceBufferBytes, connectTimeout, udpIdleTimeout, maxUdpFlows, maxTcpSplices,
                hostLoopback, keepClientAddress, forwards, ipv6);
    }

    /** The IPv6 plan ({@link UserNetIpv6#off()}: IPv4 only). */
    public UserNetConfig withIpv6(UserNetIpv6 plan) {
        return new UserNetConfig(network, prefixLength, gateway, dns, guest, mtu, spliceBufferBytes, connectTimeout,
                udpIdleTimeout, maxUdpFlows, maxTcpSplices, hostLoopback, keepClientAddress, forwards, plan);
    }

    /**
     * The /64 prefix the gateway advertises, {@code "fd12:3456:789a:1::/64"}; the gateway is its {@code ::2}.
     *
     * @throws IllegalArgumentException naming the accepted form ({@link UserNetIpv6#PREFIX_FORM})
     */
    public UserNetConfig withIpv6Prefix(String prefix) {
        return withIpv6(ipv6.withPrefix(UserNetIpv6.parsePrefix(prefix)));
    }
}
