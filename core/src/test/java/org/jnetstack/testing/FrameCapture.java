package org.jnetstack.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.wire.Bytes;

/** Middleware that keeps a copy of every frame the stack sends (tests). */
public final class FrameCapture extends ForwardingDevice {
    public final List<byte[]> sent = new ArrayList<>();

    public FrameCapture(LinkDevice inner) {
        super(inner);
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        sent.add(Arrays.copyOfRange(buf, off, off + len));
        return super.send(buf, off, len);
    }

    /** Frames sent that carry IPv4 with protocol {@code protocol} (17 UDP, 6 TCP). */
    public List<byte[]> ipv4(int protocol) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : sent) {
            if (f.length >= 34 && Bytes.u16(f, 12) == 0x0800 && (f[23] & 0xFF) == protocol) {
                out.add(f);
            }
        }
        return out;
    }

    /** The IPv4 identification of a frame. */
    public static int ipId(byte[] f) {
        return Bytes.u16(f, 18);
    }

    /** The IPv4 destination of a frame. */
    public static int ipDestination(byte[] f) {
        return Bytes.i32(f, 30);
    }

    /** The transport header's offset in a frame. */
    public static int transport(byte[] f) {
        return 14 + (f[14] & 0x0F) * 4;
    }
}
