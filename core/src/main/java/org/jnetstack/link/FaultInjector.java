package org.jnetstack.link;

import java.util.Objects;
import java.util.SplittableRandom;
import org.jnetstack.loop.Clock;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * Middleware that damages traffic on purpose, like Linux netem, for testing how the stack copes:
 * loss, duplication, reordering, delay with jitter, bit corruption and a rate limit, configured
 * separately for received ({@code rx}) and sent ({@code tx}) frames.
 *
 * <pre>{@code
 * LinkDevice lossy = FaultInjector.builder()
 *         .seed(7)
 *         .rx(FaultProfile.builder().loss(0.05).delay(Duration.ofMillis(20), Duration.ofMillis(5)).build())
 *         .tx(FaultProfile.builder().rate(125_000).build())      // 1 Mbit/s
 *         .wrap(sw.newPort("a"));
 * }</pre>
 *
 * <p>Every decision comes from a {@link SplittableRandom} seeded by {@link Builder#seed}, one
 * stream per direction, so the same seed and the same traffic give the same faults on every
 * run. Delays use the loop's clock and timers, so on a {@code VirtualClock} a 200 ms delay costs
 * no real time. Held frames are copied into pooled buffers (no allocation per frame once warm).
 *
 * <p>Per frame, in order: loss; duplication (each copy then goes on independently); corruption;
 * rate limit; delay and jitter; reordering hold. Counters, in the wrapped device's set:
 * {@code fault.rx.lost}, {@code .duplicated}, {@code .corrupted}, {@code .reordered},
 * {@code .delayed}, {@code .rate_limited}, {@code .dropped.queue_full} (and the same for tx).
 * A frame lost on purpose still counts as sent ({@link #send} returns true: the wire lost it); a
 * frame refused because the hold queue is full returns false.
 */
public final class FaultInjector extends ForwardingDevice {
    private final Direction rx;
    private final Direction tx;
    private Clock clock;
    /** What the wrapped device said to the last frame passed down (send() reports it). */
    private boolean lastSendAccepted;
    private final FrameHandler toWire = (b, o, l) -> lastSendAccepted = inner.send(b, o, l);

    private FaultInjector(LinkDevice inner, long seed, FaultProfile rxProfile, FaultProfile txProfile) {
        super(inner);
        SplittableRandom root = new SplittableRandom(seed);
        Counters c = inner.stats().counters();
        rx = new Direction("fault.rx.", rxProfile, root.split(), c);
        tx = new Direction("fault.tx.", txProfile, root.split(), c);
    }

    public static Builder builder() {
        return new Builder();
    }

    public FaultProfile rxProfile() {
        return rx.profile;
    }

    public FaultProfile txProfile() {
        return tx.profile;
    }

    /** Frames currently held back (delayed, rate limited or reordered) in both directions. */
    public int heldFrames() {
        return rx.line.size() + tx.line.size();
    }

    @Override
    protected void opened(DeviceContext context) {
        if (!rx.profile.isNone() && inner.offloads().rxChecksum()) {
            // Received frames may carry partial checksums that only the device's flag makes
            // acceptable; delayed, duplicated or corrupted copies would lose that flag.
            throw new IllegalStateException("a FaultInjector on received frames needs a device without offloads: "
                    + "open the TAP with offloads off (TapDevice.open(name, mac, mtu, false), jns --no-offload)");
        }
        clock = context.loop().clock();
        // A received frame whose time has come is handed up in the next receive() call.
        rx.timer = context.loop().newTimer(context::framesReady);
        tx.timer = context.loop().newTimer(this::sendDue);
    }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        if (rx.profile.isNone()) {
            return inner.receive(handler, maxFrames);
        }
        // Held frames first: they arrived before anything still waiting in the device.
        int n = rx.drainDue(clock.nanos(), handler, maxFrames);
        if (n < maxFrames) {
            n += super.receive(handler, maxFrames - n);
        }
        rx.rearm();
        return n;
    }

    @Override
    protected void received(byte[] buf, int off, int len, FrameHandler up) {
        rx.process(buf, off, len, up, clock.nanos());
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        if (tx.profile.isNone()) {
            return inner.send(buf, off, len);
        }
        requireContext();
        Objects.checkFromIndexSize(off, len, buf.length);
        lastSendAccepted = true;
        boolean kept = tx.process(buf, off, len, toWire, clock.nanos());
        tx.rearm();
        return kept && lastSendAccepted;
    }

    private void sendDue() {
        tx.drainDue(clock.nanos(), toWire, Integer.MAX_VALUE);
        tx.rearm();
    }

    /** The faults of one direction: its profile, random stream, hold queue, timer and counters. */
    private static final class Direction {
        final FaultProfile profile;
        final SplittableRandom random;
        final DelayLine line;
        Timer timer;
        final Counter lost;
        final Counter duplicated;
        final Counter corrupted;
        final Counter reordered;
        final Counter delayed;
        final Counter rateLimited;
        final Counter queueFull;
        private byte[] scratch = new byte[0];
        private double tokens;
        private long tokensAt;
        private boolean tokensStarted;

        Direction(String prefix, FaultProfile profile, SplittableRandom random, Counters c) {
            this.profile = Objects.requireNonNull(profile, "profile");
            this.random = random;
            this.line = new DelayLine(profile.queueFrames());
            lost = c.counter(prefix + "lost");
            duplicated = c.counter(prefix + "duplicated");
            corrupted = c.counter(prefix + "corrupted");
            reordered = c.counter(prefix + "reordered");
            delayed = c.counter(prefix + "delayed");
            rateLimited = c.counter(prefix + "rate_limited");
            queueFull = c.counter(prefix + "dropped.queue_full");
        }

        private boolean chance(double p) {
            // No draw for a fault that is off, so enabling one fault does not shift another's pattern.
            return p > 0 && random.nextDouble() < p;
        }

        /** Applies the faults to one frame; false if a copy was refused because the queue is full. */
        boolean process(byte[] buf, int off, int len, FrameHandler out, long now) {
            if (chance(profile.loss())) {
                lost.inc();
                return true;
            }
            if (chance(profile.duplication())) {
                duplicated.inc();
                boolean first = onward(buf, off, len, out, now);
                return onward(buf, off, len, out, now) && first;
            }
            return onward(buf, off, len, out, now);
        }

        private boolean onward(byte[] buf, int off, int len, FrameHandler out, long now) {
            byte[] b = buf;
            int o = off;
            if (chance(profile.corruption())) {
                b = corruptCopy(buf, off, len);
                o = 0;
                corrupted.inc();
            }
            long at = now;
            boolean rateWait = false;
            double tokensAfter = 0;
            if (profile.rateBytesPerSecond() > 0) {
                double t = refill(now);
                tokensAfter = t - len;
                if (t < len) {
                    // Shaping: the frame leaves when the bucket has refilled its deficit.
                    at += (long) Math.ceil((len - t) * 1e9 / profile.rateBytesPerSecond());
                    rateWait = true;
                }
            }
            boolean delayedNow = false;
            if (profile.delayNanos() > 0 || profile.jitterNanos() > 0) {
                long d = profile.delayNanos();
                if (profile.jitterNanos() > 0) {
                    d += random.nextLong(-profile.jitterNanos(), profile.jitterNanos() + 1);
                }
                if (d > 0) {
                    at += d;
                    delayedNow = true;
                }
            }
            boolean reorder = chance(profile.reordering());
            if (reorder) {
                at += Math.max(1, profile.reorderHoldNanos());
            }
            if (at - now <= 0) {
                commitTokens(tokensAfter);
                out.onFrame(b, o, len);
                return true;
            }
            if (!line.add(b, o, len, at)) {
                queueFull.inc();
                return false;
            }
            commitTokens(tokensAfter);
            if (rateWait) {
                rateLimited.inc();
            }
            if (delayedNow) {
                delayed.inc();
            }
            if (reorder) {
                reordered.inc();
            }
            return true;
        }

        private double refill(long now) {
            if (!tokensStarted) {
                tokensStarted = true;
                tokens = profile.burstBytes();
                tokensAt = now;
            }
            long elapsed = now - tokensAt;
            tokensAt = now;
            tokens = Math.min(profile.burstBytes(), tokens + elapsed * (profile.rateBytesPerSecond() / 1e9));
            return tokens;
        }

        private void commitTokens(double after) {
            if (profile.rateBytesPerSecond() > 0) {
                tokens = after;
            }
        }

        private byte[] corruptCopy(byte[] buf, int off, int len) {
            if (scratch.length < len) {
                scratch = new byte[Math.max(len, 1518)];
            }
            System.arraycopy(buf, off, scratch, 0, len);
            // Beyond the Ethernet header when there is anything beyond it (see FaultProfile).
            int from = len > QueuedDevice.ETHERNET_HEADER ? QueuedDevice.ETHERNET_HEADER : 0;
            int bit = random.nextInt((len - from) * 8);
            scratch[from + (bit >>> 3)] ^= (byte) (1 << (bit & 7));
            return scratch;
        }

        /** Hands every held frame due at {@code now} (up to {@code max}) to {@code out}. */
        int drainDue(long now, FrameHandler out, int max) {
            int n = 0;
            int slot;
            while (n < max && (slot = line.pollDue(now)) >= 0) {
                try {
                    out.onFrame(line.buffer(slot), 0, line.length(slot));
                } finally {
                    line.release(slot);
                }
                n++;
            }
            return n;
        }

        void rearm() {
            if (timer == null) {
                return;
            }
            long next = line.nextRelease();
            if (next == Long.MAX_VALUE) {
                timer.cancel();
            } else if (!timer.isScheduled() || timer.deadline() != next) {
                timer.scheduleAt(next);
            }
        }
    }

    /** Configures a {@link FaultInjector}; rx and tx default to {@link FaultProfile#NONE}. */
    public static final class Builder {
        private long seed;
        private FaultProfile rx = FaultProfile.NONE;
        private FaultProfile tx = FaultProfile.NONE;

        private Builder() {
        }

        /** The seed of every random decision (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Faults for frames received from the wrapped device. */
        public Builder rx(FaultProfile profile) {
            rx = Objects.requireNonNull(profile, "rx profile");
            return this;
        }

        /** Faults for frames sent to the wrapped device. */
        public Builder tx(FaultProfile profile) {
            tx = Objects.requireNonNull(profile, "tx profile");
            return this;
        }

        /** The same faults in both directions (each with its own random stream). */
        public Builder both(FaultProfile profile) {
            return rx(profile).tx(profile);
        }

        public FaultInjector wrap(LinkDevice device) {
            return new FaultInjector(device, seed, rx, tx);
        }
    }
}
