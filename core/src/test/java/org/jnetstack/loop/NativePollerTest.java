package org.jnetstack.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The poller's eventfd wakeup and timeout, without any device descriptor (no root needed). */
class NativePollerTest {

    @Test
    void wakeupFromAnotherThreadEndsAnUnlimitedWait() throws Exception {
        try (FdWaiter poller = NativePoller.create()) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch returned = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                entered.countDown();
                poller.await(new int[0], 0, -1);
                returned.countDown();
            });
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            // Whether the wakeup lands before or inside ppoll, the eventfd stays readable until drained.
            poller.wakeup();
            assertThat(returned.await(10, TimeUnit.SECONDS)).as("await returned after wakeup").isTrue();
            waiter.join();
        }
    }

    @Test
    void wakeupIsRememberedUntilTheNextAwaitAndThenConsumed() {
        try (FdWaiter poller = NativePoller.create()) {
            poller.wakeup();
            poller.wakeup();
            poller.await(new int[0], 0, -1); // returns at once: the wakeups are pending
            long t0 = System.nanoTime();
            poller.await(new int[0], 0, TimeUnit.MILLISECONDS.toNanos(50));
            // Both wakeups were drained by the first await, so this one runs its full timeout.
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void timeoutIsHonouredWithSubMillisecondPrecisionAndNegativeFdsAreIgnored() {
        try (FdWaiter poller = NativePoller.create()) {
            long t0 = System.nanoTime();
            poller.await(new int[] {-1, -1}, 2, 1_500_000);
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(1_500_000);
            poller.await(new int[0], 0, 0); // zero timeout: returns immediately
        }
    }

    @Test
    void wakeupAfterCloseIsHarmless() {
        FdWaiter poller = NativePoller.create();
        poller.close();
        poller.close();
        poller.wakeup();
        poller.await(new int[0], 0, -1); // a closed poller never blocks
    }
}
