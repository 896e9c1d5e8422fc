package org.jnetstack.apps.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lets a command finish its own way on SIGINT/SIGTERM, as ping(8) does on Ctrl-C: stop, print
 * the statistics, exit with the status the command chose (not the JVM's 130).
 *
 * <p>A shutdown hook asks the command to stop, waits until the command reports its status
 * through {@link #finish(int)}, then halts the JVM with that status ({@code System.exit} cannot
 * be called while hooks run). When no signal comes, {@link #finish(int)} just removes the hook.
 */
final class Interruption {
    /** How long the hook waits for the command to wind down before exiting anyway. */
    private static final long WIND_DOWN_SECONDS = 10;
    private static final int INTERRUPTED_STATUS = 130;

    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final Thread hook;

    private Interruption(Runnable stop) {
        hook = new Thread(() -> {
            int s = INTERRUPTED_STATUS;
            try {
                stop.run();
                s = status.get(WIND_DOWN_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // the command did not finish in time: leave with the conventional status
            }
            Runtime.getRuntime().halt(s);
        }, "jns-interrupt");
    }

    /** From now until {@link #finish}, a signal calls {@code stop} (from the hook thread). */
    static Interruption install(Runnable stop) {
        Interruption i = new Interruption(stop);
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    /** The command is done with exit status {@code exitStatus}; call once its output is flushed. */
    void finish(int exitStatus) {
        status.complete(exitStatus);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and now halts with exitStatus
        }
    }
}
