package org.jnetstack.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jnetstack.link.DeviceAttachment;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.link.Loopback;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    @Test
    void virtualTimeJumpsStraightToEachDeadline() {
        EventLoop loop = EventLoop.virtual();
        List<Long> firedAt = new ArrayList<>();
        loop.schedule(TimeUnit.MINUTES.toNanos(2), () -> firedAt.add(loop.clock().nanos()));
        loop.schedule(TimeUnit.SECONDS.toNanos(1), () -> firedAt.add(loop.clock().nanos()));
        long wall0 = System.nanoTime();
        boolean done = loop.runUntil(() -> firedAt.size() == 2, TimeUnit.HOURS.toNanos(1));
        assertThat(done).isTrue();
        assertThat(firedAt).containsExactly(TimeUnit.SECONDS.toNanos(1), TimeUnit.MINUTES.toNanos(2));
        assertThat(loop.clock().nanos()).isEqualTo(TimeUnit.MINUTES.toNanos(2));
        // Two minutes of virtual time took far less than two minutes of real time.
        assertThat(System.nanoTime() - wall0).isLessThan(TimeUnit.MINUTES.toNanos(1));
    }

    @Test
    void runUntilReturnsFalseWhenNothingCanEverHappen() {
        EventLoop loop = EventLoop.virtual();
        assertThat(loop.runUntil(() -> false, TimeUnit.HOURS.toNanos(1))).isFalse();
        assertThat(loop.clock().nanos()).isZero();
    }

    @Test
    void runForAdvancesVirtualTimeExactly() {
        EventLoop loop = EventLoop.virtual();
        loop.runFor(5_000);
        assertThat(loop.clock().nanos()).isEqualTo(5_000);
    }

    @Test
    void equalDeadlineTimersFireInArmingOrder() {
        EventLoop loop = EventLoop.virtual();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            loop.schedule(1_000, () -> order.add(n));
        }
        loop.runFor(1_000);
        assertThat(order).hasSize(20).isSorted();
    }

    @Test
    void cancelledTimerNeverFiresAndReArmedTimerFiresOnceAtItsNewDeadline() {
        EventLoop loop = EventLoop.virtual();
        AtomicInteger cancelledRuns = new AtomicInteger();
        List<Long> reArmedRuns = new ArrayList<>();
        Timer cancelled = loop.schedule(100, cancelledRuns::incrementAndGet);
        Timer reArmed = loop.schedule(100, () -> reArmedRuns.add(loop.clock().nanos()));
        cancelled.cancel();
        reArmed.schedule(300);
        assertThat(reArmed.deadline()).isEqualTo(300);
        assertThat(loop.timerCount()).isEqualTo(1);
        loop.runFor(1_000);
        assertThat(cancelledRuns).hasValue(0);
        assertThat(reArmedRuns).containsExactly(300L);
        assertThat(reArmed.isScheduled()).isFalse();
    }

    @Test
    void timerMayReArmItselfFromItsOwnAction() {
        EventLoop loop = EventLoop.virtual();
        List<Long> ticks = new ArrayList<>();
        Timer[] t = new Timer[1];
        t[0] = loop.newTimer(() -> {
            ticks.add(loop.clock().nanos());
            if (ticks.size() < 3) {
                t[0].schedule(10);
            }
        });
        t[0].schedule(10);
        loop.runUntil(() -> false, 1_000);
        assertThat(ticks).containsExactly(10L, 20L, 30L);
    }

    @Test
    void exceptionsInTimersAndTasksAreContainedAndCounted() {
        EventLoop loop = EventLoop.virtual();
        List<String> ran = new ArrayList<>();
        loop.schedule(10, () -> {
            throw new IllegalStateException("boom in timer (expected by the test)");
        });
        loop.schedule(10, () -> ran.add("timer after the failing one"));
        loop.execute(() -> {
            throw new IllegalStateException("boom in task (expected by the test)");
        });
        loop.execute(() -> ran.add("task after the failing one"));
        loop.runFor(100);
        assertThat(ran).containsExactlyInAnyOrder("timer after the failing one", "task after the failing one");
        assertThat(loop.counters().get("loop.errors")).isEqualTo(2);
    }

    @Test
    void anErrorStopsAStartedLoopOnceAndEveryListenerHearsOfIt() throws Exception {
        EventLoop loop = EventLoop.system();
        AtomicInteger closes = new AtomicInteger();
        DeviceAttachment.attach(loop, new ForwardingDevice(new Loopback()) {
            @Override
            public void close() {
                closes.incrementAndGet();
                super.close();
            }
        }, (buf, off, len) -> { });
        List<Throwable> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        loop.onFailure(t -> {
            throw new IllegalStateException("a listener that throws (expected by the test)");
        });
        loop.onFailure(heard::add);
        java.util.concurrent.CompletableFuture<Throwable> failure = loop.failure();
        loop.start("failing-loop");
        Error boom = new AssertionError("thrown by a task (expected by the test)");
        List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        loop.execute(() -> {
            throw boom;
        });
        try {
            loop.execute(() -> ran.add("a task after the fatal one"));
        } catch (IllegalStateException alreadyClosed) {
            // the loop may have died already
        }
        assertThat(failure.get(10, TimeUnit.SECONDS)).isSameAs(boom);
        assertThat(heard).containsExactly(boom);
        assertThat(closes).hasValue(1);
        assertThat(ran).isEmpty();
        assertThat(loop.isClosed()).isTrue();
        assertThat(loop.isRunning()).isFalse();
        assertThat(loop.failureCause()).isSameAs(boom);
        assertThat(loop.counters().get("loop.fatal")).isEqualTo(1);
        failure.complete(null); // a view: completing it changes nothing for the others
        assertThat(loop.failure()).isCompletedWithValue(boom);
        loop.close(); // closing a failed loop is allowed and closes nothing twice
        assertThat(closes).hasValue(1);
    }

    @Test
    void anErrorInALoopDrivenOnTheCallersThreadStopsItAndReachesTheCaller() {
        EventLoop loop = EventLoop.virtual();
        Error boom = new OutOfMemoryError("thrown by a timer (expected by the test)");
        loop.schedule(10, () -> {
            throw boom;
        });
        assertThatThrownBy(() -> loop.runFor(100)).isSameAs(boom);
        assertThat(loop.isClosed()).isTrue();
        assertThat(loop.failure()).isCompletedWithValue(boom);
        assertThatThrownBy(() -> loop.runPending()).isInstanceOf(IllegalStateException.class).hasCause(boom);
        assertThat(EventLoop.isFatal(boom)).isTrue();
        assertThat(EventLoop.isFatal(new RuntimeException())).isFalse();
    }

    @Test
    void executeFromAnotherThreadWakesAStartedLoopParkedWithoutTimers() throws Exception {
        try (EventLoop loop = EventLoop.system().start("wake-test")) {
            CountDownLatch first = new CountDownLatch(1);
            loop.execute(first::countDown);
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
            // Let the loop settle into its unlimited park (no timers, no devices): the iteration that
            // ran the task may still be ending on a busy machine, so wait for the count to hold still
            // (a loop that spins never does, and fails below).
            long it = loop.counters().get("loop.iterations");
            for (int i = 0; i < 100; i++) {
                Thread.sleep(50);
                long now = loop.counters().get("loop.iterations");
                if (now == it) {
                    break;
                }
                it = now;
            }
            Thread.sleep(50);
            assertThat(loop.counters().get("loop.iterations")).isEqualTo(it);
            CountDownLatch second = new CountDownLatch(1);
            String[] thread = new String[1];
            loop.execute(() -> {
                thread[0] = Thread.currentThread().getName();
                assertThat(loop.inLoop()).isTrue();
                second.countDown();
            });
            assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(thread[0]).isEqualTo("wake-test");
        }
    }

    @Test
    void startedVirtualLoopAlsoWakesForTasks() throws Exception {
        try (EventLoop loop = EventLoop.virtual().start("virtual-wake")) {
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void closedLoopRefusesTasksAndOwnerChecksGuardMisuse() throws Exception {
        EventLoop loop = EventLoop.system().start("owner-test");
        assertThatThrownBy(() -> loop.runPending()).isInstanceOf(IllegalStateException.class);
        assertThat(loop.inLoop()).isFalse();
        loop.close();
        assertThat(loop.isClosed()).isTrue();
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void virtualClockNeverGoesBackwardsAndDerivesEpochMicros() {
        VirtualClock c = new VirtualClock();
        c.advanceTo(5_000);
        c.advanceTo(1_000);
        assertThat(c.nanos()).isEqualTo(5_000);
        assertThat(c.epochMicros()).isEqualTo(VirtualClock.DEFAULT_EPOCH_MICROS + 5);
        assertThatThrownBy(() -> c.advance(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.isVirtual()).isTrue();
        assertThat(SystemClock.INSTANCE.isVirtual()).isFalse();
    }

    @Test
    void batchEndTasksRunAfterTasksOncePerRequest() {
        EventLoop loop = EventLoop.virtual();
        List<String> log = new ArrayList<>();
        BatchEndTask flush = loop.newBatchEndTask(() -> log.add("flush"));
        loop.execute(() -> {
            log.add("task");
            flush.request();
            flush.request(); // already requested: runs once
        });
        loop.runPending();
        assertThat(log).containsExactly("task", "flush");
        assertThat(flush.isRequested()).isFalse();
        loop.runPending();
        assertThat(log).as("not requested again: not run again").containsExactly("task", "flush");
    }

    @Test
    void aBatchEndTaskRequestedWhileTheStepRunsRunsInTheSameStep() {
        EventLoop loop = EventLoop.virtual();
        List<String> log = new ArrayList<>();
        BatchEndTask device = loop.newBatchEndTask(() -> log.add("device"));
        BatchEndTask socket = loop.newBatchEndTask(() -> {
            log.add("socket");
            device.request(); // e.g. a socket's flush produces frames a device gathers
        });
        loop.execute(socket::request);
        loop.execute(() -> log.add("next task"));
        loop.runOnce(false);
        assertThat(log).containsExactly("next task", "socket", "device");
    }
}
