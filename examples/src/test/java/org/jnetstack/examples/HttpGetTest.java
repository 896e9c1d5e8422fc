package org.jnetstack.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** The example HTTP client against a minimal HTTP/1.0 server on a second stack, on virtual time. */
class HttpGetTest {

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack client = NetStack.builder(loop).device(wire.a()).address("10.0.0.2/24").seed(1).build();
    private final NetStack server = NetStack.builder(loop).device(wire.b()).address("10.0.0.1/24").seed(2).build();

    /** Reads the request head, then sends {@code response} and closes, as an HTTP/1.0 server does. */
    static final class TinyServer implements TcpHandler {
        final ByteArrayOutputStream request = new ByteArrayOutputStream();
        final byte[] response;
        int sent;
        boolean answering;

        TinyServer(byte[] response) {
            this.response = response;
        }

        @Override
        public void onReceive(TcpConnection c) {
            byte[] b = new byte[4096];
            int n;
            while ((n = c.read(b, 0, b.length)) > 0) {
                request.write(b, 0, n);
            }
            if (!answering && request.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                answering = true;
                onSent(c, 0);
            }
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            if (!answering || c.isOutputShutdown()) {
                return;
            }
            sent += c.write(response, sent, response.length - sent);
            if (sent == response.length) {
                c.shutdownOutput();
            }
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            onReceive(c);
        }
    }

    @Test
    void fetchesAWholeResponseUntilTheServerCloses() {
        byte[] body = new byte[500_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        whole.writeBytes(body);
        TinyServer http = new TinyServer(whole.toByteArray());
        server.tcp().listen(8000, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(http);
            }
        });

        HttpGet get = HttpGet.start(client, Ipv4Address.parse("10.0.0.1"), 8000, "/index.txt");
        assertThat(loop.runUntil(get::isDone, 60 * SECOND)).isTrue();

        assertThat(get.error()).isNull();
        assertThat(http.request.toString(StandardCharsets.US_ASCII)).isEqualTo(
                "GET /index.txt HTTP/1.0\r\nHost: 10.0.0.1:8000\r\nUser-Agent: jnetstack-example\r\n\r\n");
        assertThat(get.response()).isEqualTo(whole.toByteArray());
    }

    @Test
    void aRefusedConnectionEndsWithTheError() {
        HttpGet get = HttpGet.start(client, Ipv4Address.parse("10.0.0.1"), 80, "/");

        assertThat(loop.runUntil(get::isDone, 60 * SECOND)).isTrue();

        assertThat(get.error()).isInstanceOf(ConnectException.class);
        assertThat(get.response()).isEmpty();
    }
}
