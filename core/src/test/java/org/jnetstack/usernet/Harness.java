package org.jnetstack.usernet;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;

/** A running gateway and a guest stack on one real-time loop, for the usernet tests. */
final class Harness implements AutoCloseable {
    final EventLoop loop = EventLoop.system();
    final UserNet net;
    final NetStack guest;

    Harness(UserNetConfig config) {
        this(config, l -> UserNet.create(l, config));
    }

    /** With a gateway made by {@code make} on this harness's loop (e.g. with a chosen DNS upstream). */
    Harness(UserNetConfig config, java.util.function.Function<EventLoop, UserNet> make) {
        net = make.apply(loop);
        guest = NetStack.builder(loop).name("guest").device(net.guestDevice())
                .address(config.guest(), config.prefixLength()).gateway(config.gateway()).seed(7).build();
        loop.start("usernet-test-loop");
    }

    Harness() {
        this(UserNetConfig.defaults());
    }

    Harness(List<ForwardRule> forwards) {
        this(UserNetConfig.defaults().withForwards(forwards));
    }

    /** Runs {@code task} on the loop thread and returns its result. */
    <T> T onLoop(Callable<T> task) throws Exception {
        return onLoop(loop, task);
    }

    /** Runs {@code task} on {@code loop}'s thread and returns its result (within 30 s). */
    static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    long counter(String name) throws Exception {
        return onLoop(() -> net.counters().get(name));
    }

    @Override
    public void close() {
        net.close();
        guest.close();
        loop.close();
    }
}
