package org.jnetstack.loop;

/**
 * The event loop's tunables, each with its default and the reason for it.
 *
 * @param receiveBatch inputs (frames) taken from one pollable per iteration before the others get
 *                     a turn; see {@link #DEFAULT_RECEIVE_BATCH}
 */
public record LoopConfig(int receiveBatch) {
    /** The largest receive batch: one device's turn stays short enough for timers and the others. */
    public static final int MAX_RECEIVE_BATCH = 4096;

    /**
     * 64 frames: enough that the per-iteration work (timers, tasks, flushing output) is spread
     * over many frames, few enough that one busy device cannot hold the loop from the others, and
     * the ACKs and window updates batched over one turn go out promptly.
     */
    public static final int DEFAULT_RECEIVE_BATCH = 64;

    public LoopConfig {
        if (receiveBatch < 1 || receiveBatch > MAX_RECEIVE_BATCH) {
            throw new IllegalArgumentException("receiveBatch must be 1-" + MAX_RECEIVE_BATCH + ": " + receiveBatch);
        }
    }

    public static LoopConfig defaults() {
        return new LoopConfig(DEFAULT_RECEIVE_BATCH);
    }

    public LoopConfig withReceiveBatch(int frames) {
        return new LoopConfig(frames);
    }
}
