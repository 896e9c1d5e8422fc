package org.jnetstack.apps.http;

import java.io.PrintWriter;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on standard error, redrawn at most every 100 ms. Shown only on a
 * terminal: redirected output gets no carriage-return litter.
 */
public final class ProgressBar implements LongConsumer {
    private final PrintWriter err;
    private final String label;
    private long total = -1;
    private long lastDraw;
    private long last;

    public ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    /** True when the process runs on a terminal (JDK 22+: {@code Console.isTerminal}). */
    public static boolean onTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    public void total(long bytes) {
        total = bytes;
    }

    @Override
    public void accept(long done) {
        last = done;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        draw(done);
    }

    private void draw(long done) {
        if (total > 0) {
            int width = 30;
            int filled = (int) Math.min(width, done * width / total);
            err.printf("\r%s [%s%s] %3d%% %s", label, "#".repeat(filled), " ".repeat(width - filled),
                    done * 100 / total, size(done));
        } else {
            err.printf("\r%s %s", label, size(done));
        }
        err.flush();
    }

    /** Draws the final state and ends the line. */
    public void finish() {
        draw(last);
        err.println();
        err.flush();
    }

    static String size(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        return String.format("%.1f MiB", b / (1024.0 * 1024));
    }
}
