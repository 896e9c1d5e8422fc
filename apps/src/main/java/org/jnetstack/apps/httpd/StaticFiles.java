package org.jnetstack.apps.httpd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Serves the files of a {@link WebRoot}: GET and HEAD, the media type from the extension, a
 * directory's {@code index.html}, validators and conditional requests ({@code ETag},
 * {@code Last-Modified}, {@code If-None-Match}, {@code If-Modified-Since}; RFC 9110 §8.8, §13),
 * and byte ranges ({@code Range}, {@code If-Range}; §14): one range as 206 with
 * {@code Content-Range}, several as {@code multipart/byteranges}, none satisfiable as 416. Bodies
 * stream from disk in constant memory. Runs on the server's worker threads (it touches the disk).
 */
public final class StaticFiles implements HttpRequestHandler {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final WebRoot root;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    public StaticFiles(Path root) {
        this.root = new WebRoot(root);
    }

    public Path root() {
        return root.path();
    }

    /** Responses with a file (200, 206, 304) so far. */
    public long served() {
        return served.get();
    }

    public long notFound() {
        return notFound.get();
    }

    /** Bytes of file bodies answered with (HEAD and 304 count none). */
    public long bytes() {
        return bytes.get();
    }

    @Override
    public void handle(ClassicHttpRequest req, ClassicHttpResponse res, HttpContext context) {
        res.setHeader("X-Content-Type-Options", "nosniff");
        String method = req.getMethod();
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
            res.setHeader("Allow", "GET, HEAD");
            text(res, 405, method + " is not served here: static files answer GET and HEAD");
            return;
        }
        switch (root.resolve(req.getRequestUri())) {
            case WebRoot.BadRequest b -> text(res, 400, b.why());
            case WebRoot.NotFound n -> {
                notFound.incrementAndGet();
                text(res, 404, "not found");
            }
            case WebRoot.Redirect r -> {
                res.setHeader("Location", r.location());
                text(res, 301, "moved to " + r.location());
            }
            case WebRoot.File f -> file(req, res, f, head);
        }
    }

    private void file(ClassicHttpRequest req, ClassicHttpResponse res, WebRoot.File f, boolean head) {
        long size = f.attributes().size();
        Instant modified = f.attributes().lastModifiedTime().toInstant();
        String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(modified.getEpochSecond()) + "-"
                + Integer.toHexString(modified.getNano()) + "\"";
        String type = ContentTypes.of(f.path().getFileName().toString());
        res.setHeader("ETag", etag);
        res.setHeader("Last-Modified", HTTP_DATE.format(ZonedDateTime.ofInstant(modified, ZoneOffset.UTC)));
        res.setHeader("Accept-Ranges", "bytes");
        served.incrementAndGet();
        if (notModified(req, etag, modified)) {
            res.setCode(304);
            return;
        }
        // Range is defined for GET only (§14.2): HEAD describes the whole representation.
        ByteRanges ranges = head || !ifRangeHolds(req, etag, modified)
                ? ByteRanges.parse(null, size) : ByteRanges.parse(value(req, "Range"), size);
        switch (ranges.outcome()) {
            case IGNORED -> {
                res.setCode(200);
                res.setEntity(FileRangesEntity.single(f.path(), type, new ByteRanges.Range(0, size - 1)));
            }
            case UNSATISFIABLE -> {
                res.setHeader("Content-Range", "bytes */" + size);
                text(res, 416, "range not satisfiable: the file has " + size + " bytes");
                return;
            }
            case SATISFIABLE -> {
                res.setCode(206);
                if (ranges.ranges().size() == 1) {
                    ByteRanges.Range r = ranges.ranges().getFirst();
                    res.setHeader("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + size);
                    res.setEntity(FileRangesEntity.single(f.path(), type, r));
                } else {
                    String boundary = "jns-" + Long.toHexString(System.nanoTime()) + Long.toHexString(served.get());
                    res.setEntity(FileRangesEntity.multipart(f.path(), type, ranges.ranges(), size, boundary));
                }
            }
        }
        if (!head) {
            bytes.addAndGet(res.getEntity().getContentLength());
        }
    }

    /**
     * §13.2.2: If-None-Match decides when present (weak comparison, {@code *} matches any);
     * otherwise If-Modified-Since, at the one-second precision of an HTTP date.
     */
    private static boolean notModified(ClassicHttpRequest req, String etag, Instant modified) {
        String inm = value(req, "If-None-Match");
        if (inm != null) {
            for (String tag : inm.split(",")) {
                String t = tag.trim();
                if (t.equals("*") || weak(t).equals(weak(etag))) {
                    return true;
                }
            }
            return false;
        }
        Instant since = date(value(req, "If-Modified-Since"));
        return since != null && !modified.truncatedTo(ChronoUnit.SECONDS).isAfter(since);
    }

    /** §13.1.5: a Range applies only if If-Range (when present) names the current entity tag (strongly) or date. */
    private static boolean ifRangeHolds(ClassicHttpRequest req, String etag, Instant modified) {
        String ir = value(req, "If-Range");
        if (ir == null) {
            return true;
        }
        if (ir.startsWith("\"") || ir.startsWith("W/")) {
            return ir.equals(etag);
        }
        Instant d = date(ir);
        return d != null && d.equals(modified.truncatedTo(ChronoUnit.SECONDS));
    }

    private static String weak(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    private static Instant date(String s) {
        if (s == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(s.trim(), HTTP_DATE).toInstant();
        } catch (DateTimeParseException e) {
            return null; // an invalid date is ignored (§13.1.3)
        }
    }

    private static String value(ClassicHttpRequest req, String name) {
        Header h = req.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private static void text(ClassicHttpResponse res, int code, String body) {
        res.setCode(code);
        res.setEntity(new ByteArrayEntity((body + "\n").getBytes(StandardCharsets.UTF_8), ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8)));
    }
}
