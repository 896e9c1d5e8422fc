package org.jnetstack.bench;

import java.io.IOException;
import java.io.InputStream;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;

/**
 * The stack side of the end-to-end ping benchmark ({@code bench/ping-e2e.sh}): a stack on a TAP
 * interface that answers ARP and ping, on its own loop thread, until its standard input closes.
 * Prints {@code up <tap>} when the TAP exists, and the stack's ICMP counters when it stops.
 *
 * <pre>{@code java -cp ... org.jnetstack.bench.PingTarget jnsb0 10.77.0.2/24}</pre>
 */
public final class PingTarget {
    private PingTarget() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: PingTarget TAP-NAME ADDRESS/PREFIX   (e.g. jnsb0 10.77.0.2/24)");
            System.exit(2);
        }
        EventLoop loop = EventLoop.system();
        TapDevice tap = TapDevice.open(args[0]);
        NetStack stack = NetStack.builder(loop).name("ping-target").device(tap).address(args[1]).build();
        loop.start("ping-target-loop");
        System.out.println("up " + tap.name());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // run until the script closes our standard input
        }
        loop.close();
        var c = stack.counters();
        System.out.println("stack: icmp.rx.echo_requests=" + c.get("icmp.rx.echo_requests")
                + " icmp.tx.echo_replies=" + c.get("icmp.tx.echo_replies")
                + " icmp.tx.echo_replies_rate_limited=" + c.get("icmp.tx.echo_replies_rate_limited")
                + " loop.errors=" + loop.counters().get("loop.errors"));
    }
}
