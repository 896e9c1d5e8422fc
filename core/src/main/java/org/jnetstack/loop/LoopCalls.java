package org.jnetstack.loop;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The waiting half of {@link EventLoop#call} for a caller on another thread. */
final class LoopCalls {
    /** How often a waiting caller looks whether the loop has stopped (a stopped loop runs nothing). */
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private LoopCalls() {
    }

    static <T, X extends Exception> T await(EventLoop loop, EventLoop.Task<T, X> task, Duration timeout)
            throws X, TimeoutException, InterruptedException {
        long timeoutNanos = nanos(timeout);
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        long start = System.nanoTime();
        while (true) {
            long left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                throw new TimeoutException("the event loop did not run the task within " + timeout);
            }
            try {
                return result.get(Math.min(left, CHECK_NANOS), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (loop.isClosed() && !result.isDone()) {
                    throw LoopClosedException.of(loop.failureCause());
                }
            } catch (ExecutionException e) {
                throw LoopCalls.<X>sneaky(e.getCause());
            }
        }
    }

    private static long nanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** Throws what the task threw, as it was: an {@code X}, an unchecked exception or an error. */
    @SuppressWarnings("unchecked")
    private static <X extends Throwable> X sneaky(Throwable t) throws X {
        throw (X) t;
    }
}
