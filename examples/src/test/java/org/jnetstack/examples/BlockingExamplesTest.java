package org.jnetstack.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.Sockets;
import org.jnetstack.socket.TcpServerSocket;
import org.jnetstack.socket.TcpSocket;
import org.jnetstack.socket.UdpSocket;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The uSock samples on blocking sockets, between two stacks on a real-time loop (blocking needs a running loop). */
@Timeout(60)
class BlockingExamplesTest {
    final EventLoop loop = EventLoop.system();
    final VirtualWire wire = new VirtualWire();
    final NetStack client = NetStack.builder(loop).device(wire.a()).address("10.0.0.1/24").seed(1).build();
    final NetStack server = NetStack.builder(loop).device(wire.b()).address("10.0.0.2/24").seed(2).build();
    final InetAddress serverIp;

    BlockingExamplesTest() throws IOException {
        loop.start();
        serverIp = InetAddress.getByName("10.0.0.2");
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    @Test
    void helloHttpdAnswersTheBlockingHttpGetByName() throws Exception {
        try (TcpServerSocket listener = Sockets.of(server).listen(80)) {
            Thread.startVirtualThread(() -> HelloHttpd.serve(listener));
            Sockets named = Sockets.of(client, host -> List.of(serverIp)); // any name is the server
            String response = new String(BlockingHttpGet.get(named, URI.create("http://www.test/")), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.0 200 OK\r\n").contains("Content-Length: 14\r\n")
                    .endsWith("\r\n\r\nHello, world!\n");
            // Not a GET: 501, and still a clean close.
            try (TcpSocket s = Sockets.of(client).connect("10.0.0.2", 80)) {
                s.getOutputStream().write("DELETE / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.0 501 Not Implemented\r\n");
            }
        }
    }

    byte[] tftpGet(UdpSocket s, String name, boolean dropFirstAckOfBlock2) throws IOException {
        byte[] rrq = ByteBuffer.allocate(2 + name.length() + 1 + 6).putShort((short) 1)
                .put(name.getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put("octet".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 0).array();
        s.send(rrq, 0, rrq.length, new InetSocketAddress(serverIp, 69));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DatagramPacket p = new DatagramPacket(new byte[600], 600);
        boolean dropped = false;
        int expected = 1;
        while (true) {
            p.setLength(600);
            s.receive(p);
            ByteBuffer b = ByteBuffer.wrap(p.getData(), 0, p.getLength());
            int op = b.getShort();
            if (op == 5) {
                throw new IOException("TFTP error " + b.getShort() + ": "
                        + new String(p.getData(), 4, p.getLength() - 5, StandardCharsets.US_ASCII));
            }
            int block = b.getShort() & 0xFFFF;
            if (block == expected) {
                file.write(p.getData(), 4, p.getLength() - 4);
                expected++;
            }
            if (block == 2 && dropFirstAckOfBlock2 && !dropped) {
                dropped = true; // "lose" our ACK: the server must send block 2 again
                continue;
            }
            byte[] ack = ByteBuffer.allocate(4).putShort((short) 4).putShort((short) block).array();
            s.send(ack, 0, 4, new InetSocketAddress(p.getAddress(), p.getPort()));
            if (p.getLength() - 4 < 512) {
                return file.toByteArray();
            }
        }
    }

    @Test
    void tftpServesItsOneFileInLockStepBlocks() throws Exception {
        byte[] content = new byte[1300];
        new Random(5).nextBytes(content);
        try (UdpSocket requests = new UdpSocket(server, 69); UdpSocket s = new UdpSocket(client)) {
            Thread.startVirtualThread(() -> new OneFileTftpServer(server, "boot.img", content).serve(requests));
            s.setSoTimeout(10_000);
            assertThat(tftpGet(s, "boot.img", true)).isEqualTo(content);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> tftpGet(s, "other.img", false))
                    .hasMessage("TFTP error 1: File not found");
        }
    }

    @Test
    void aFileOfWholeBlocksEndsWithAnEmptyOne() throws Exception {
        byte[] content = new byte[1024];
        new Random(6).nextBytes(content);
        try (UdpSocket requests = new UdpSocket(server, 69); UdpSocket s = new UdpSocket(client)) {
            Thread.startVirtualThread(() -> new OneFileTftpServer(server, "f", content).serve(requests));
            s.setSoTimeout(10_000);
            assertThat(tftpGet(s, "f", false)).isEqualTo(content);
        }
    }

    /** A scripted DNS server: www.test is a CNAME of web.test at 10.0.0.80; anything else does not exist. */
    void dnsServer(UdpSocket s, boolean dropFirst, boolean forgeFirst) {
        DatagramPacket p = new DatagramPacket(new byte[512], 512);
        DnsMessage q = new DnsMessage();
        byte[] out = new byte[512];
        boolean dropped = !dropFirst;
        boolean forged = !forgeFirst;
        try {
            while (true) {
                p.setLength(512);
                s.receive(p);
                if (!dropped) {
                    dropped = true;
                    continue;
                }
                q.wrap(p.getData(), 0, p.getLength());
                if (q.check() != null) {
                    continue;
                }
                String name = q.name(q.questionName(0));
                boolean known = name.equals("www.test");
                int id = forged ? q.id() : q.id() ^ 1; // first a reply with the wrong id: it must be ignored
                DnsWriter w = new DnsWriter().start(out, 0, 512, id, DnsMessage.FLAG_QR | DnsMessage.FLAG_RD
                        | DnsMessage.FLAG_RA | (known ? 0 : DnsMessage.RCODE_NXDOMAIN)).question(name, DnsMessage.TYPE_A);
                if (known) {
                    w.cname(DnsMessage.SECTION_ANSWER, "www.test", 60, "web.test");
                    w.a(DnsMessage.SECTION_ANSWER, "web.test", 60, org.jnetstack.wire.Ipv4Address.parseBits("10.0.0.80"));
                }
                s.send(out, 0, w.finish(), new InetSocketAddress(p.getAddress(), p.getPort()));
                if (!forged) {
                    forged = true;
                    s.send(out, 0, 0, new InetSocketAddress(p.getAddress(), p.getPort())); // and an empty datagram
                    DnsWriter again = new DnsWriter().start(out, 0, 512, q.id(), DnsMessage.FLAG_QR | DnsMessage.FLAG_RA)
                            .question(name, DnsMessage.TYPE_A);
                    again.cname(DnsMessage.SECTION_ANSWER, "www.test", 60, "web.test");
                    again.a(DnsMessage.SECTION_ANSWER, "web.test", 60, org.jnetstack.wire.Ipv4Address.parseBits("10.0.0.80"));
                    s.send(out, 0, again.finish(), new InetSocketAddress(p.getAddress(), p.getPort()));
                }
            }
        } catch (IOException closed) {
            // done
        }
    }

    @Test
    void dnsClientFollowsTheCnameAndIgnoresForgedIds() throws Exception {
        try (UdpSocket dns = new UdpSocket(server, 53); UdpSocket s = new UdpSocket(client)) {
            Thread.startVirtualThread(() -> dnsServer(dns, false, true));
            assertThat(DnsClient.lookup(s, serverIp, "www.test")).containsExactly("www.test CNAME web.test", "web.test A 10.0.0.80");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DnsClient.lookup(s, serverIp, "gone.test"))
                    .hasMessage("gone.test: no such name (NXDOMAIN)");
        }
    }

    @Test
    void dnsClientAsksAgainWhenTheQueryIsLost() throws Exception {
        try (UdpSocket dns = new UdpSocket(server, 53); UdpSocket s = new UdpSocket(client)) {
            Thread.startVirtualThread(() -> dnsServer(dns, true, false));
            assertThat(DnsClient.lookup(s, serverIp, "www.test")).contains("web.test A 10.0.0.80");
        }
    }
}
