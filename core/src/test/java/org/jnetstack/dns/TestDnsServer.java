package org.jnetstack.dns;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;

/** Test-only DNS server on a stack (UDP and TCP port 53) answering from a small zone, with scripted misbehaviour. */
final class TestDnsServer {
    record Seen(long atNanos, int id, int srcPort, String name, int type, boolean tcp) {
    }

    /** One record: CNAME target, A address, or AAAA address (16 bytes). */
    record Rr(String owner, int type, long ttl, String target, int address, byte[] address6) {
        Rr(String owner, int type, long ttl, String target, int address) {
            this(owner, type, ttl, target, address, null);
        }
    }

    final List<Seen> seen = new ArrayList<>();
    final Map<String, List<Rr>> zone = new HashMap<>();
    boolean silent;
    /** Query types never answered (an AAAA that never comes). */
    final java.util.Set<Integer> ignoredTypes = new java.util.HashSet<>();
    int rcode = DnsMessage.RCODE_NOERROR;
    boolean truncateUdp;
    boolean followCnames = true;
    /** SOA for negative answers: {ttl, minimum}; null sends none. */
    long[] soa = {600, 60};
    private final NetStack stack;
    private final UdpEndpoint udp;
    private final DnsMessage msg = new DnsMessage();
    private final DnsWriter writer = new DnsWriter();

    TestDnsServer(NetStack stack) {
        this.stack = stack;
        udp = stack.udp().open(DnsMessage.PORT, new org.jnetstack.udp.UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint ep, int src, int sport, byte[] buf, int off, int len) {
                byte[] reply = answer(buf, off, len, sport, false);
                if (reply != null) {
                    ep.send(src, sport, reply, 0, reply.length);
                }
            }

            @Override
            public void onDatagram6(UdpEndpoint ep, long srcHi, long srcLo, int sport, byte[] buf, int off, int len) {
                byte[] reply = answer(buf, off, len, sport, false);
                if (reply != null) {
                    ep.send(srcHi, srcLo, sport, reply, 0, reply.length);
                }
            }
        });
        stack.tcp().listen(DnsMessage.PORT, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(new TcpHandler() {
                    final byte[] in = new byte[70000];
                    int have;

                    @Override
                    public void onReceive(TcpConnection c) {
                        have += c.read(in, have, in.length - have);
                        if (have >= 2 && have >= 2 + Bytes.u16(in, 0)) {
                            byte[] reply = answer(in, 2, Bytes.u16(in, 0), c.remotePort(), true);
                            byte[] framed = new byte[reply.length + 2];
                            Bytes.putU16(framed, 0, reply.length);
                            System.arraycopy(reply, 0, framed, 2, reply.length);
                            c.write(framed, 0, framed.length);
                            c.close();
                        }
                    }

                    @Override
                    public void onError(TcpConnection c, IOException e) {
                    }
                });
            }
        });
    }

    void a(String owner, long ttl, int address) {
        zone.computeIfAbsent(owner, k -> new ArrayList<>()).add(new Rr(owner, DnsMessage.TYPE_A, ttl, null, address));
    }

    void aaaa(String owner, long ttl, String address) {
        byte[] b = new byte[16];
        org.jnetstack.wire.Ipv6Address a = org.jnetstack.wire.Ipv6Address.parse(address);
        org.jnetstack.wire.Ipv6Address.write(b, 0, a.hi(), a.lo());
        zone.computeIfAbsent(owner, k -> new ArrayList<>()).add(new Rr(owner, DnsMessage.TYPE_AAAA, ttl, null, 0, b));
    }

    void cname(String owner, long ttl, String target) {
        zone.computeIfAbsent(owner, k -> new ArrayList<>()).add(new Rr(owner, DnsMessage.TYPE_CNAME, ttl, target, 0));
    }

    private byte[] answer(byte[] buf, int off, int len, int srcPort, boolean tcp) {
        if (msg.wrap(buf, off, len).check() != null) {
            return null;
        }
        String name = msg.name(msg.questionName(0));
        int type = msg.questionType(0);
        seen.add(new Seen(stack.loop().clock().nanos(), msg.id(), srcPort, name, type, tcp));
        if (silent || ignoredTypes.contains(type)) {
            return null;
        }
        byte[] out = new byte[tcp ? 65535 : DnsMessage.UDP_MAX];
        int flags = DnsMessage.FLAG_QR | DnsMessage.FLAG_RD | DnsMessage.FLAG_RA;
        writer.start(out, 0, out.length, msg.id(), flags).question(name, type);
        if (rcode != DnsMessage.RCODE_NOERROR) {
            writer.flags(flags | rcode);
            return java.util.Arrays.copyOf(out, writer.finish());
        }
        if (truncateUdp && !tcp) {
            writer.truncated();
            return java.util.Arrays.copyOf(out, writer.finish());
        }
        String at = name;
        boolean any = false;
        boolean exists = zone.containsKey(name);
        for (int hop = 0; hop < 10 && zone.containsKey(at); hop++) {
            String next = null;
            for (Rr rr : zone.get(at)) {
                if (rr.type() == DnsMessage.TYPE_CNAME) {
                    writer.cname(DnsMessage.SECTION_ANSWER, at, rr.ttl(), rr.target());
                    next = rr.target();
                    any = true;
                } else if (rr.type() == type && type == DnsMessage.TYPE_AAAA) {
                    writer.aaaa(DnsMessage.SECTION_ANSWER, at, rr.ttl(), rr.address6(), 0);
                    any = true;
                } else if (rr.type() == type) {
                    writer.a(DnsMessage.SECTION_ANSWER, at, rr.ttl(), rr.address());
                    any = true;
                }
            }
            if (next == null || !followCnames) {
                break;
            }
            at = next;
        }
        if (!any || (!zone.containsKey(at) && followCnames)) {
            if (!exists || (followCnames && !zone.containsKey(at))) {
                writer.flags(flags | DnsMessage.RCODE_NXDOMAIN);
            }
            if (soa != null) {
                writer.soa(DnsMessage.SECTION_AUTHORITY, "test", soa[0], "ns.test", "admin.test", 1, 3600, 600, 86400, soa[1]);
            }
        }
        return java.util.Arrays.copyOf(out, writer.finish());
    }
}
