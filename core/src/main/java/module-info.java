/**
 * The TCP/IP stack as a module. Only the exported packages are API; everything else is
 * implementation that may change at any time. On the class path (how apps, examples, bench and
 * interop run) this file is ignored and every public type is reachable, so there the rule is a
 * convention: code outside core imports exported packages only.
 *
 * <p>Run as a module, the stack needs {@code --enable-native-access=org.jnetstack.core} for its FFM
 * downcalls (TAP device, poller, the gateway's ICMP sockets) and, where the selector provider
 * or the gateway's NAT must reach the JDK's own selector provider,
 * {@code --add-exports java.base/sun.nio.ch=org.jnetstack.core}; without it they say why
 * they cannot, as on the class path without {@code =ALL-UNNAMED}.
 *
 * <p>Neither service provider is declared with {@code provides}: on the class path the resolver
 * and the selector provider are opt-in (a {@code META-INF/services} entry, a system property),
 * and a {@code provides} clause would install them for every program that puts this module on
 * its module path.
 */
module org.jnetstack.core {
    // VectorChecksum uses the incubating Vector API. Checksum loads it only when the JVM was
    // started with --add-modules jdk.incubator.vector, so the module is optional at run time.
    requires static jdk.incubator.vector;

    // The entry point: NetStack and its builder, and the configuration records it takes.
    exports org.jnetstack;
    exports org.jnetstack.config;

    // The event loop an embedder runs (or shares), its clocks and timers, and the link
    // devices it attaches: TAP, namespace TAP, stream (QEMU), virtual wire and switch,
    // and the middleware that wraps them (fault injection, pcap, tracing).
    exports org.jnetstack.loop;
    exports org.jnetstack.link;

    // The callback API of each protocol: interfaces, routes, neighbors and ping; TCP
    // connections, listeners and their configuration; UDP endpoints; the DHCP client and
    // DNS resolver built on them.
    exports org.jnetstack.ip;
    exports org.jnetstack.ip6;
    exports org.jnetstack.tcp;
    exports org.jnetstack.udp;
    exports org.jnetstack.dhcp;
    exports org.jnetstack.dns;

    // Blocking sockets and the java.net / javax.net / java.nio adapters that let unchanged
    // JDK code run on the stack.
    exports org.jnetstack.socket;
    exports org.jnetstack.socket.jdk;
    exports org.jnetstack.socket.nio;

    // The user-mode gateway (DHCP server, DNS forwarder, NAT, port forwards).
    exports org.jnetstack.usernet;

    // Counters the stack keeps, packet views and builders (applications that speak a
    // protocol over UDP parse and build with them), and helpers such a protocol can reuse
    // (a byte ring, the RFC 6298 retransmission timer).
    exports org.jnetstack.stats;
    exports org.jnetstack.wire;
    exports org.jnetstack.util;

    // Not exported: org.jnetstack.internal (maps, memory budget, rate limiters, secrets),
    // org.jnetstack.socket.internal (the rings a socket and a channel share with the loop) and
    // org.jnetstack.tcp.cc (a controller is chosen by name in TcpConfig; no type of it is API).
}
