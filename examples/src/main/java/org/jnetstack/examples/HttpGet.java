package org.jnetstack.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.Ipv4Address;

/**
 * A tiny HTTP/1.0 client on the callback API: connect, write the request, read until the
 * server closes, print the response (status line, headers and body, as {@code curl -i} does).
 * One thread builds the stack and runs the loop until the response is complete.
 *
 * <pre>
 * sudo java -cp ... org.jnetstack.examples.HttpGet jns0 10.0.0.2/24 http://10.0.0.1:8000/
 * </pre>
 */
public final class HttpGet implements TcpHandler {
    private final byte[] request;
    private final ByteArrayOutputStream response = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[16 * 1024];
    private int requestWritten;
    private boolean done;
    private IOException error;

    private HttpGet(String host, String path) {
        // HTTP/1.0 (RFC 1945): the server closes the connection after the response, so the
        // end of the response is simply the end of input.
        this.request = ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: jnetstack-example\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Starts fetching {@code path} from {@code ip:port} (lwIP: tcp_new + tcp_connect). */
    public static HttpGet start(NetStack stack, Ipv4Address ip, int port, String path) {
        HttpGet get = new HttpGet(port == 80 ? ip.toString() : ip + ":" + port, path);
        stack.tcp().connect(ip.bits(), port, get);
        return get;
    }

    /** Connected (lwIP: the connected callback): send the request. */
    @Override
    public void onConnected(TcpConnection c) {
        writeRequest(c);
    }

    /** Room in the send buffer again: the rest of the request, if it did not fit at once. */
    @Override
    public void onSent(TcpConnection c, int bytes) {
        writeRequest(c);
    }

    private void writeRequest(TcpConnection c) {
        requestWritten += c.write(request, requestWritten, request.length - requestWritten);
    }

    /** Response bytes arrived: take them all (that reopens the window for more). */
    @Override
    public void onReceive(TcpConnection c) {
        int n;
        while ((n = c.read(buffer, 0, buffer.length)) > 0) {
            response.write(buffer, 0, n);
        }
    }

    /** The server closed: the response is complete; close our side too. */
    @Override
    public void onEndOfInput(TcpConnection c) {
        onReceive(c);
        done = true;
        c.close();
    }

    /** Refused, reset or timed out (lwIP: the err callback). */
    @Override
    public void onError(TcpConnection c, IOException e) {
        error = e;
        done = true;
    }

    public boolean isDone() {
        return done;
    }

    /** Why it failed, or null. */
    public IOException error() {
        return error;
    }

    /** The response as received: status line, headers, blank line, body. */
    public byte[] response() {
        return response.toByteArray();
    }

    /** {@code HttpGet TAP ADDRESS/PREFIX URL}: fetch URL (http://IP[:PORT]/PATH, no DNS) and print it. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: HttpGet TAP ADDRESS/PREFIX http://IP[:PORT]/PATH   e.g. HttpGet jns0 10.0.0.2/24 http://10.0.0.1:8000/");
            System.exit(2);
        }
        URI url = URI.create(args[2]);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).build();
        HttpGet get = start(stack, Ipv4Address.parse(url.getHost()), url.getPort() < 0 ? 80 : url.getPort(), path);
        // The single loop, until the callbacks say the response is complete.
        boolean finished = loop.runUntil(get::isDone, Duration.ofMinutes(2).toNanos());
        PrintStream out = System.out;
        out.write(get.response());
        out.flush();
        if (!finished || get.error() != null) {
            System.err.println("HttpGet: " + (finished ? get.error().getMessage() : "no complete response within 2 minutes"));
            System.exit(1);
        }
        System.exit(0);
    }
}
