package org.jnetstack.examples;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.UdpSocket;
import org.jnetstack.wire.DnsMalformed;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;
import org.jnetstack.wire.Ipv4Address;

/**
 * uSock's DNS client on the blocking UDP socket: one A query (RFC 1035 §4) to one server, resent
 * after 2 s without an answer, and the answer's CNAME and A records printed. An answer counts
 * only from the server we asked, with our query id and our question (RFC 5452 §9.1). The stack's
 * full resolver (several servers, cache, TCP fallback) is {@code org.jnetstack.dns.DnsResolver}.
 *
 * <pre>
 * sudo java -cp ... org.jnetstack.examples.DnsClient jns0 10.0.0.2/24 10.0.0.1 example.org
 * </pre>
 */
public final class DnsClient {
    static final int TRIES = 3;
    static final int WAIT_MS = 2000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private DnsClient() {
    }

    /** Lines like {@code www.example.org CNAME example.org} and {@code example.org A 93.184.215.14}. */
    public static List<String> lookup(UdpSocket socket, InetAddress server, String name) throws IOException {
        int id = RANDOM.nextInt(1 << 16); // RFC 5452 §9: an id nobody off-path can guess
        byte[] query = new byte[DnsMessage.UDP_MAX];
        DnsWriter w = new DnsWriter().start(query, 0, query.length, id, DnsMessage.FLAG_RD).question(name, DnsMessage.TYPE_A);
        int queryLength = w.finish();
        InetSocketAddress to = new InetSocketAddress(server, DnsMessage.PORT);
        DatagramPacket answer = new DatagramPacket(new byte[DnsMessage.UDP_MAX], DnsMessage.UDP_MAX);
        DnsMessage m = new DnsMessage();
        socket.setSoTimeout(WAIT_MS);
        for (int attempt = 0; attempt < TRIES; attempt++) {
            socket.send(query, 0, queryLength, to);
            try {
                while (true) {
                    answer.setLength(answer.getData().length);
                    socket.receive(answer);
                    if (answer.getAddress().equals(server) && answer.getPort() == DnsMessage.PORT
                            && isAnswerTo(m.wrap(answer.getData(), 0, answer.getLength()), id, name)) {
                        return records(m, name);
                    }
                    // someone else's datagram, or a forged one: keep waiting
                }
            } catch (SocketTimeoutException lost) {
                // ask again
            }
        }
        throw new SocketTimeoutException("no answer from " + server.getHostAddress() + " after " + TRIES + " tries");
    }

    private static boolean isAnswerTo(DnsMessage m, int id, String name) {
        DnsMalformed bad = m.check();
        return bad == null && m.isResponse() && m.id() == id && m.questionCount() == 1
                && m.questionType(0) == DnsMessage.TYPE_A && m.name(m.questionName(0)).equalsIgnoreCase(name);
    }

    private static List<String> records(DnsMessage m, String name) throws IOException {
        if (m.rcode() == DnsMessage.RCODE_NXDOMAIN) {
            throw new IOException(name + ": no such name (NXDOMAIN)");
        }
        if (m.rcode() != DnsMessage.RCODE_NOERROR) {
            throw new IOException(name + ": the server answered with error code " + m.rcode());
        }
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < m.recordCount(); r++) {
            if (m.section(r) != DnsMessage.SECTION_ANSWER) {
                continue;
            }
            String owner = m.name(m.recordName(r));
            switch (m.recordType(r)) {
                case DnsMessage.TYPE_CNAME -> lines.add(owner + " CNAME " + m.name(m.targetName(r)));
                case DnsMessage.TYPE_A -> lines.add(owner + " A " + Ipv4Address.format(m.a(r)));
                default -> {
                    // other types are not what we asked for
                }
            }
        }
        return lines;
    }

    /** {@code DnsClient TAP ADDRESS/PREFIX SERVER NAME}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: DnsClient TAP ADDRESS/PREFIX SERVER NAME   e.g. DnsClient jns0 10.0.0.2/24 10.0.0.1 example.org");
            System.exit(2);
        }
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).build();
        loop.start();
        try (UdpSocket socket = new UdpSocket(stack)) {
            lookup(socket, InetAddress.getByName(args[2]), args[3]).forEach(System.out::println);
        } catch (IOException e) {
            System.err.println("DnsClient: " + e.getMessage());
            System.exit(1);
        } finally {
            loop.close();
        }
    }
}
