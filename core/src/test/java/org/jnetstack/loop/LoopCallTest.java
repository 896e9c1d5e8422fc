package org.jnetstack.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LoopCallTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void runsTheTaskOnTheLoopThreadAndReturnsItsResult() throws Exception {
        try (EventLoop loop = EventLoop.system().start("call-test")) {
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            String r = loop.call(() -> {
                ranOn.set(Thread.currentThread());
                return "result";
            }, WAIT);
            assertThat(r).isEqualTo("result");
            assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
            assertThat(ranOn.get().getName()).isEqualTo("call-test");
        }
    }

    @Test
    void onTheLoopThreadTheTaskRunsInlineInsteadOfWaitingForItself() throws Exception {
        try (EventLoop loop = EventLoop.system().start("call-test")) {
            int r = loop.call(() -> loop.call(() -> 41, WAIT) + 1, WAIT);
            assertThat(r).isEqualTo(42);
        }
    }

    @Test
    void whatTheTaskThrowsReachesTheCallerAsItIsAndIsNoFaultOfTheLoop() throws Exception {
        try (EventLoop loop = EventLoop.system().start("call-test")) {
            IOException thrown = new IOException("from the task (expected by the test)");
            assertThatThrownBy(() -> loop.call(() -> {
                throw thrown;
            }, WAIT)).isSameAs(thrown);
            assertThatThrownBy(() -> loop.call(() -> {
                throw new IllegalArgumentException("bad (expected by the test)");
            }, WAIT)).isExactlyInstanceOf(IllegalArgumentException.class);
            assertThat(loop.counters().get("loop.errors")).isZero();
            assertThat(loop.call(() -> "still running", WAIT)).isEqualTo("still running");
        }
    }

    @Test
    void aClosedLoopRefusesWithLoopClosedException() {
        EventLoop loop = EventLoop.system().start("call-test");
        loop.close();
        assertThatThrownBy(() -> loop.call(() -> 1, WAIT))
                .isInstanceOf(LoopClosedException.class)
                .hasMessage("event loop is closed");
        assertThatThrownBy(() -> loop.execute(() -> { }))
                .isInstanceOf(LoopClosedException.class);
    }

    @Test
    void aCallerWaitingWhenTheLoopDiesHearsOfTheFatalErrorBeforeItsTimeout() throws Exception {
        EventLoop loop = EventLoop.system().start("call-test");
        loop.onFailure(t -> { });
        CountDownLatch waiting = new CountDownLatch(1);
        Error boom = new AssertionError("thrown by a task (expected by the test)");
        loop.execute(() -> {
            try {
                waiting.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw boom;
        });
        Thread killer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            waiting.countDown();
        });
        // The task is queued behind the one that kills the loop: it never runs.
        assertThatThrownBy(() -> loop.call(() -> "never", Duration.ofDays(1)))
                .isInstanceOf(LoopClosedException.class)
                .hasCause(boom)
                .hasMessageContaining("fatal error");
        killer.join();
    }

    @Test
    void aTaskThatDoesNotFinishInTimeIsATimeout() throws Exception {
        try (EventLoop loop = EventLoop.system().start("call-test")) {
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThatThrownBy(() -> loop.call(() -> 1, Duration.ofMillis(50)))
                    .isInstanceOf(TimeoutException.class);
            release.countDown();
            assertThat(loop.call(() -> 2, WAIT)).isEqualTo(2);
        }
    }
}
