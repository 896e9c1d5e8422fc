package org.jnetstack.apps.httpd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.RequestHeaderFieldsTooLargeException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestParser;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.impl.io.SocketHolder;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * Serves one accepted connection, request after request, on its own (virtual) thread: HttpCore5
 * parses each request under the line and header-count limits while a {@link RequestHeadClock}
 * times the head. A head over a limit or past its deadline is answered here, outside HttpCore5
 * (which would only drop the connection): 414, 431 or 408, then the connection is closed.
 */
final class HttpConnection {
    /** How long a refused connection is drained after the answer, so that closing with unread input does not reset it first. */
    private static final int LINGER_MILLIS = 2000;
    private static final int LINGER_BYTES = 64 * 1024;

    private HttpConnection() {
    }

    /** A request line or header line over the length limit, or too many header lines. */
    static final class HeadTooLargeException extends IOException {
        final boolean inHeaders;

        HeadTooLargeException(boolean inHeaders) {
            super(inHeaders ? "request header fields too large" : "request line too long");
            this.inHeaders = inHeaders;
        }
    }

    /** HttpCore5's server connection, reading through a {@link RequestHeadClock} and telling it when the request line is in. */
    static final class Watched extends DefaultBHttpServerConnection {
        final RequestHeadClock clock;

        Watched(Http1Config http1, RequestHeadClock clock) {
            super("http", http1, null, null, null, null, ignored -> new DefaultHttpRequestParser(http1) {
                @Override
                protected ClassicHttpRequest createMessage(CharArrayBuffer requestLine) throws IOException, HttpException {
                    ClassicHttpRequest r = super.createMessage(requestLine);
                    clock.requestLineDone();
                    return r;
                }

                @Override
                public ClassicHttpRequest parse(SessionInputBuffer buffer, InputStream in) throws IOException, HttpException {
                    try {
                        return super.parse(buffer, in);
                    } catch (RequestHeaderFieldsTooLargeException e) {
                        // answered by us, not HttpCore5: it would say 431 to a long request line too, and not linger
                        throw new HeadTooLargeException(clock.requestLineRead());
                    }
                }
            }, null);
            this.clock = clock;
        }

        void bindWatched(Socket socket) throws IOException {
            bind(new SocketHolder(socket) {
                @Override
                protected InputStream getInputStream(Socket s) throws IOException {
                    return clock.watch(super.getInputStream(s));
                }

                @Override
                protected java.io.OutputStream getOutputStream(Socket s) throws IOException {
                    return clock.watch(super.getOutputStream(s));
                }
            });
        }
    }

    /** Serves {@code socket} until it closes, a request breaks a limit, or the server stops. */
    static void serve(Socket socket, RequestHeadClock clock, HttpService service, Http1Config http1, HttpLimits limits,
            ServerCounters counters) {
        Watched conn = new Watched(http1, clock);
        try {
            socket.setTcpNoDelay(true);
            conn.bindWatched(socket);
            HttpCoreContext context = HttpCoreContext.create();
            while (conn.isOpen() && !socket.isClosed()) {
                clock.exchangeDone();
                service.handleRequest(conn, context);
            }
        } catch (RequestHeadClock.HeadTimeoutException e) {
            counters.headTimeouts.increment();
            refuse(socket, 408, "Request Timeout", "the request head did not arrive within "
                    + limits.headTimeout().toMillis() + " ms", null);
        } catch (HeadTooLargeException e) {
            counters.tooLarge.increment();
            if (!e.inHeaders) {
                // RFC 9110 §15.5.15
                refuse(socket, 414, "URI Too Long", "the request line must be shorter than " + limits.maxLineBytes()
                        + " bytes", null);
            } else {
                // RFC 6585 §5: one header too large, or too many of them
                refuse(socket, 431, "Request Header Fields Too Large", "expected at most " + limits.maxHeaders()
                        + " header lines, each shorter than " + limits.maxLineBytes() + " bytes", null);
            }
        } catch (IOException | HttpException | RuntimeException e) {
            // the peer went away, idled out, or sent something HttpCore5 could not answer: nothing more to say
        } finally {
            conn.close(CloseMode.IMMEDIATE);
            closeQuietly(socket);
        }
    }

    /**
     * Answers {@code code} on a connection whose request was not (or not fully) read, half-closes
     * it, and drains what the client still sends for a moment before closing, so the answer is
     * read rather than lost to the reset a close with unread input would send (RFC 9112 §9.6).
     */
    static void refuse(Socket socket, int code, String reason, String message, String extraHeader) {
        try {
            byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + code + " " + reason + "\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "Connection: close\r\n"
                    + (extraHeader == null ? "" : extraHeader + "\r\n")
                    + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MILLIS / 4);
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[4096];
            long until = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
            int drained = 0;
            while (drained < LINGER_BYTES && until - System.nanoTime() > 0) {
                int n = in.read(sink);
                if (n < 0) {
                    break;
                }
                drained += n;
            }
        } catch (IOException e) {
            // the client went away first: nothing to tell it
        } finally {
            closeQuietly(socket);
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
