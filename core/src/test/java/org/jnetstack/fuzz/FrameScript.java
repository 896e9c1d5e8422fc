package org.jnetstack.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The fuzz input of {@link ReceivePathFuzzTest}: a few received frames with pauses between them.
 * A plain, documented byte layout (rather than {@link com.code_intelligence.jazzer.api.FuzzedDataProvider}'s
 * implementation-defined one) so the seed files are real frames that can be read and written by hand:
 * <pre>
 *   byte 0        options: bit 0 repair checksums, bit 1 aim the Ethernet destination at the stack,
 *                 bit 2 aim the IPv4 destination at the stack, bit 3 put 3 junk bytes before each
 *                 frame in its buffer
 *   then, repeated until the input ends:
 *     byte        pause after this frame, in units of 100 ms of virtual time (0-25.5 s)
 *     2 bytes     frame length, big-endian (cut short if the input ends first)
 *     n bytes     the Ethernet frame, without FCS
 * </pre>
 * Repairing checksums and aiming addresses let a mutated frame get past the checks that random
 * bytes would almost never pass, so the fuzzer reaches the layers above.
 */
record FrameScript(int options, List<Step> steps) {
    static final int REPAIR_CHECKSUMS = 1;
    static final int AIM_MAC = 2;
    static final int AIM_IP = 4;
    static final int JUNK_PREFIX = 8;
    static final long PAUSE_UNIT_NANOS = 100_000_000L;

    /** One received frame and the virtual time that passes after it. */
    record Step(byte[] frame, int pauseUnits) {
    }

    static FrameScript parse(byte[] data) {
        List<Step> steps = new ArrayList<>();
        if (data.length == 0) {
            return new FrameScript(0, steps);
        }
        int i = 1;
        while (i + 3 <= data.length) {
            int pause = data[i] & 0xFF;
            int n = ((data[i + 1] & 0xFF) << 8) | (data[i + 2] & 0xFF);
            i += 3;
            n = Math.min(n, data.length - i);
            byte[] frame = new byte[n];
            System.arraycopy(data, i, frame, 0, n);
            i += n;
            steps.add(new Step(frame, pause));
        }
        return new FrameScript(data[0] & 0xFF, steps);
    }

    boolean has(int option) {
        return (options & option) != 0;
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(options);
        for (Step s : steps) {
            out.write(s.pauseUnits());
            out.write(s.frame().length >>> 8);
            out.write(s.frame().length);
            out.writeBytes(s.frame());
        }
        return out.toByteArray();
    }
}
