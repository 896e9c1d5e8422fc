package org.jnetstack.apps.httpd;

import java.time.Duration;
import org.jnetstack.apps.appliance.ApplianceConfig;

/**
 * What one client may make a {@link StackHttpServer} hold: the bounds on a request head, how long
 * it may take to arrive, and how many connections are served at once. A request over a bound is
 * answered as RFC 9110 / RFC 6585 say (414, 431, 408, 503) and its connection closed.
 *
 * @param maxLineBytes a request line or header line of this many bytes or more is refused: 414 for
 *     the request line, 431 for a header (RFC 6585 §5). Default 8 KiB, what Apache and nginx allow
 *     for one line; a browser's longest (a cookie header) stays far below.
 * @param maxHeaders a request with more header lines is refused with 431. Default 100, as Apache's
 *     {@code LimitRequestFields}.
 * @param maxHeadBytes a request head (request line and headers) of more bytes is refused with 431,
 *     whatever its lines: without it 100 lines of 8 KiB would let one connection hold 1.6 MiB of
 *     parsed text. Default 64 KiB (nginx allows 4 buffers of 8 KiB past its first 1 KiB).
 * @param headTimeout from a request's first byte, its whole head must arrive within this, or it is
 *     answered 408 (RFC 9110 §15.5.9). A per-read timeout alone lets a client trickle one byte per
 *     timeout for ever (slowloris); this bounds the whole head. Default 10 s.
 * @param idleTimeout an idle keep-alive connection, a read that waits this long for any byte, or a
 *     response write the client has not taken for this long (it stopped reading), is closed.
 *     Default 30 s.
 * @param maxConnections connections served at once; for the next, an idle keep-alive connection is
 *     closed to make room, or if none is idle it is answered 503 with Retry-After and closed. Each
 *     holds one virtual thread and its buffers (16 KiB, and up to {@code maxHeadBytes} while a
 *     head arrives). Default 64.
 * @param maxConnectionsPerSource connections from one address served at once (a browser opens up
 *     to 6 per host): one client cannot take every slot. Behind the user-mode forward every host
 *     client shares the gateway's address, so this is also the bound for all of them. Default 16.
 */
public record HttpLimits(int maxLineBytes, int maxHeaders, int maxHeadBytes, Duration headTimeout, Duration idleTimeout,
        int maxConnections, int maxConnectionsPerSource) {

    public static final HttpLimits DEFAULTS = new HttpLimits(8192, 100, 64 * 1024, Duration.ofSeconds(10),
            Duration.ofSeconds(30), 64, 16);

    public HttpLimits {
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("maxLineBytes must be at least 64: " + maxLineBytes);
        }
        if (maxHeaders < 1) {
            throw new IllegalArgumentException("maxHeaders must be at least 1: " + maxHeaders);
        }
        if (maxHeadBytes < maxLineBytes) {
            throw new IllegalArgumentException("maxHeadBytes must be at least maxLineBytes: " + maxHeadBytes);
        }
        if (headTimeout.toMillis() < 1 || idleTimeout.toMillis() < 1 || idleTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the head and idle timeouts must be 1 ms or more: " + headTimeout + ", " + idleTimeout);
        }
        if (maxConnections < 1 || maxConnectionsPerSource < 1 || maxConnectionsPerSource > maxConnections) {
            throw new IllegalArgumentException("expected 1 <= maxConnectionsPerSource <= maxConnections: "
                    + maxConnectionsPerSource + ", " + maxConnections);
        }
    }

    /** The limits an appliance config's {@code [admin]} or {@code [www]} table gives. */
    public static HttpLimits of(ApplianceConfig.HttpLimits c) {
        return new HttpLimits(c.maxLineBytes(), c.maxHeaders(), c.maxHeadBytes(), Duration.ofMillis(c.headTimeoutMillis()),
                Duration.ofMillis(c.idleTimeoutMillis()), c.maxConnections(), c.maxConnectionsPerSource());
    }

    public HttpLimits withHeadTimeout(Duration d) {
        return new HttpLimits(maxLineBytes, maxHeaders, maxHeadBytes, d, idleTimeout, maxConnections, maxConnectionsPerSource);
    }

    public HttpLimits withIdleTimeout(Duration d) {
        return new HttpLimits(maxLineBytes, maxHeaders, maxHeadBytes, headTimeout, d, maxConnections, maxConnectionsPerSource);
    }

    public HttpLimits withConnections(int total, int perSource) {
        return new HttpLimits(maxLineBytes, maxHeaders, maxHeadBytes, headTimeout, idleTimeout, total, perSource);
    }
}
