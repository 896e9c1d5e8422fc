package org.jnetstack.link;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer/single-consumer queue of frames, copied into one block of native
 * memory: the event loop {@link #offer offers} a frame (a copy, so it may reuse its buffer at
 * once) and another thread {@link #drain drains} them in order, straight from native memory.
 * Nothing is allocated per frame and neither side takes a lock: the producer publishes how far
 * it has written ({@code tail}), the consumer how far it has read ({@code head}), each a
 * position that only grows (the Aeron / Agrona one-to-one ring buffer, in small).
 *
 * <p>A frame is stored as a record: its length (an {@code int}) in an 8-byte record header, then
 * its bytes, padded to a multiple of 8. A record never wraps around the end of the block: when the
 * room left before the end is too small, a padding record fills it and the frame goes to the
 * start. A full ring refuses the frame ({@link #offer} returns false); the caller counts the drop.
 */
final class FrameRing {
    /** The consumer gets each frame as a slice of the ring: its offset in {@link #memory()} and its length. */
    interface FrameSink {
        void frame(MemorySegment ring, long offset, int length);
    }

    static final int RECORD_HEADER = 8;
    private static final int PADDING = -1;
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(FrameRing.class, "head", long.class);
            TAIL = l.findVarHandle(FrameRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment memory;
    private final int capacity;
    private final long mask;
    private final int maxFrame;

    /** Written by the consumer only (release), read by the producer (acquire). */
    @SuppressWarnings("unused") // through HEAD
    private volatile long head;
    /** Written by the producer only (volatile: see {@link #isEmpty}), read by the consumer. */
    @SuppressWarnings("unused") // through TAIL
    private volatile long tail;
    /** Producer-side copies: its own tail, and the last head it saw (refreshed only when the ring looks full). */
    private long producerTail;
    private long headSeen;
    /** Consumer-side copy of its own head. */
    private long consumerHead;

    /**
     * @param capacity bytes of native memory, a power of two
     * @param maxFrame the largest frame {@link #offer} must always be able to store in an empty
     *     ring; the capacity must hold two of them (one may follow the padding at the end)
     */
    FrameRing(int capacity, int maxFrame) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + capacity);
        }
        if (maxFrame < 1 || capacity < 2L * recordSize(maxFrame)) {
            throw new IllegalArgumentException("a ring of " + capacity + " bytes cannot hold two frames of " + maxFrame
                    + " bytes; use at least " + minimumCapacity(maxFrame));
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxFrame = maxFrame;
        // Freed by the GC once the ring is unreachable: never under a consumer still reading it.
        this.memory = Arena.ofAuto().allocate(capacity, 64);
    }

    static int recordSize(int frameLength) {
        return (RECORD_HEADER + frameLength + 7) & ~7;
    }

    /** The smallest power-of-two capacity that the constructor accepts for {@code maxFrame}. */
    static int minimumCapacity(int maxFrame) {
        return Integer.highestOneBit(2 * recordSize(maxFrame) - 1) * 2;
    }

    int capacity() {
        return capacity;
    }

    MemorySegment memory() {
        return memory;
    }

    /**
     * Producer only: copies {@code headerLength} bytes of {@code header}, then {@code len} bytes
     * of {@code buf} from {@code off}, as one frame. Returns false, storing nothing, when the ring
     * has no room for it now or the frame is larger than {@code maxFrame}.
     */
    boolean offer(byte[] header, int headerLength, byte[] buf, int off, int len) {
        int frameLength = headerLength + len;
        if (frameLength > maxFrame || headerLength < 0 || len < 0) {
            return false;
        }
        int need = recordSize(frameLength);
        long t = producerTail;
        int index = (int) (t & mask);
        int toEnd = capacity - index;
        long required = need <= toEnd ? need : (long) toEnd + need;
        if (t + required - headSeen > capacity) {
            headSeen = (long) HEAD.getAcquire(this);
            if (t + required - headSeen > capacity) {
                return false;
            }
        }
        if (need > toEnd) {
            // toEnd is at least 8 (every record is a multiple of 8): room for the padding marker.
            memory.set(ValueLayout.JAVA_INT, index, PADDING);
            t += toEnd;
            index = 0;
        }
        memory.set(ValueLayout.JAVA_INT, index, frameLength);
        long at = index + RECORD_HEADER;
        if (headerLength > 0) {
            MemorySegment.copy(header, 0, memory, ValueLayout.JAVA_BYTE, at, headerLength);
        }
        MemorySegment.copy(buf, off, memory, ValueLayout.JAVA_BYTE, at + headerLength, len);
        producerTail = t + need;
        // A volatile store: ordered before the producer's next volatile load (a consumer about to
        // sleep checks the tail after announcing it; the producer checks that announcement after this).
        TAIL.setVolatile(this, producerTail);
        return true;
    }

    /**
     * Consumer only: hands up to {@code maxFrames} stored frames to {@code sink}, oldest first,
     * and frees each record once the sink returns. Returns how many it handed.
     */
    int drain(FrameSink sink, int maxFrames) {
        long h = consumerHead;
        long t = (long) TAIL.getAcquire(this);
        int n = 0;
        while (h != t && n < maxFrames) {
            int index = (int) (h & mask);
            int length = memory.get(ValueLayout.JAVA_INT, index);
            if (length == PADDING) {
                h += capacity - index;
            } else {
                sink.frame(memory, index + RECORD_HEADER, length);
                h += recordSize(length);
                n++;
            }
            consumerHead = h;
            HEAD.setRelease(this, h);
        }
        return n;
    }

    /** True when every stored frame has been drained; a volatile read, safe from either side. */
    boolean isEmpty() {
        return (long) HEAD.getVolatile(this) == (long) TAIL.getVolatile(this);
    }
}
