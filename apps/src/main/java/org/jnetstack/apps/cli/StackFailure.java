package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jnetstack.loop.EventLoop;

/**
 * What every command does when the stack's event loop fails (an {@link Error} escaped a handler,
 * see {@code EventLoop.failure()}): it ends promptly with one line on standard error,
 * {@value #FAILED}<i>error</i>, and exit status 1, whatever it was waiting for.
 *
 * <p>A command's work runs on a thread of its own ({@link #run}) while the command's thread waits
 * for either that work or the failure; a command that fails while it is still starting (waiting
 * for a DHCP lease) throws {@link Failed}, which {@link Main} reports the same way.
 */
final class StackFailure {
    /** The one line a command prints when the stack fails (built before it is needed). */
    static final String FAILED = "jns: stopped: the network stack failed: ";

    private StackFailure() {
    }

    /** The stack failed: carries its fatal error to {@link Main}, which prints the one line. */
    static final class Failed extends RuntimeException {
        private final transient Throwable fatal;

        Failed(Throwable fatal) {
            super(FAILED + fatal, null, false, false);
            this.fatal = fatal;
        }

        Throwable fatal() {
            return fatal;
        }
    }

    /**
     * Runs {@code work} on a daemon thread and returns its result, or throws {@link Failed} as soon
     * as {@code failure} completes first (the work's thread is then abandoned: it may be blocked on
     * the dead loop, and the process is about to exit). An exception of the work is rethrown.
     */
    static int run(EventLoop loop, Callable<Integer> work) throws Exception {
        CompletableFuture<Throwable> failure = loop.failure();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().daemon().name("jns-command").start(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            CompletableFuture.anyOf(result, failure).get();
        } catch (ExecutionException e) {
            // the work threw: rethrown below
        } catch (InterruptedException e) {
            worker.interrupt();
            throw e;
        }
        if (failure.isDone()) {
            throw new Failed(failure.join());
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (!loop.isRunning() && failedWithin(failure, FAILURE_SETTLES)) {
                throw new Failed(failure.join()); // the work ended because the stack did
            }
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw (Error) e.getCause();
        }
    }

    /**
     * How long a command whose work threw waits to learn whether the stack failed: the loop
     * refuses work as soon as it fails and completes its failure after closing its devices.
     */
    private static final Duration FAILURE_SETTLES = Duration.ofSeconds(1);

    private static boolean failedWithin(CompletableFuture<Throwable> failure, Duration wait) throws InterruptedException {
        try {
            failure.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** One line on standard error naming the error (its stack trace too with JNS_DEBUG set). Never throws. */
    static void report(Throwable fatal, PrintWriter err) {
        try {
            err.println(FAILED + fatal);
            if (System.getenv("JNS_DEBUG") != null) {
                fatal.printStackTrace(err);
            }
        } catch (Throwable t) {
            err.println("jns: stopped: the network stack failed"); // out of memory again: a constant
        }
        err.flush();
    }

    /**
     * Runs {@code stop} on a thread of its own and waits for it at most {@code grace}; says so
     * when it did not finish. Never throws.
     */
    static void stopWithin(Duration grace, Runnable stop, PrintWriter err) {
        try {
            Thread stopper = Thread.ofPlatform().daemon().name("jns-stop").start(() -> {
                try {
                    stop.run();
                } catch (RuntimeException e) {
                    err.println("jns: while stopping: " + e);
                    err.flush();
                }
            });
            if (!stopper.join(grace)) {
                err.println("jns: stopping took longer than " + grace.toSeconds() + " s; exiting anyway");
                err.flush();
            }
        } catch (Throwable t) {
            // exiting is all that is left
        }
    }
}
