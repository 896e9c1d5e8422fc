package org.jnetstack.link;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Objects;
import org.jnetstack.loop.Clock;
import org.jnetstack.loop.SystemClock;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;

/**
 * Middleware that captures every frame, received and sent, in the classic libpcap format
 * (link type Ethernet), readable by Wireshark, tshark and tcpdump.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.system()) {
 *     DeviceAttachment.attach(loop, PcapWriter.toFile(Path.of("jns0.pcap"), TapDevice.open("jns0")), stack::onFrame);
 *     ...
 * }   // closing the loop closes the device: the file is flushed and complete
 * }</pre>
 *
 * <p>Timestamps come from the loop's clock ({@code epochMicros()}), so a capture of a simulation on
 * a {@code VirtualClock} shows simulated time and is byte-for-byte reproducible. Output is buffered;
 * the buffer is written when full, one second (of loop time) after the first unwritten frame, on
 * {@link #flush()} and on {@link #close()}. {@link #toRing} keeps only the last frames, in memory.
 *
 * <p>A write error never reaches the stack: it is logged once and counted
 * ({@code pcap.errors}), and capturing stops. Frames captured are counted in {@code pcap.frames}.
 */
public final class PcapWriter extends ForwardingDevice {
    private static final System.Logger LOG = System.getLogger(PcapWriter.class.getName());
    private static final long FLUSH_DELAY_NANOS = 1_000_000_000L;
    private static final int BUFFER_SIZE = 64 * 1024;

    private final OutputStream out;
    private final PcapRing ring;
    private final String target;
    private final byte[] buffer;
    private int buffered;
    private boolean failed;
    private boolean closed;
    private Timer flushTimer;
    private final Counter frames;
    private final Counter errors;

    private PcapWriter(LinkDevice inner, OutputStream out, PcapRing ring, String target) throws IOException {
        super(inner);
        this.out = out;
        this.ring = ring;
        this.target = target;
        this.frames = inner.stats().counters().counter("pcap.frames");
        this.errors = inner.stats().counters().counter("pcap.errors");
        if (out != null) {
            buffer = new byte[BUFFER_SIZE];
            PcapFormat.writeGlobalHeader(buffer, 0, PcapFormat.SNAPLEN);
            // The header goes out at once, so even a capture that sees no frame is a valid file.
            out.write(buffer, 0, PcapFormat.GLOBAL_HEADER_LENGTH);
            out.flush();
        } else {
            buffer = null;
        }
    }

    /**
     * Captures into {@code file}: a new file is created readable by its owner only (mode 0600,
     * whatever the umask: a capture holds whatever crossed the wire, passwords included). An
     * existing file is truncated if it belongs to this process's user, and made 0600. The file is
     * never opened through a symbolic link, nor is a file of another user written into (in a
     * shared directory like /tmp either could hand the capture to someone else).
     *
     * @throws IOException naming the problem when {@code file} is a symbolic link, belongs to
     *     another user, or cannot be created
     */
    public static PcapWriter toFile(Path file, LinkDevice device) throws IOException {
        Objects.requireNonNull(device, "device");
        OutputStream os = CaptureFile.open(file);
        try {
            return new PcapWriter(device, os, null, file.toString());
        } catch (IOException e) {
            os.close();
            throw e;
        }
    }

    /** Captures into {@code out}, which {@link #close()} closes. */
    public static PcapWriter toStream(OutputStream out, LinkDevice device) throws IOException {
        return new PcapWriter(Objects.requireNonNull(device, "device"), Objects.requireNonNull(out, "out"), null, "stream");
    }

    /** Keeps the last frames in {@code ring}, which can be written out as a pcap file at any time. */
    public static PcapWriter toRing(PcapRing ring, LinkDevice device) {
        try {
            return new PcapWriter(Objects.requireNonNull(device, "device"), null, Objects.requireNonNull(ring, "ring"), "ring");
        } catch (IOException e) {
            throw new AssertionError("a ring capture does no I/O", e);
        }
    }

    @Override
    protected void opened(DeviceContext context) {
        if (out != null) {
            flushTimer = context.loop().newTimer(this::flush);
        }
    }

    @Override
    protected void received(byte[] buf, int off, int len, FrameHandler up) {
        capture(buf, off, len);
        up.onFrame(buf, off, len, rxFlags());
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        capture(buf, off, len);
        return inner.send(buf, off, len);
    }

    /** Passes the device's offloads on: the capture then holds partial checksums and super-segments, as tcpdump's does. */
    @Override
    public LinkOffloads offloads() {
        return inner.offloads();
    }

    @Override
    public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
        Objects.checkFromIndexSize(off, len, buf.length);
        capture(buf, off, len);
        return inner.sendOffloaded(buf, off, len, checksumStart, checksumOffset, segmentSize);
    }

    private Clock clock() {
        DeviceContext c = context();
        return c == null ? SystemClock.INSTANCE : c.loop().clock();
    }

    private void capture(byte[] buf, int off, int len) {
        if (failed || closed) {
            return;
        }
        long micros = clock().epochMicros();
        frames.inc();
        if (ring != null) {
            ring.record(micros, buf, off, len);
            return;
        }
        int cap = Math.min(len, PcapFormat.SNAPLEN);
        try {
            if (buffered + PcapFormat.RECORD_HEADER_LENGTH + cap > buffer.length) {
                writeBuffer();
            }
            PcapFormat.writeRecordHeader(buffer, buffered, micros, cap, len);
            buffered += PcapFormat.RECORD_HEADER_LENGTH;
            if (buffered + cap > buffer.length) {
                // Larger than the whole buffer: straight through.
                writeBuffer();
                out.write(buf, off, cap);
            } else {
                System.arraycopy(buf, off, buffer, buffered, cap);
                buffered += cap;
            }
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (flushTimer != null && !flushTimer.isScheduled()) {
            flushTimer.schedule(FLUSH_DELAY_NANOS);
        }
    }

    private void writeBuffer() throws IOException {
        if (buffered > 0) {
            out.write(buffer, 0, buffered);
            buffered = 0;
        }
    }

    /** Writes buffered frames out now. Loop thread (or after the loop stopped). */
    public void flush() {
        if (out == null || failed || closed) {
            return;
        }
        try {
            writeBuffer();
            out.flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void fail(IOException e) {
        failed = true;
        errors.inc();
        LOG.log(Level.WARNING, "pcap capture of " + name() + " to " + target + " failed; capture stopped", e);
    }

    @Override
    public void close() {
        if (!closed) {
            flush();
            closed = true;
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    errors.inc();
                    LOG.log(Level.WARNING, "closing pcap capture " + target + " failed", e);
                }
            }
        }
        inner.close();
    }
}
