package org.jnetstack.link;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The last {@code N} frames a {@link PcapWriter} saw, in memory, ready to be downloaded as a pcap
 * file at any time ({@link #writeTo}), from any thread. Memory is bounded: at most
 * {@code maxFrames} frames of at most {@code snaplen} bytes each; slot buffers are allocated on
 * first use and reused.
 */
public final class PcapRing {
    private final int snaplen;
    private final byte[][] frames;
    private final int[] captured;
    private final int[] original;
    private final long[] micros;
    private int next;
    private int size;
    private long total;

    /** Keeps the last {@code maxFrames} frames, whole (up to 65535 bytes). */
    public PcapRing(int maxFrames) {
        this(maxFrames, PcapFormat.SNAPLEN);
    }

    /** Keeps the last {@code maxFrames} frames, each cut to {@code snaplen} bytes. */
    public PcapRing(int maxFrames, int snaplen) {
        if (maxFrames < 1) {
            throw new IllegalArgumentException("a pcap ring must keep at least 1 frame: " + maxFrames);
        }
        if (snaplen < 14 || snaplen > PcapFormat.SNAPLEN) {
            throw new IllegalArgumentException("snaplen must be 14-65535 bytes: " + snaplen);
        }
        this.snaplen = snaplen;
        frames = new byte[maxFrames][];
        captured = new int[maxFrames];
        original = new int[maxFrames];
        micros = new long[maxFrames];
    }

    synchronized void record(long epochMicros, byte[] buf, int off, int len) {
        int cap = Math.min(len, snaplen);
        byte[] slot = frames[next];
        if (slot == null || slot.length < cap) {
            slot = new byte[Math.max(cap, Math.min(snaplen, 1518))];
            frames[next] = slot;
        }
        System.arraycopy(buf, off, slot, 0, cap);
        captured[next] = cap;
        original[next] = len;
        micros[next] = epochMicros;
        next = (next + 1) % frames.length;
        size = Math.min(size + 1, frames.length);
        total++;
    }

    /** Frames held now (at most the capacity). */
    public synchronized int size() {
        return size;
    }

    /** Frames recorded since creation, including those the ring has since forgotten. */
    public synchronized long totalRecorded() {
        return total;
    }

    /** Writes the held frames, oldest first, as a complete pcap file. */
    public synchronized void writeTo(OutputStream out) throws IOException {
        byte[] header = new byte[Math.max(PcapFormat.GLOBAL_HEADER_LENGTH, PcapFormat.RECORD_HEADER_LENGTH)];
        PcapFormat.writeGlobalHeader(header, 0, snaplen);
        out.write(header, 0, PcapFormat.GLOBAL_HEADER_LENGTH);
        int first = (next - size + frames.length) % frames.length;
        for (int i = 0; i < size; i++) {
            int s = (first + i) % frames.length;
            PcapFormat.writeRecordHeader(header, 0, micros[s], captured[s], original[s]);
            out.write(header, 0, PcapFormat.RECORD_HEADER_LENGTH);
            out.write(frames[s], 0, captured[s]);
        }
        out.flush();
    }

    /** The held frames as a pcap file in memory. */
    public byte[] toByteArray() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeTo(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Forgets every held frame. */
    public synchronized void clear() {
        size = 0;
        next = 0;
    }
}
