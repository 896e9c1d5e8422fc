package org.jnetstack.interop;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.testing.Netns;
import org.jnetstack.wire.Ipv4Address;

/**
 * A stack embedded in the test JVM on a TAP that is moved into a {@link Netns}: {@code wrap}
 * puts middleware (a fault injector) between the TAP and the stack. Closing stops the loop and
 * the stack; the namespace (closed by the test) takes the TAP with it.
 */
final class EmbeddedTcp implements AutoCloseable {
    final EventLoop loop = EventLoop.system();
    final NetStack stack;
    final LinkDevice device;

    EmbeddedTcp(Netns ns, String stackAddress, String kernelAddress, TcpConfig config,
            java.util.function.UnaryOperator<LinkDevice> wrap) throws IOException {
        this(ns, stackAddress, kernelAddress, StackConfig.defaults(), config, wrap);
    }

    /** Like the other constructor, with the stack's own {@code stackConfig} (e.g. a static IPv6 address). */
    EmbeddedTcp(Netns ns, String stackAddress, String kernelAddress, StackConfig stackConfig, TcpConfig config,
            java.util.function.UnaryOperator<LinkDevice> wrap) throws IOException {
        String tapName = Netns.uniqueTapName();
        TapDevice tap = TapDevice.open(tapName);
        device = wrap.apply(tap);
        stack = NetStack.builder(loop).device(device).address(Ipv4Address.parse(stackAddress), 24).name("embedded")
                .config(stackConfig).tcpConfig(config).build();
        ns.adoptTap(tapName, kernelAddress + "/24");
        this.tapName = tapName;
    }

    final String tapName;

    /** Runs {@code r} now, on this thread: before {@link #start()} the stack belongs to it. */
    void onLoopBeforeStart(Runnable r) {
        if (loop.isRunning()) {
            throw new IllegalStateException("the loop is running: use onLoop");
        }
        r.run();
    }

    EmbeddedTcp start() {
        loop.start("interop-loop");
        return this;
    }

    /** Runs {@code s} on the loop thread and returns its result. */
    <T> T onLoop(Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(s.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    long counter(String name) {
        return stack.counters().get(name);
    }

    @Override
    public void close() {
        loop.close();
        stack.close();
        device.close();
    }
}
