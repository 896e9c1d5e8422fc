package org.jnetstack.usernet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jnetstack.loop.LoopClosedException;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;

/**
 * The DNS address's answers when there is no name server to relay to — /etc/resolv.conf names
 * none, or names a loopback stub (systemd-resolved's 127.0.0.53) that refuses: each address
 * query is answered from the host's own resolver ({@link org.jnetstack.dns.HostResolver#lookup}, which also
 * knows /etc/hosts), as libslirp does on hosts without a usable resolv.conf.
 *
 * <p>Lookups block, so each runs on a virtual thread and its answer is sent from the loop; at
 * most {@link #MAX_IN_FLIGHT} run at once, and queries beyond that are dropped (counted): the
 * guest's resolver retries, and a flood cannot start threads without bound. Only A and AAAA
 * (RFC 3596) can be answered this way; other types get NOTIMP (RFC 1035 §4.1.1), a name the
 * host cannot resolve NXDOMAIN.
 */
final class DnsForwarder {
    /** Host lookups running at once, at most. */
    static final int MAX_IN_FLIGHT = 32;
    /** TTL of the answers: the host resolver does not say how long its answer holds; a minute, as nscd's default. */
    static final long TTL_SECONDS = 60;

    /** The host's resolver; tests replace it. */
    interface HostLookup {
        InetAddress[] lookup(String name) throws UnknownHostException;
    }

    private final UserNet gw;
    private final HostLookup lookup;
    private final DnsMessage query = new DnsMessage();
    private final DnsWriter writer = new DnsWriter();
    private final byte[] reply = new byte[DnsMessage.UDP_MAX];
    private int inFlight;
    private final Counter answered;
    private final Counter nxdomain;
    private final Counter malformed;
    private final Counter busy;

    DnsForwarder(UserNet gw, HostLookup lookup) {
        this.gw = gw;
        this.lookup = lookup;
        var c = gw.counters();
        answered = c.counter("usernet.dns.host_answers");
        nxdomain = c.counter("usernet.dns.nxdomain");
        malformed = c.counter("usernet.dns.drop.malformed");
        busy = c.counter("usernet.dns.drop.too_many_lookups");
    }

    /**
     * A query from the guest to the DNS address {@code dns} (10.0.2.3 or {@code PREFIX::3}), port 53;
     * addresses in the two-long form (loop thread).
     */
    void query(long guestHi, long guestLo, int guestPort, long dnsHi, long dnsLo, byte[] buf, int off, int len) {
        if (query.wrap(buf, off, len).check() != null || query.isResponse() || query.questionCount() != 1) {
            malformed.inc(); // nothing trustworthy to answer to (RFC 1035 §4.1.1 FORMERR needs a sane header)
            return;
        }
        int id = query.id();
        int rd = query.flags() & DnsMessage.FLAG_RD;
        String name = query.name(query.questionName(0));
        int type = query.questionType(0);
        boolean address = query.opcode() == 0 && query.questionClass(0) == DnsMessage.CLASS_IN
                && (type == DnsMessage.TYPE_A || type == DnsMessage.TYPE_AAAA);
        if (!address) {
            send(guestHi, guestLo, guestPort, dnsHi, dnsLo, id, rd, name, type, DnsMessage.RCODE_NOTIMP, null);
            return;
        }
        if (inFlight >= MAX_IN_FLIGHT) {
            busy.inc();
            return;
        }
        inFlight++;
        Thread.ofVirtual().name("usernet-dns-lookup").start(() -> {
            InetAddress[] found;
            try {
                found = lookup.lookup(name);
            } catch (UnknownHostException | RuntimeException e) {
                found = null;
            }
            InetAddress[] result = found;
            try {
                gw.loop().execute(() -> {
                    inFlight--;
                    if (!gw.isClosed()) {
                        send(guestHi, guestLo, guestPort, dnsHi, dnsLo, id, rd, name, type,
                                result == null ? DnsMessage.RCODE_NXDOMAIN : DnsMessage.RCODE_NOERROR, result);
                    }
                });
            } catch (LoopClosedException loopClosed) {
                gw.hostSelector().loopStopped(); // the gateway is gone: nobody to answer
            }
        });
    }

    /** Builds and sends the answer: the question echoed, then every address of the asked family (RFC 1035 §4.1). */
    private void send(long guestHi, long guestLo, int guestPort, long dnsHi, long dnsLo, int id, int rd, String name, int type, int rcode, InetAddress[] addresses) {
        int flags = DnsMessage.FLAG_QR | rd | DnsMessage.FLAG_RA | rcode;
        try {
            writer.start(reply, 0, reply.length, id, flags).question(name, type);
        } catch (IllegalArgumentException | IllegalStateException e) {
            malformed.inc(); // a name the writer cannot encode (e.g. a label with a dot in it)
            return;
        }
        if (addresses != null) {
            for (InetAddress a : addresses) {
                boolean fitted = true;
                if (type == DnsMessage.TYPE_A && a instanceof Inet4Address) {
                    fitted = writer.a(DnsMessage.SECTION_ANSWER, name, TTL_SECONDS, Bytes.i32(a.getAddress(), 0));
                } else if (type == DnsMessage.TYPE_AAAA && a instanceof Inet6Address) {
                    fitted = writer.aaaa(DnsMessage.SECTION_ANSWER, name, TTL_SECONDS, a.getAddress(), 0);
                }
                if (!fitted) {
                    writer.truncated(); // RFC 1035 §4.2.1: what did not fit in 512 bytes is flagged
                    break;
                }
            }
        }
        if (rcode == DnsMessage.RCODE_NXDOMAIN) {
            nxdomain.inc();
        } else if (rcode == DnsMessage.RCODE_NOERROR) {
            answered.inc();
        }
        int n = writer.finish();
        gw.stack().udp().sendFrom(dnsHi, dnsLo, DnsMessage.PORT, guestHi, guestLo, guestPort, reply, 0, n);
    }
}
