package org.jnetstack.apps.httpd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * A file, or ranges of it, as a response body streamed from disk in 64 KiB steps (any size in
 * constant memory). One range is sent as is; several as {@code multipart/byteranges}
 * (RFC 9110 §14.6), each part with its own {@code Content-Range}. The length is exact, so the
 * response carries {@code Content-Length} (HEAD answers say it without opening the file).
 */
final class FileRangesEntity extends AbstractHttpEntity {
    private static final int CHUNK = 64 * 1024;

    private final Path file;
    private final List<ByteRanges.Range> ranges;
    /** Per range: the multipart header written before it (empty for a single range), and the closing delimiter last. */
    private final List<byte[]> headers;
    private final byte[] trailer;
    private final long length;

    private FileRangesEntity(Path file, String contentType, List<ByteRanges.Range> ranges, List<byte[]> headers, byte[] trailer) {
        super(contentType, null, false);
        this.file = file;
        this.ranges = ranges;
        this.headers = headers;
        this.trailer = trailer;
        long n = trailer.length;
        for (int i = 0; i < ranges.size(); i++) {
            n += headers.get(i).length + ranges.get(i).length();
        }
        this.length = n;
    }

    /** The bytes {@code range} of {@code file} (the whole file is the range 0 to size-1). */
    static FileRangesEntity single(Path file, String contentType, ByteRanges.Range range) {
        return new FileRangesEntity(file, contentType, List.of(range), List.of(new byte[0]), new byte[0]);
    }

    /** Several ranges as {@code multipart/byteranges; boundary=...}, each part typed {@code partType}. */
    static FileRangesEntity multipart(Path file, String partType, List<ByteRanges.Range> ranges, long size, String boundary) {
        List<byte[]> headers = new ArrayList<>();
        for (ByteRanges.Range r : ranges) {
            headers.add(("\r\n--" + boundary + "\r\nContent-Type: " + partType + "\r\nContent-Range: bytes "
                    + r.first() + "-" + r.last() + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] trailer = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        return new FileRangesEntity(file, "multipart/byteranges; boundary=" + boundary, List.copyOf(ranges), headers, trailer);
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public boolean isRepeatable() {
        return true;
    }

    @Override
    public boolean isStreaming() {
        return false;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        byte[] buf = new byte[CHUNK];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < ranges.size(); i++) {
                out.write(headers.get(i));
                ByteRanges.Range r = ranges.get(i);
                long pos = r.first();
                long left = r.length();
                while (left > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, left));
                    int n = ch.read(bb, pos);
                    if (n < 0) {
                        // the file shrank after the headers went out: the response cannot be completed honestly
                        throw new IOException(file + " shrank while being sent");
                    }
                    out.write(buf, 0, n);
                    pos += n;
                    left -= n;
                }
            }
            out.write(trailer);
        }
        out.flush();
    }

    @Override
    public InputStream getContent() throws IOException {
        List<InputStream> parts = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            ByteRanges.Range r = ranges.get(i);
            parts.add(new ByteArrayInputStream(headers.get(i)));
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ).position(r.first());
            parts.add(bounded(Channels.newInputStream(ch), r.length()));
        }
        parts.add(new ByteArrayInputStream(trailer));
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    private static InputStream bounded(InputStream in, long limit) {
        return new InputStream() {
            long left = limit;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    @Override
    public void close() {
        // nothing held open between writes
    }
}
