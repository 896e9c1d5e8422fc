package org.jnetstack.socket;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;

/**
 * For Happy Eyeballs tests on the virtual switch: dual-stack hosts (10.0.0.N/24 and fd00::N/64,
 * usable at once), and the outcome of a race with the virtual time it came at.
 */
public final class HappyEyeballsProbe implements HappyEyeballs.Outcome {
    public final List<TcpConnection> won = new ArrayList<>();
    public final List<IOException> failed = new ArrayList<>();
    public long wonAt;
    private final EventLoop loop;

    public HappyEyeballsProbe(EventLoop loop) {
        this.loop = loop;
    }

    /** Host {@code n} on {@code lan}: 10.0.0.n/24 and fd00::n/64 (no duplicate address detection). */
    public static NetStack host(EventLoop loop, VirtualSwitch lan, String name, int n) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address("fd00::" + n + "/64").dadTransmits(0).build();
        return NetStack.builder(loop).name(name).device(lan.newPort(name)).address("10.0.0." + n + "/24").config(cfg).seed(n).build();
    }

    public boolean ended() {
        return !won.isEmpty() || !failed.isEmpty();
    }

    @Override
    public void connected(TcpConnection winner) {
        won.add(winner);
        wonAt = loop.clock().nanos();
    }

    @Override
    public void failed(IOException error) {
        failed.add(error);
    }
}
