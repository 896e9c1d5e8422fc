package org.jnetstack.link;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.jnetstack.stats.Counter;

/**
 * The writing half of a {@link TapDevice} opened with a transmit thread: the event loop copies
 * each frame into a {@link FrameRing} and returns; this thread does the {@code write(2)}s.
 *
 * <p>Why: a frame written to a TAP is received by the kernel inside the {@code write} call — IP,
 * TCP, waking the receiving socket — on the writer's thread. Without offloads that is one full
 * receive path per 1,514-byte frame, most of the loop thread's time in a bulk transfer. On a
 * second core this thread does that work while the loop goes on with protocol work.
 *
 * <p>Threads: {@link #offer} is called by the loop thread only (the ring's single producer);
 * everything else here runs on this thread (the single consumer), which is also the only writer
 * of the counters it is given. When the ring is empty the thread spins for {@code spinNanos},
 * then parks; {@link #offer} unparks it only when it has announced that it sleeps, so a busy
 * writer costs the loop no system call. {@link #close} lets it write what is queued, stops it
 * and waits for it: no thread outlives the device. If it does not end in time (a {@code write}
 * that blocks), the descriptor becomes the thread's to close when it ends, so it is never closed
 * under a {@code write} — a descriptor number the kernel reuses would get our frames.
 */
final class TapTransmitThread implements FrameRing.FrameSink {
    private static final System.Logger LOG = System.getLogger(TapTransmitThread.class.getName());
    /** Frames written between two looks at the stop flag. */
    private static final int DRAIN_BATCH = 64;
    /** How long {@link #close} waits, by default, for the thread to finish what is queued. */
    private static final long CLOSE_WAIT_MILLIS = 2_000;
    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(TapTransmitThread.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One {@code write(2)} of a frame: bytes written, or -errno. A seam for tests; normally {@link #writeFd}. */
    interface FrameWriter {
        long write(long address, int length);
    }

    private final int fd;
    private final FrameWriter writer;
    private final int headerLength;
    private final FrameRing ring;
    private final long spinNanos;
    private final Thread thread;
    private final MemorySegment callState = Arena.ofAuto().allocate(TunCalls.CAPTURE_LAYOUT);
    private final long ringAddress;
    private final Counter txFrames;
    private final Counter txBytes;
    private final Counter txErrors;
    private final Counter txLinkDown;

    @SuppressWarnings("unused") // through SLEEPING
    private volatile boolean sleeping;
    private volatile boolean stopping;
    /** Guarded by {@code this}: the thread has ended / it must close {@link #fd} when it ends. */
    private boolean ended;
    private boolean closeFdOnEnd;

    /**
     * @param writer how frames are written; null: {@code write(2)} on {@code fd} (tests pass their own)
     * @param headerLength bytes in front of every frame that are not frame bytes (the virtio header)
     * @param txFrames written only by this thread from now on (as are the other counters)
     */
    TapTransmitThread(String tapName, int fd, FrameWriter writer, int headerLength, FrameRing ring, long spinNanos,
                      Counter txFrames, Counter txBytes, Counter txErrors, Counter txLinkDown) {
        this.fd = fd;
        this.writer = writer != null ? writer : this::writeFd;
        this.headerLength = headerLength;
        this.ring = ring;
        this.spinNanos = spinNanos;
        this.ringAddress = ring.memory().address();
        this.txFrames = txFrames;
        this.txBytes = txBytes;
        this.txErrors = txErrors;
        this.txLinkDown = txLinkDown;
        this.thread = Thread.ofPlatform().daemon().name("jnetstack-tap-tx-" + tapName).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    /**
     * Loop thread: queues the frame ({@code headerLength} bytes of {@code header}, then the
     * frame). False when the ring is full (the caller drops and counts it) or the thread stopped.
     */
    boolean offer(byte[] header, byte[] buf, int off, int len) {
        if (stopping || !ring.offer(header, headerLength, buf, off, len)) {
            return false;
        }
        // After the ring's volatile tail store: a writer that announced sleep before it is seen here.
        if (sleeping && SLEEPING.compareAndSet(this, true, false)) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    private void run() {
        try {
            transmit();
        } finally {
            boolean closeFd;
            synchronized (this) {
                ended = true;
                closeFd = closeFdOnEnd;
            }
            if (closeFd) {
                TunCalls.close(fd);
                LOG.log(Level.INFO, thread.getName() + " ended late and closed its descriptor");
            }
        }
    }

    private void transmit() {
        long idleSince = 0;
        while (true) {
            if (ring.drain(this, DRAIN_BATCH) > 0) {
                idleSince = 0;
                continue;
            }
            if (stopping) {
                if (ring.isEmpty()) {
                    return;
                }
                continue;
            }
            long now = System.nanoTime();
            if (idleSince == 0) {
                idleSince = now;
            }
            if (now - idleSince < spinNanos) {
                Thread.onSpinWait();
                continue;
            }
            sleeping = true;
            // Re-check after the announcement (volatile store, then volatile load): a frame offered
            // before it is seen here; one offered after it finds sleeping == true and unparks us.
            if (ring.isEmpty() && !stopping) {
                LockSupport.park(this);
            }
            sleeping = false;
            idleSince = 0;
        }
    }

    @Override
    public void frame(MemorySegment ring, long offset, int length) {
        while (true) {
            long r = writer.write(ringAddress + offset, length);
            if (r == length) {
                txFrames.inc();
                txBytes.add(length - headerLength);
                return;
            }
            int errno = r < 0 ? (int) -r : 0;
            if (errno == TunCalls.EINTR) {
                continue;
            }
            if (errno == TunCalls.EIO) {
                txLinkDown.inc(); // the kernel's side of the TAP is down
            } else {
                txErrors.inc();
            }
            return;
        }
    }

    /** write(2) of the frame at {@code address}: bytes written, or -errno. */
    private long writeFd(long address, int length) {
        long r = TunCalls.writeAddress(callState, fd, address, length);
        return r < 0 ? -TunCalls.errno(callState) : r;
    }

    /**
     * Any thread: lets the thread write what is queued, then stops it and waits for it (up to
     * {@link #CLOSE_WAIT_MILLIS}). Call once, before closing the descriptor.
     *
     * @return true when the caller closes the descriptor; false when the thread is still
     *     running and will close it itself when it ends
     */
    boolean close() {
        return close(CLOSE_WAIT_MILLIS);
    }

    /** {@link #close()} with the wait given (tests). */
    boolean close(long waitMillis) {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (ended || thread.getState() == Thread.State.NEW || Thread.currentThread() == thread) {
                return !closeFdOnEnd;
            }
            if (!closeFdOnEnd) {
                closeFdOnEnd = true;
                LOG.log(Level.WARNING, thread.getName() + " did not stop within " + waitMillis
                        + " ms; it closes the descriptor when it ends");
            }
            return false;
        }
    }
}
