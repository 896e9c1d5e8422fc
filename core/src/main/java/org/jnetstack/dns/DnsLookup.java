package org.jnetstack.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jnetstack.loop.Timer;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.DnsMalformed;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.Ipv4Address;

/**
 * One lookup in flight: the servers tried in turn, the CNAME chain followed so far, and the UDP
 * endpoint (or TCP connection, after TC=1) of the current query. Loop thread only.
 */
final class DnsLookup implements UdpHandler {
    private static final long SECOND = 1_000_000_000L;

    private final DnsResolver resolver;
    final String name;
    final int type;
    private final List<DnsServer> servers;
    private final List<Consumer<DnsResult>> callbacks = new ArrayList<>();
    private final Timer timer;

    private String current;
    private final List<String> cnames = new ArrayList<>();
    private long minTtl = Long.MAX_VALUE;
    private int serverIndex;
    private int round;
    private int id;
    private DnsServer server;
    private UdpEndpoint udp;
    private TcpConnection tcp;
    private byte[] query;
    private DnsResult.Status failure = DnsResult.Status.TIMEOUT;
    private DnsServer failedServer;
    private boolean done;

    DnsLookup(DnsResolver resolver, String name, int type, List<DnsServer> servers, Consumer<DnsResult> callback) {
        this.resolver = resolver;
        this.name = name;
        this.type = type;
        this.servers = servers;
        this.current = name;
        this.callbacks.add(callback);
        this.timer = resolver.loop.newTimer(this::onTimeout);
    }

    void join(Consumer<DnsResult> callback) {
        callbacks.add(callback);
    }

    void start() {
        send();
    }

    private void send() {
        if (serverIndex >= servers.size()) {
            serverIndex = 0;
            round++;
        }
        if (round >= resolver.config.attempts()) {
            finish(failure, List.of(), failure == DnsResult.Status.SERVER_FAILURE ? failedServer : null, 0);
            return;
        }
        server = servers.get(serverIndex);
        // RFC 5452 §9: an unpredictable id and source port for every query.
        id = resolver.ids.nextInt(0x10000);
        int n = resolver.writer.start(resolver.out, 0, DnsMessage.UDP_MAX, id, DnsMessage.FLAG_RD).question(current, type).finish();
        query = java.util.Arrays.copyOf(resolver.out, n);
        udp = resolver.stack.udp().open(0, this);
        long hi = server.address().hi();
        long lo = server.address().lo();
        udp.connect(hi, lo, server.port()); // answers from anyone else are filtered out
        resolver.txQueries.inc();
        if (!udp.send(hi, lo, server.port(), query, 0, n)) {
            resolver.loop.execute(() -> nextServerIfStill(query, DnsResult.Status.UNREACHABLE)); // no route there
        }
        timer.schedule(resolver.config.timeout().toNanos());
    }

    private void nextServer(DnsResult.Status why) {
        closeTransport();
        // Report the most telling failure: a server's own refusal beats unreachable, which beats silence.
        if (why == DnsResult.Status.SERVER_FAILURE
                || (why == DnsResult.Status.UNREACHABLE && failure != DnsResult.Status.SERVER_FAILURE)) {
            failure = why;
            failedServer = server;
        }
        serverIndex++;
        send();
    }

    /** Moves on from a query that could not even be sent, unless it has ended meanwhile. */
    private void nextServerIfStill(byte[] sent, DnsResult.Status why) {
        if (!done && query == sent && udp != null) {
            nextServer(why);
        }
    }

    private void onTimeout() {
        resolver.timeouts.inc();
        nextServer(DnsResult.Status.TIMEOUT);
    }

    @Override
    public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
        if (ep == udp) {
            response(buf, off, len, false);
        }
    }

    @Override
    public void onDatagram6(UdpEndpoint ep, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
        if (ep == udp) {
            response(buf, off, len, false);
        }
    }

    @Override
    public void onError6(UdpEndpoint ep, long dstHi, long dstLo, int dstPort, int icmpType, int icmpCode, String reason) {
        onError(ep, 0, dstPort, icmpType, icmpCode, reason);
    }

    @Override
    public void onError(UdpEndpoint ep, int dstIp, int dstPort, int icmpType, int icmpCode, String reason) {
        if (ep == udp) {
            // No ARP answer, no route, or port unreachable: nobody serves DNS there.
            nextServer(DnsResult.Status.UNREACHABLE);
        }
    }

    private void response(byte[] buf, int off, int len, boolean viaTcp) {
        DnsMessage m = resolver.view;
        DnsMalformed bad = m.wrap(buf, off, len).check();
        if (bad != null) {
            resolver.rxMalformed[bad.ordinal()].inc();
            if (viaTcp) {
                nextServer(DnsResult.Status.SERVER_FAILURE);
            }
            return; // over UDP it may be a forgery; keep waiting for the real answer
        }
        // RFC 5452 §4.1 / RFC 1035 §7.3: the answer must match the id and repeat the question.
        if (m.id() != id || !m.isResponse() || m.opcode() != 0 || m.questionCount() != 1
                || !m.nameEquals(m.questionName(0), current) || m.questionType(0) != type || m.questionClass(0) != DnsMessage.CLASS_IN) {
            resolver.rxMismatch.inc();
            if (viaTcp) {
                nextServer(DnsResult.Status.SERVER_FAILURE);
            }
            return;
        }
        resolver.rxResponses.inc();
        if (m.truncated() && !viaTcp) {
            startTcp();
            return;
        }
        switch (m.rcode()) {
            case DnsMessage.RCODE_NOERROR -> answer(m);
            case DnsMessage.RCODE_NXDOMAIN -> {
                followChain(m); // the CNAMEs that led to the missing name are still worth showing
                negative(m, DnsResult.Status.NXDOMAIN);
            }
            default -> nextServer(DnsResult.Status.SERVER_FAILURE);
        }
    }

    private void answer(DnsMessage m) {
        List<InetAddress> found = followChain(m);
        if (found == null) {
            nextServer(DnsResult.Status.SERVER_FAILURE); // a CNAME chain too long or looping
            return;
        }
        if (!found.isEmpty()) {
            finish(DnsResult.Status.OK, found, server, minTtl);
            return;
        }
        boolean moved = !current.equals(chainEnd());
        if (moved && !hasSoa(m)) {
            // The server gave the alias but not its target's records: ask for the target (RFC 1034 §5.3.3).
            current = chainEnd();
            closeTransport();
            round = 0;
            send();
            return;
        }
        negative(m, DnsResult.Status.NO_DATA);
    }

    /**
     * Walks the answer section from the name asked: addresses of the asked type at the end of the
     * CNAME chain. Returns null if the chain is longer than allowed.
     */
    private List<InetAddress> followChain(DnsMessage m) {
        String at = current;
        List<InetAddress> found = new ArrayList<>();
        int answers = m.answerCount();
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int r = 0; r < answers; r++) {
                if (!m.nameEquals(m.recordName(r), at) || m.recordClass(r) != DnsMessage.CLASS_IN) {
                    continue;
                }
                int t = m.recordType(r);
                if (t == type) {
                    found.add(address(m, r));
                    minTtl = Math.min(minTtl, m.recordTtl(r));
                } else if (t == DnsMessage.TYPE_CNAME && found.isEmpty()) {
                    String target = m.name(m.targetName(r)).toLowerCase(java.util.Locale.ROOT);
                    if (cnames.size() >= resolver.config.maxCnameChain() || cnames.contains(target) || target.equals(name)) {
                        return null;
                    }
                    cnames.add(target);
                    minTtl = Math.min(minTtl, m.recordTtl(r));
                    at = target;
                    moved = true;
                    break;
                }
            }
        }
        return found;
    }

    private String chainEnd() {
        return cnames.isEmpty() ? name : cnames.get(cnames.size() - 1);
    }

    private InetAddress address(DnsMessage m, int r) {
        byte[] b = new byte[type == DnsMessage.TYPE_A ? 4 : 16];
        if (type == DnsMessage.TYPE_A) {
            Bytes.putI32(b, 0, m.a(r));
        } else {
            m.aaaa(r, b, 0);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean hasSoa(DnsMessage m) {
        return soa(m) >= 0;
    }

    private static int soa(DnsMessage m) {
        int from = m.answerCount();
        int to = from + m.authorityCount();
        for (int r = from; r < to; r++) {
            if (m.recordType(r) == DnsMessage.TYPE_SOA) {
                return r;
            }
        }
        return -1;
    }

    /** RFC 2308 §5: a negative answer is cached for min(SOA TTL, SOA MINIMUM); without an SOA, not at all. */
    private void negative(DnsMessage m, DnsResult.Status status) {
        int r = soa(m);
        long ttl = 0;
        if (r >= 0) {
            ttl = Math.min(m.recordTtl(r), m.soaMinimum(r));
            ttl = Math.min(ttl, resolver.config.maxNegativeTtl().toSeconds());
            if (!cnames.isEmpty()) {
                ttl = Math.min(ttl, minTtl);
            }
        }
        finish(status, List.of(), server, ttl);
    }

    private void finish(DnsResult.Status status, List<InetAddress> addresses, DnsServer from, long ttlSeconds) {
        if (done) {
            return;
        }
        done = true;
        closeTransport();
        long ttl = ttlSeconds == Long.MAX_VALUE ? 0 : Math.min(ttlSeconds, resolver.config.maxTtl().toSeconds());
        DnsResult result = new DnsResult(name, type, status, addresses, cnames, ttl, from,
                from == null ? DnsResult.Source.NONE : DnsResult.Source.SERVER);
        resolver.finished(this, result, ttl * SECOND);
        for (Consumer<DnsResult> c : callbacks) {
            c.accept(result);
        }
    }

    private void closeTransport() {
        timer.cancel();
        if (udp != null) {
            udp.close();
            udp = null;
        }
        if (tcp != null) {
            TcpConnection c = tcp;
            tcp = null;
            c.abort();
        }
    }

    // ---- TCP after TC=1 (RFC 7766 §5; RFC 1035 §4.2.2 two-byte length prefix) ----

    private void startTcp() {
        closeTransport();
        resolver.txTcpQueries.inc();
        byte[] framed = new byte[2 + query.length];
        Bytes.putU16(framed, 0, query.length);
        System.arraycopy(query, 0, framed, 2, query.length);
        byte[] in = new byte[2 + 65535];
        tcp = resolver.stack.tcp().connect(server.address(), server.port(), new TcpHandler() {
            private int have;

            @Override
            public void onConnected(TcpConnection c) {
                c.write(framed, 0, framed.length);
            }

            @Override
            public void onReceive(TcpConnection c) {
                if (c != tcp) {
                    return;
                }
                have += c.read(in, have, in.length - have);
                if (have >= 2 && have >= 2 + Bytes.u16(in, 0)) {
                    tcp = null;
                    c.close();
                    timer.cancel();
                    response(in, 2, Bytes.u16(in, 0), true);
                }
            }

            @Override
            public void onEndOfInput(TcpConnection c) {
                if (c == tcp) {
                    nextServer(DnsResult.Status.SERVER_FAILURE);
                }
            }

            @Override
            public void onError(TcpConnection c, IOException error) {
                if (c == tcp) {
                    tcp = null;
                    nextServer(DnsResult.Status.SERVER_FAILURE);
                }
            }
        });
        timer.schedule(resolver.config.timeout().toNanos());
    }
}
