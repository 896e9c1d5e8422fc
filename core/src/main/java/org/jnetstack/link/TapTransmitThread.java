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
 * receive path per 1,514-byte frame, most of the loop thread's time (BENCHMARKS.md §4.5b). On a
 * second core this thread does that work while the loop goes on with protocol work.
 *
 * <p>Threads: {@link #offer} is called by the loop thread only (the ring's single producer);
 * everything else here runs on this thread (the single consumer), which is also the only writer
 * of the counters it is given. When the ring is empty the thread spins for {@code spinNanos},
 * then parks; {@link #offer} unparks it only when it has announced that it sleeps, so a busy
 * writer costs the loop no system call. {@link #close} lets it write what is queued, stops it
 * and waits for it: no thread outlives the device.
 */
final class TapTransmitThread implements FrameRing.FrameSink {
    private static final System.Logger LOG = System.getLogger(TapTransmitThread.class.getName());
    /** Frames written between two looks at the stop flag. */
    private static final int DRAIN_BATCH = 64;
    /** How long {@link #close} waits for the thread to finish what is queued. */
    private static final long CLOSE_WAIT_MILLIS = 2_000;
    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(TapTransmitThread.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
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

    /**
     * @param headerLength bytes in front of every frame that are not frame bytes (the virtio header)
     * @param txFrames written only by this thread from now on (as are the other counters)
     */
    TapTransmitThread(String tapName, int fd, int headerLength, FrameRing ring, long spinNanos,
                      Counter txFrames, Counter txBytes, Counter txErrors, Counter txLinkDown) {
        this.fd = fd;
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
            long r = TunCalls.writeAddress(callState, fd, ringAddress + offset, length);
            if (r == length) {
                txFrames.inc();
                txBytes.add(length - headerLength);
                return;
            }
            int errno = r < 0 ? TunCalls.errno(callState) : 0;
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

    /**
     * Any thread: lets the thread write what is queued, then stops it and waits for it (up to
     * {@link #CLOSE_WAIT_MILLIS}). Call before closing the descriptor. Idempotent.
     */
    void close() {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread || !thread.isAlive()) {
            return;
        }
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, thread.getName() + " did not stop within " + CLOSE_WAIT_MILLIS + " ms");
        }
    }
}
