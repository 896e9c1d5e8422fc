package org.jnetstack.link;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A frame handler that keeps a copy of every frame it is given (loop thread only). */
final class Recorder implements FrameHandler {
    final List<byte[]> frames = new ArrayList<>();

    @Override
    public void onFrame(byte[] buf, int off, int len) {
        frames.add(Arrays.copyOfRange(buf, off, off + len));
    }

    int count() {
        return frames.size();
    }

    /** The payload tag byte of each frame built by {@link TestFrames#ethernet}. */
    List<Integer> tags() {
        List<Integer> t = new ArrayList<>();
        for (byte[] f : frames) {
            t.add(f[14] & 0xFF);
        }
        return t;
    }

    void clear() {
        frames.clear();
    }
}
