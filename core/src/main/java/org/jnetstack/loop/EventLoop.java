package org.jnetstack.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * The one thread that owns all protocol state (lwIP's {@code tcpip_thread}, smoltcp's
 * {@code poll()}). Each iteration:
 * <ol>
 *   <li>polls every attached {@link Pollable} (link devices: received frames), in batches;</li>
 *   <li>runs due timers;</li>
 *   <li>runs tasks handed in from other threads ({@link #execute});</li>
 *   <li>ends the batch: runs the {@link BatchEndTask}s requested during the iteration (output
 *       batched over it: TCP's ACKs, sockets' moves, devices' gathered frames);</li>
 *   <li>waits at one point for a frame, a task or the next deadline.</li>
 * </ol>
 * With a {@link VirtualClock} an idle loop does not wait: it jumps to the next deadline.
 * Several stacks may share one loop.
 *
 * <p><b>Faults.</b> An {@link Exception} thrown by a handler, timer or task is contained: it is
 * logged and counted ({@code loop.errors}) and the loop goes on. An {@link Error} (out of memory,
 * stack overflow, a linkage or assertion error, anything a reasonable program does not catch) is
 * fatal: whatever state the handler was changing is half changed, and nothing can check it. The
 * loop then stops the same way every time, on its own thread (see {@link #failure()}): it marks
 * itself closed (so {@link #execute} refuses work and blocked socket callers get an
 * {@code IOException} naming the error), counts it ({@code loop.errors}, {@code loop.fatal}),
 * closes every attached device, calls the {@link #onFailure failure listeners}, completes
 * {@link #failure()}, and logs the error with its stack trace only when no listener was
 * registered (a listener reports it, as a thread's uncaught-exception handler does). Each step is
 * guarded, so one that fails (out of memory again) cannot keep the others from running. A loop
 * driven on the caller's thread ({@link #runUntil}, {@link #runPending}) stops the same way and
 * then rethrows the error to the caller. Protocol handlers (callback API) are not called after a
 * fatal error: their state is unknown, and the thread that owns it is gone.
 */
public final class EventLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private final Clock clock;
    private final int receiveBatch;
    final TimerQueue timers = new TimerQueue();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final BatchEndQueue batchEnd = new BatchEndQueue();
    private final PollSet polled;

    private final Counters counters = new Counters();
    private final Counter errors = counters.counter("loop.errors");
    private final Counter fatal = counters.counter("loop.fatal");
    private final Counter iterations = counters.counter("loop.iterations");

    private volatile Thread owner;
    private volatile boolean woken;
    private volatile boolean waiting;
    private volatile boolean closed;
    private boolean framesSignalled;
    private Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private final LoopFailure failure = new LoopFailure();

    public EventLoop(Clock clock) {
        this(clock, LoopConfig.defaults());
    }

    public EventLoop(Clock clock, LoopConfig config) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.receiveBatch = config.receiveBatch();
        this.polled = new PollSet(clock.isVirtual());
    }

    /** A loop on real time. */
    public static EventLoop system() {
        return new EventLoop(SystemClock.INSTANCE);
    }

    /** A loop on a fresh {@link VirtualClock}, for deterministic simulation. */
    public static EventLoop virtual() {
        return new EventLoop(new VirtualClock());
    }

    public Clock clock() {
        return clock;
    }

    public Counters counters() {
        return counters;
    }

    /** True when called on the thread that currently runs this loop. */
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    /** Creates an unarmed timer; loop thread only. */
    public Timer newTimer(Runnable action) {
        return new Timer(this, Objects.requireNonNull(action, "action"));
    }

    /** Creates and arms a one-shot timer; loop thread only. */
    public Timer schedule(long delayNanos, Runnable action) {
        return newTimer(action).schedule(delayNanos);
    }

    /** Number of armed timers (for tests and diagnostics). */
    public int timerCount() {
        return timers.size();
    }

    /** Runs {@code task} on the loop thread soon; safe from any thread (lwIP's tcpip_callback). */
    public void execute(Runnable task) {
        if (closed) {
            throw LoopClosedException.of(failure.cause());
        }
        tasks.add(Objects.requireNonNull(task, "task"));
        wakeup();
    }

    /** Work for {@link #call}: returns a result, and may throw {@code X}. */
    @FunctionalInterface
    public interface Task<T, X extends Exception> {
        T run() throws X;
    }

    /**
     * Runs {@code task} on the loop thread and returns its result: at once on this thread when it
     * is the loop's, otherwise handed to the loop ({@link #execute}), waiting up to {@code timeout}
     * (a {@code Duration} too long to count in nanoseconds waits for as long as it takes). Whatever
     * the task throws is thrown here, and does not count as a fault of the loop. Safe from any
     * thread; the wait parks (a virtual thread unmounts).
     *
     * @throws LoopClosedException when the loop is closed or stops before the task has run: the
     *     wait looks at the loop at least once a second, so a loop killed by a fatal error does
     *     not leave the caller waiting for the whole timeout
     * @throws TimeoutException when the task has not finished within {@code timeout}; it may
     *     still run later
     * @throws InterruptedException when this thread is interrupted while waiting
     */
    public <T, X extends Exception> T call(Task<T, X> task, Duration timeout)
            throws X, TimeoutException, InterruptedException {
        Objects.requireNonNull(task, "task");
        if (inLoop()) {
            return task.run();
        }
        return LoopCalls.await(this, task, timeout);
    }

    /** Creates a task for the end of a batch, not requested yet ({@link BatchEndTask}); loop thread only. */
    public BatchEndTask newBatchEndTask(Runnable action) {
        return new BatchEndTask(this, Objects.requireNonNull(action, "action"));
    }

    /** Wakes the loop from its wait point; safe from any thread. */
    public void wakeup() {
        woken = true;
        if (waiting) {
            Thread t = owner;
            if (t != null) {
                LockSupport.unpark(t);
            }
            polled.wakeup();
        }
    }

    /**
     * Attaches a pollable: opens it and polls it every iteration from now on (a link device is
     * attached with its frame handler through {@code org.jnetstack.link.DeviceAttachment}).
     * Call on the loop thread, or before the loop runs.
     */
    public Attachment attach(Pollable pollable) {
        checkOwner();
        Attachment a = new Attachment(Objects.requireNonNull(pollable, "pollable"));
        try {
            pollable.open(a);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open device " + pollable.name() + ": " + e.getMessage(), e);
        }
        polled.add(a);
        return a;
    }

    /** Detaches and closes the pollable of {@code a}. */
    public void detach(Attachment a) {
        checkOwner();
        if (polled.remove(a)) {
            a.pollable.close();
        }
    }

    private void checkOwner() {
        Thread o = owner;
        if (o != null && o != Thread.currentThread()) {
            throw new IllegalStateException("call this on the event-loop thread (use execute())");
        }
    }

    /** Starts a platform thread that runs the loop until {@link #close()}. */
    public synchronized EventLoop start(String name) {
        if (thread != null) {
            throw new IllegalStateException("loop already started");
        }
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::runForever);
        owner = thread;
        thread.start();
        return this;
    }

    public EventLoop start() {
        return start("jnetstack-loop");
    }

    private void runForever() {
        try {
            while (!closed) {
                runOnce(true);
            }
        } catch (Throwable fatalError) {
            // runOnce has stopped the loop already (die): the thread ends here, and nothing escapes it
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Runs the loop on the calling thread until {@code done} is true or {@code maxNanos} of
     * clock time has passed. With a virtual clock, returns false at once if the loop becomes
     * idle with no timer armed and {@code done} is still false (nothing could ever change).
     */
    public boolean runUntil(BooleanSupplier done, long maxNanos) {
        Thread me = Thread.currentThread();
        if (owner != null && owner != me) {
            throw new IllegalStateException("loop is running on another thread");
        }
        owner = me;
        try {
            long end = clock.nanos() + maxNanos;
            while (!done.getAsBoolean()) {
                long now = clock.nanos();
                if (now - end >= 0) {
                    return false;
                }
                if (clock.isVirtual() && isIdle() && timers.size() == 0) {
                    return done.getAsBoolean();
                }
                runOnce(true, end);
            }
            return true;
        } finally {
            if (thread == null) {
                owner = null;
            }
        }
    }

    /** Runs the loop on the calling thread for {@code nanos} of clock time. */
    public void runFor(long nanos) {
        long end = clock.nanos() + nanos;
        runUntil(() -> clock.nanos() - end >= 0, nanos);
        if (clock instanceof VirtualClock vc) {
            // Idle with nothing armed: nothing happens in between, so time simply passes. And
            // what is due exactly at the end (a timer armed for `end`) still runs.
            vc.advanceTo(end);
            runPending();
        }
    }

    /** Runs the loop on the calling thread until nothing is left to do now (no waiting). */
    public void runPending() {
        Thread me = Thread.currentThread();
        if (owner != null && owner != me) {
            throw new IllegalStateException("loop is running on another thread");
        }
        owner = me;
        try {
            for (int i = 0; i < 10_000; i++) {
                runOnce(false);
                if (isIdle() && timers.nextDeadline() - clock.nanos() > 0) {
                    return;
                }
            }
        } finally {
            if (thread == null) {
                owner = null;
            }
        }
    }

    private boolean isIdle() {
        return tasks.isEmpty() && !woken && !framesSignalled && batchEnd.isEmpty();
    }

    void runOnce(boolean mayWait) {
        runOnce(mayWait, Long.MAX_VALUE);
    }

    /**
     * One iteration. Whatever escapes it is fatal by construction ({@link #fault} lets only
     * errors through, and anything else escaping is the loop's own failure, such as running out
     * of memory while describing a contained exception): the loop stops, then the error goes on
     * to the caller.
     */
    private void runOnce(boolean mayWait, long limit) {
        if (failure.cause() != null) {
            throw new LoopClosedException("event loop stopped by a fatal error", failure.cause());
        }
        try {
            iterate(mayWait, limit);
        } catch (Throwable t) {
            die(t);
            throw t;
        }
    }

    private void iterate(boolean mayWait, long limit) {
        iterations.inc();
        woken = false;
        framesSignalled = false;
        boolean more = false;
        boolean worked = false;
        // 1. receive
        for (Attachment a : polled.all()) {
            try {
                int n = a.pollable.poll(receiveBatch);
                if (n >= receiveBatch) {
                    more = true;
                    // More may be waiting: the loop is not idle (runUntil/runPending must go on).
                    framesSignalled = true;
                }
                worked |= n > 0;
            } catch (Throwable t) {
                fault("receive on ", a.pollable.name(), t);
            }
        }
        // 2. timers
        long now = clock.nanos();
        Timer t;
        while ((t = timers.pollDue(now)) != null) {
            worked = true;
            try {
                t.action.run();
            } catch (Throwable e) {
                fault("timer", null, e);
            }
        }
        // 3. tasks (only those present now, so a task that re-posts itself cannot starve I/O)
        int n = tasks.size();
        worked |= n > 0;
        for (int i = 0; i < n; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                break;
            }
            try {
                r.run();
            } catch (Throwable e) {
                fault("task", null, e);
            }
        }
        // 4. end of the batch
        worked |= !batchEnd.isEmpty();
        batchEnd.runAll(this);
        more |= !batchEnd.isEmpty();
        if (!mayWait || more || !tasks.isEmpty() || woken || framesSignalled || closed) {
            return;
        }
        if (worked && clock.isVirtual()) {
            // Let the caller look at the new state before virtual time jumps ahead.
            return;
        }
        // 5. the one wait point
        long deadline = Math.min(timers.nextDeadline(), limit);
        if (clock instanceof VirtualClock vc) {
            if (deadline != Long.MAX_VALUE) {
                vc.advanceTo(deadline);
            } else {
                parkUntilWoken(-1);
            }
            return;
        }
        long timeout = deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - clock.nanos());
        if (timeout == 0) {
            return;
        }
        parkUntilWoken(timeout);
    }

    private void parkUntilWoken(long timeoutNanos) {
        waiting = true;
        try {
            if (woken || !tasks.isEmpty()) {
                return;
            }
            if (polled.await(timeoutNanos)) {
                return;
            }
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        } finally {
            waiting = false;
        }
    }

    /** Runs {@code action}, containing what it throws as {@link #fault} does. */
    void runContained(Runnable action, String where) {
        try {
            action.run();
        } catch (Throwable e) {
            fault(where, null, e);
        }
    }

    /**
     * Which throwables the loop cannot survive: every {@link Error}. An {@link Exception}
     * (checked ones too, thrown sneakily) comes from a handler's own logic and leaves the loop's
     * state whole: it is contained.
     */
    public static boolean isFatal(Throwable t) {
        return t instanceof Error;
    }

    /**
     * A handler, timer, task or device threw {@code t} at {@code where} (+ the device's name):
     * contained and counted, or rethrown when fatal (runOnce then stops the loop).
     */
    private void fault(String where, String device, Throwable t) {
        if (isFatal(t)) {
            throw (Error) t;
        }
        errors.inc();
        try {
            LOG.log(Level.WARNING, "event loop: exception in " + where + (device == null ? "" : device) + " (contained)", t);
        } catch (Exception logging) {
            // a broken log handler must not turn a contained fault into a dead loop
        }
    }

    /**
     * Stops the loop after a fatal error, the same way every time (see the class comment); on the
     * thread that ran the iteration. Each step is guarded and none builds a message: after an
     * {@link OutOfMemoryError} any allocation may throw again. The first failure wins.
     */
    private void die(Throwable t) {
        if (!failure.record(t)) {
            return;
        }
        closed = true;
        errors.inc();
        fatal.inc();
        polled.closeAfterFatal();
        failure.report();
    }

    /**
     * Completes with the {@link Error} that stopped this loop (see the class comment), on the
     * loop's own thread once its devices are closed; never completes if the loop is closed
     * normally. Each call returns a new view: completing it does not affect the loop. Safe from
     * any thread, e.g. {@code Throwable why = loop.failure().join();}.
     */
    public CompletableFuture<Throwable> failure() {
        return failure.future();
    }

    /** The error that stopped this loop, or null while it has not failed. */
    public Throwable failureCause() {
        return failure.cause();
    }

    /**
     * Calls {@code listener} with the fatal error that stops this loop, on the loop's thread after
     * its devices are closed (keep it short, and do not allocate much: the error may be
     * {@link OutOfMemoryError}), or at once on this thread if the loop has failed already. With a
     * listener registered, the loop does not log the error itself. Safe from any thread.
     */
    public void onFailure(Consumer<Throwable> listener) {
        failure.addListener(listener);
    }

    /** Stops the loop thread (if started) and closes every attached device. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wakeup();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        polled.close();
    }

    public boolean isClosed() {
        return closed;
    }

    /** True while a thread started by {@link #start} runs the loop. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive() && !closed;
    }

    /** A pollable attached to this loop. */
    public final class Attachment implements PollContext {
        private final Pollable pollable;

        Attachment(Pollable pollable) {
            this.pollable = pollable;
        }

        public Pollable pollable() {
            return pollable;
        }

        @Override
        public EventLoop loop() {
            return EventLoop.this;
        }

        @Override
        public void ready() {
            if (inLoop()) {
                framesSignalled = true;
            } else {
                wakeup();
            }
        }

        @Override
        public void fault(String where, Throwable t) {
            EventLoop.this.fault(where, pollable.name(), t);
        }
    }
}
