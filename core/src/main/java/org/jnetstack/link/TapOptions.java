package org.jnetstack.link;

/**
 * How a {@link TapDevice} is opened. Every option, its default and why:
 *
 * <ul>
 *   <li>{@code offloads} (default off): ask the kernel for {@code IFF_VNET_HDR} with checksum and
 *   TCP segmentation offload (see {@link TapDevice}); refused offloads fall back to plain frames.</li>
 *   <li>{@code transmitRingBytes} (default 0: off): when non-zero, frames are written by a
 *   transmit thread of the device's own from a ring of this many bytes (a power of two, at least
 *   {@link #MIN_TRANSMIT_RING_BYTES}): the loop copies each frame into the ring and returns, and
 *   the kernel's receive work that each {@code write(2)} does runs on that thread, in parallel
 *   with the loop. Worth it only with a spare core; a frame that finds the ring full is dropped
 *   and counted ({@code tx.dropped.ring_full}), like a full NIC queue. Off by default: it costs
 *   a thread and a copy per frame, and gains only where the writes, not the protocol, are the
 *   bottleneck (plain frames, no offloads; bench/tcp-e2e.sh measures both). Ignored when the kernel grants
 *   segmentation offload: each write then carries up to 64 KiB, and copying that into the ring
 *   measured slower than writing it from the loop.</li>
 *   <li>{@code transmitSpinNanos} (default {@value #DEFAULT_TRANSMIT_SPIN_NANOS} ns): how long the
 *   transmit thread polls an empty ring before it parks; a parked thread costs the loop one
 *   {@code unpark} (a futex call) to wake.</li>
 * </ul>
 *
 * <p>The system property {@code jnetstack.tap.transmitRing} (bytes, or {@code true} for
 * {@link #DEFAULT_TRANSMIT_RING_BYTES}) switches the transmit thread on in {@link #defaults()},
 * so an application that opens its TAP with defaults can try it without a code change.
 */
public record TapOptions(boolean offloads, int transmitRingBytes, long transmitSpinNanos) {
    /** 1 MiB: ~690 frames of 1,514 bytes, four times the default TCP send buffer. */
    public static final int DEFAULT_TRANSMIT_RING_BYTES = 1 << 20;
    /** Two of the largest frames a TAP takes (64 KiB + headers), rounded up to a power of two. */
    public static final int MIN_TRANSMIT_RING_BYTES = FrameRing.minimumCapacity(TapDevice.BUFFER_SIZE + VirtioNetHeader.LENGTH);
    public static final long DEFAULT_TRANSMIT_SPIN_NANOS = 20_000;
    public static final String TRANSMIT_RING_PROPERTY = "jnetstack.tap.transmitRing";

    public TapOptions {
        if (transmitRingBytes != 0 && (Integer.bitCount(transmitRingBytes) != 1 || transmitRingBytes < MIN_TRANSMIT_RING_BYTES)) {
            throw new IllegalArgumentException("transmit ring must be 0 (no transmit thread) or a power of two of at least "
                    + MIN_TRANSMIT_RING_BYTES + " bytes: " + transmitRingBytes);
        }
        if (transmitSpinNanos < 0) {
            throw new IllegalArgumentException("transmit spin must be >= 0 ns: " + transmitSpinNanos);
        }
    }

    /** No offloads; the transmit thread as the {@value #TRANSMIT_RING_PROPERTY} property says (off when unset). */
    public static TapOptions defaults() {
        return new TapOptions(false, transmitRingFromProperty(System.getProperty(TRANSMIT_RING_PROPERTY)),
                DEFAULT_TRANSMIT_SPIN_NANOS);
    }

    static int transmitRingFromProperty(String value) {
        if (value == null || value.isBlank() || value.equals("false")) {
            return 0;
        }
        if (value.equals("true")) {
            return DEFAULT_TRANSMIT_RING_BYTES;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(TRANSMIT_RING_PROPERTY + " must be true, false or a number of bytes: " + value);
        }
    }

    public TapOptions withOffloads(boolean on) {
        return new TapOptions(on, transmitRingBytes, transmitSpinNanos);
    }

    /** A transmit thread with a ring of {@code ringBytes} bytes; 0 writes on the loop thread. */
    public TapOptions withTransmitRing(int ringBytes) {
        return new TapOptions(offloads, ringBytes, transmitSpinNanos);
    }

    /** A transmit thread with the default ring ({@code true}), or none. */
    public TapOptions withTransmitThread(boolean on) {
        return withTransmitRing(on ? DEFAULT_TRANSMIT_RING_BYTES : 0);
    }

    public TapOptions withTransmitSpinNanos(long nanos) {
        return new TapOptions(offloads, transmitRingBytes, nanos);
    }

    public boolean transmitThread() {
        return transmitRingBytes != 0;
    }
}
