package org.jnetstack.ip;

import java.util.ArrayDeque;
import java.util.Arrays;
import org.jnetstack.link.DeviceContext;
import org.jnetstack.link.DeviceStats;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.wire.MacAddress;

/** Test-only: two devices joined back to back, with an optional frame filter (drop = false). */
final class Pipe implements LinkDevice {
    interface Filter {
        boolean pass(byte[] frame);
    }

    private final String name;
    private final MacAddress mac;
    private Pipe peer;
    private DeviceContext ctx;
    private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
    private final DeviceStats stats = new DeviceStats("dev." + System.identityHashCode(this) + ".");
    Filter txFilter = f -> true;
    int sent;

    private Pipe(String name, long mac) {
        this.name = name;
        this.mac = new MacAddress(mac);
    }

    static Pipe[] pair() {
        Pipe a = new Pipe("a", 0x020000000001L);
        Pipe b = new Pipe("b", 0x020000000002L);
        a.peer = b;
        b.peer = a;
        return new Pipe[] {a, b};
    }

    @Override public String name() { return name; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return 1500; }
    @Override public void open(DeviceContext context) { ctx = context; }
    @Override public DeviceStats stats() { return stats; }
    @Override public void close() { }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        int n = 0;
        byte[] f;
        while (n < maxFrames && (f = inbox.poll()) != null) {
            handler.onFrame(f, 0, f.length);
            n++;
        }
        return n;
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        byte[] f = Arrays.copyOfRange(buf, off, off + len);
        sent++;
        if (!txFilter.pass(f)) {
            return true;
        }
        peer.inbox.add(f);
        if (peer.ctx != null) {
            peer.ctx.framesReady();
        }
        return true;
    }
}
