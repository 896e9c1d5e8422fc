package org.jnetstack.link;

import java.time.Duration;

/**
 * What a {@link FaultInjector} does to the frames of one direction. Probabilities are per frame,
 * 0 to 1. Build one with {@link #builder()}; {@link #NONE} passes everything untouched.
 *
 * @param loss probability that a frame is dropped
 * @param duplication probability that a frame is sent twice
 * @param reordering probability that a frame is held back by {@code reorderHoldNanos}, so that
 *     frames sent just after it overtake it (netem's model: reordering needs later traffic)
 * @param corruption probability that one random bit of a frame is flipped (beyond the Ethernet
 *     header, so the frame still reaches its addressee and its checksums must catch the damage)
 * @param delayNanos fixed delay added to every frame
 * @param jitterNanos each frame's delay varies uniformly within ±jitter (never below zero);
 *     like netem, jitter can reorder frames
 * @param rateBytesPerSecond token-bucket rate limit (0: unlimited); frames over the rate wait
 *     (shaping, like tbf), and are dropped only when {@code queueFrames} are already waiting
 * @param burstBytes token-bucket depth: how many bytes may pass at once after a quiet period
 * @param reorderHoldNanos how long a frame picked for reordering is held back
 * @param queueFrames most frames held (delayed, rate limited or reordered) at once; beyond it
 *     frames are dropped and counted
 */
public record FaultProfile(double loss, double duplication, double reordering, double corruption,
                           long delayNanos, long jitterNanos, long rateBytesPerSecond, long burstBytes,
                           long reorderHoldNanos, int queueFrames) {
    public static final long DEFAULT_REORDER_HOLD_NANOS = 1_000_000L;
    public static final int DEFAULT_QUEUE_FRAMES = 1000;
    /** Nothing injected. */
    public static final FaultProfile NONE = builder().build();

    public FaultProfile {
        checkProbability("loss", loss);
        checkProbability("duplication", duplication);
        checkProbability("reordering", reordering);
        checkProbability("corruption", corruption);
        checkNonNegative("delay", delayNanos);
        checkNonNegative("jitter", jitterNanos);
        checkNonNegative("rate", rateBytesPerSecond);
        checkNonNegative("burst", burstBytes);
        checkNonNegative("reorder hold", reorderHoldNanos);
        if (queueFrames < 1) {
            throw new IllegalArgumentException("fault queue must hold at least 1 frame: " + queueFrames);
        }
    }

    private static void checkProbability(String what, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " probability must be between 0 and 1: " + p);
        }
    }

    private static void checkNonNegative(String what, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + v);
        }
    }

    /** True when frames pass untouched and undelayed. */
    public boolean isNone() {
        return loss == 0 && duplication == 0 && reordering == 0 && corruption == 0 && delayNanos == 0
                && jitterNanos == 0 && rateBytesPerSecond == 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this profile. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.loss = loss;
        b.duplication = duplication;
        b.reordering = reordering;
        b.corruption = corruption;
        b.delayNanos = delayNanos;
        b.jitterNanos = jitterNanos;
        b.rateBytesPerSecond = rateBytesPerSecond;
        b.burstBytes = burstBytes;
        b.reorderHoldNanos = reorderHoldNanos;
        b.queueFrames = queueFrames;
        return b;
    }

    public static final class Builder {
        private double loss;
        private double duplication;
        private double reordering;
        private double corruption;
        private long delayNanos;
        private long jitterNanos;
        private long rateBytesPerSecond;
        private long burstBytes = -1;
        private long reorderHoldNanos = DEFAULT_REORDER_HOLD_NANOS;
        private int queueFrames = DEFAULT_QUEUE_FRAMES;

        private Builder() {
        }

        public Builder loss(double probability) {
            loss = probability;
            return this;
        }

        public Builder duplication(double probability) {
            duplication = probability;
            return this;
        }

        public Builder reordering(double probability) {
            reordering = probability;
            return this;
        }

        public Builder reordering(double probability, Duration hold) {
            reordering = probability;
            reorderHoldNanos = hold.toNanos();
            return this;
        }

        public Builder corruption(double probability) {
            corruption = probability;
            return this;
        }

        public Builder delay(Duration delay) {
            delayNanos = delay.toNanos();
            return this;
        }

        public Builder delay(Duration delay, Duration jitter) {
            delayNanos = delay.toNanos();
            jitterNanos = jitter.toNanos();
            return this;
        }

        /** Limits the rate; the burst defaults to 1/100 s of traffic, at least one 1518-byte frame. */
        public Builder rate(long bytesPerSecond) {
            rateBytesPerSecond = bytesPerSecond;
            return this;
        }

        public Builder rate(long bytesPerSecond, long burstBytes) {
            rateBytesPerSecond = bytesPerSecond;
            this.burstBytes = burstBytes;
            return this;
        }

        public Builder queueFrames(int frames) {
            queueFrames = frames;
            return this;
        }

        public FaultProfile build() {
            long burst = burstBytes >= 0 ? burstBytes : Math.max(1518, rateBytesPerSecond / 100);
            return new FaultProfile(loss, duplication, reordering, corruption, delayNanos, jitterNanos,
                    rateBytesPerSecond, burst, reorderHoldNanos, queueFrames);
        }
    }
}
