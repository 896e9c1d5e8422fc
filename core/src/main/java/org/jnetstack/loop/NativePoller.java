package org.jnetstack.loop;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link FdWaiter} on Linux: {@code ppoll(2)} over the device descriptors plus an
 * {@code eventfd(2)} that {@link #wakeup()} writes, through the Foreign Function &amp; Memory API.
 *
 * <p>Why {@code ppoll} and not {@code poll}: its timeout is a {@code timespec} in nanoseconds, so
 * a timer due in 300 µs is neither run up to a millisecond late nor busy-waited for.
 *
 * <p>{@link #await} runs on the loop thread only; {@link #wakeup} from any thread. Nothing here
 * throws into the loop: an unexpected {@code ppoll} error is logged and degrades to a short park,
 * and a descriptor that reports an error condition ({@code POLLERR}, {@code POLLHUP},
 * {@code POLLNVAL}, e.g. a TAP whose interface was deleted) is left out of later waits until the
 * loop's device set changes, so one dead device cannot make the loop spin.
 */
final class NativePoller implements FdWaiter {
    private static final System.Logger LOG = System.getLogger(NativePoller.class.getName());

    private static final short POLLIN = 0x1;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLNVAL = 0x20;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** struct pollfd { int fd; short events; short revents; } */
    private static final long POLLFD_SIZE = 8;
    /** Fallback park when ppoll itself fails, so a persistent error cannot spin the CPU. */
    private static final long ERROR_PARK_NANOS = 10_000_000L;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment callState = arena.allocate(Libc.CAPTURE_LAYOUT);
    private final MemorySegment timespec = arena.allocate(16, 8);
    private final MemorySegment wakeValue = arena.allocate(8, 8);
    private final MemorySegment drainBuffer = arena.allocate(8, 8);
    private MemorySegment pollFds;
    private int pollFdCapacity;
    private final int eventFd;

    /** Broken descriptors are remembered per device-set array: the loop rebuilds it on attach/detach. */
    private int[] brokenFor;
    private int[] broken = new int[0];
    private int brokenCount;

    private volatile boolean closed;
    private final AtomicInteger wakersInFlight = new AtomicInteger();
    private boolean loggedPollError;

    private NativePoller() {
        int fd;
        try {
            fd = (int) Libc.EVENTFD.invokeExact(callState, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw new IllegalStateException("eventfd(2) call failed", t);
        }
        if (fd < 0) {
            arena.close();
            throw new IllegalStateException("eventfd(2) failed: errno " + Libc.errno(callState));
        }
        this.eventFd = fd;
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        ensureCapacity(8);
    }

    /** Creates a poller; throws {@link IllegalStateException} if the native calls are unavailable. */
    static FdWaiter create() {
        return new NativePoller();
    }

    private void ensureCapacity(int n) {
        if (n <= pollFdCapacity) {
            return;
        }
        int cap = Math.max(n, pollFdCapacity * 2);
        // The old block stays in the arena until close; growth happens only when devices are added.
        pollFds = arena.allocate(cap * POLLFD_SIZE, 8);
        pollFdCapacity = cap;
    }

    @Override
    public void await(int[] fds, int count, long timeoutNanos) {
        if (closed) {
            return;
        }
        if (fds != brokenFor) {
            brokenFor = fds;
            brokenCount = 0;
        }
        ensureCapacity(count + 1);
        MemorySegment p = pollFds;
        p.set(ValueLayout.JAVA_INT, 0, eventFd);
        p.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        p.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int n = 1;
        for (int i = 0; i < count; i++) {
            int fd = fds[i];
            // poll(2) ignores entries with a negative fd; keeping the slot keeps indexes simple.
            p.set(ValueLayout.JAVA_INT, n * POLLFD_SIZE, isBroken(fd) ? -1 : fd);
            p.set(ValueLayout.JAVA_SHORT, n * POLLFD_SIZE + 4, POLLIN);
            p.set(ValueLayout.JAVA_SHORT, n * POLLFD_SIZE + 6, (short) 0);
            n++;
        }
        MemorySegment tmo = MemorySegment.NULL;
        if (timeoutNanos >= 0) {
            timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            tmo = timespec;
        }
        int r;
        try {
            r = (int) Libc.PPOLL.invokeExact(callState, p, (long) n, tmo, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("ppoll(2) call failed", t);
        }
        if (r < 0) {
            int errno = Libc.errno(callState);
            if (errno != EINTR) {
                // EINTR is an ordinary early return: the loop simply iterates again.
                pollFailed(errno, timeoutNanos);
            }
            return;
        }
        if (r == 0) {
            return;
        }
        if ((p.get(ValueLayout.JAVA_SHORT, 6) & POLLIN) != 0) {
            drainEventFd();
        }
        for (int i = 1; i < n; i++) {
            short re = p.get(ValueLayout.JAVA_SHORT, i * POLLFD_SIZE + 6);
            if ((re & (POLLERR | POLLHUP | POLLNVAL)) != 0 && (re & POLLIN) == 0) {
                markBroken(p.get(ValueLayout.JAVA_INT, i * POLLFD_SIZE), re);
            }
        }
    }

    private boolean isBroken(int fd) {
        for (int i = 0; i < brokenCount; i++) {
            if (broken[i] == fd) {
                return true;
            }
        }
        return false;
    }

    private void markBroken(int fd, short revents) {
        if (fd < 0 || isBroken(fd)) {
            return;
        }
        if (brokenCount == broken.length) {
            broken = java.util.Arrays.copyOf(broken, Math.max(4, brokenCount * 2));
        }
        broken[brokenCount++] = fd;
        LOG.log(Level.WARNING, "descriptor " + fd + " reports an error condition (revents=0x"
                + Integer.toHexString(revents & 0xFFFF) + "); no longer waiting on it");
    }

    private void pollFailed(int errno, long timeoutNanos) {
        if (!loggedPollError) {
            loggedPollError = true;
            LOG.log(Level.WARNING, "ppoll(2) failed with errno " + errno + "; falling back to timed parking");
        }
        LockSupport.parkNanos(timeoutNanos < 0 ? ERROR_PARK_NANOS : Math.min(timeoutNanos, ERROR_PARK_NANOS));
    }

    private void drainEventFd() {
        // One read resets an eventfd counter to zero (no EFD_SEMAPHORE); EAGAIN means already drained.
        try {
            long r = (long) Libc.READ.invokeExact(callState, eventFd, drainBuffer, 8L);
            if (r < 0 && Libc.errno(callState) != EAGAIN && Libc.errno(callState) != EINTR) {
                LOG.log(Level.DEBUG, "eventfd read failed: errno " + Libc.errno(callState));
            }
        } catch (Throwable t) {
            throw new IllegalStateException("read(2) on eventfd failed", t);
        }
    }

    @Override
    public void wakeup() {
        // The in-flight count lets close() wait until no thread can still write to the fd number,
        // which the kernel could otherwise hand to an unrelated file after close(2).
        wakersInFlight.incrementAndGet();
        try {
            if (closed) {
                return;
            }
            // A saturated counter (EAGAIN) still wakes the poller, so the result needs no check.
            long ignored = (long) Libc.WRITE_NO_ERRNO.invokeExact(eventFd, wakeValue, 8L);
        } catch (Throwable t) {
            throw new IllegalStateException("write(2) on eventfd failed", t);
        } finally {
            wakersInFlight.decrementAndGet();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (wakersInFlight.get() != 0) {
            Thread.onSpinWait();
        }
        try {
            int ignored = (int) Libc.CLOSE.invokeExact(eventFd);
        } catch (Throwable t) {
            LOG.log(Level.DEBUG, "close of eventfd failed", t);
        }
        arena.close();
    }

    /** The few libc functions the poller needs, bound once. */
    private static final class Libc {
        static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO =
                CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LIBC = LINKER.defaultLookup();
        private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

        static final MethodHandle PPOLL = bind("ppoll", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS), ERRNO_OPT);
        static final MethodHandle EVENTFD = bind("eventfd",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ERRNO_OPT);
        static final MethodHandle READ = bind("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_OPT);
        static final MethodHandle WRITE_NO_ERRNO = bind("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        static final MethodHandle CLOSE = bind("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        @SuppressWarnings("restricted") // native access is this class's purpose; enabled in the manifest
        private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
            MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException(
                    "libc function " + name + " not found: the native poller needs Linux"));
            return LINKER.downcallHandle(sym, fd, options);
        }

        static int errno(MemorySegment state) {
            return (int) ERRNO.get(state, 0L);
        }
    }
}
