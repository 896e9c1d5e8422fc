package org.jnetstack.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
    private final EventLoop loop = EventLoop.virtual();

    private Timer timer(List<String> log, String name) {
        return loop.newTimer(() -> log.add(name));
    }

    @Test
    void pollsInDeadlineOrderAndOnlyWhenDue() {
        TimerQueue q = new TimerQueue();
        List<String> log = new ArrayList<>();
        Timer a = timer(log, "a");
        Timer b = timer(log, "b");
        Timer c = timer(log, "c");
        q.schedule(c, 30);
        q.schedule(a, 10);
        q.schedule(b, 20);
        assertThat(q.nextDeadline()).isEqualTo(10);
        assertThat(q.pollDue(9)).isNull();
        assertThat(q.pollDue(25)).isSameAs(a);
        assertThat(q.pollDue(25)).isSameAs(b);
        assertThat(q.pollDue(25)).isNull();
        assertThat(q.pollDue(30)).isSameAs(c);
        assertThat(q.size()).isZero();
        assertThat(q.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void equalDeadlinesFireInArmingOrderAndReArmingMovesToTheBack() {
        TimerQueue q = new TimerQueue();
        List<Timer> ts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Timer t = loop.newTimer(() -> { });
            ts.add(t);
            q.schedule(t, 100);
        }
        q.schedule(ts.get(3), 100); // re-armed: now the last of the equal ones
        List<Timer> order = new ArrayList<>();
        Timer t;
        while ((t = q.pollDue(100)) != null) {
            order.add(t);
        }
        List<Timer> expected = new ArrayList<>(ts);
        expected.remove(3);
        expected.add(ts.get(3));
        assertThat(order).containsExactlyElementsOf(expected);
    }

    @Test
    void cancelRemovesOnlyThatTimerAndIsIdempotent() {
        TimerQueue q = new TimerQueue();
        Timer a = loop.newTimer(() -> { });
        Timer b = loop.newTimer(() -> { });
        q.schedule(a, 5);
        q.schedule(b, 7);
        q.cancel(a);
        q.cancel(a);
        assertThat(a.isScheduled()).isFalse();
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.pollDue(100)).isSameAs(b);
    }

    @Test
    void deadlinesCompareAcrossLongOverflow() {
        // Clock values are compared by difference (like System.nanoTime), so wrap-around is fine.
        TimerQueue q = new TimerQueue();
        Timer late = loop.newTimer(() -> { });
        Timer early = loop.newTimer(() -> { });
        q.schedule(late, Long.MIN_VALUE + 5); // just past the wrap
        q.schedule(early, Long.MAX_VALUE - 5);
        assertThat(q.pollDue(Long.MAX_VALUE)).isSameAs(early);
        assertThat(q.pollDue(Long.MAX_VALUE)).isNull();
        assertThat(q.pollDue(Long.MIN_VALUE + 5)).isSameAs(late);
    }

    /** Random arm / re-arm / cancel / poll sequences agree with a simple sorted model. */
    @Property(tries = 300)
    void behavesLikeASortedListOfArmedTimers(@ForAll("ops") List<Tuple.Tuple3<Integer, Integer, Integer>> ops) {
        TimerQueue q = new TimerQueue();
        int n = 40;
        Timer[] timers = new Timer[n];
        for (int i = 0; i < n; i++) {
            timers[i] = loop.newTimer(() -> { });
        }
        Map<Timer, long[]> model = new HashMap<>(); // timer -> {deadline, sequence}
        long seq = 0;
        long now = 0;
        for (Tuple.Tuple3<Integer, Integer, Integer> op : ops) {
            Timer t = timers[op.get2() % n];
            switch (op.get1()) {
                case 0, 1 -> {
                    long d = now + op.get3();
                    q.schedule(t, d);
                    model.put(t, new long[] {d, seq++});
                }
                case 2 -> {
                    q.cancel(t);
                    model.remove(t);
                }
                default -> {
                    now += op.get3();
                    Timer got;
                    while ((got = q.pollDue(now)) != null) {
                        Timer want = model.entrySet().stream()
                                .min(Comparator.<Map.Entry<Timer, long[]>>comparingLong(e -> e.getValue()[0])
                                        .thenComparingLong(e -> e.getValue()[1]))
                                .orElseThrow().getKey();
                        assertThat(got).isSameAs(want);
                        assertThat(model.get(got)[0]).isLessThanOrEqualTo(now);
                        model.remove(got);
                    }
                    long at = now;
                    assertThat(model.values()).allSatisfy(v -> assertThat(v[0]).isGreaterThan(at));
                }
            }
            assertThat(q.size()).isEqualTo(model.size());
            for (Timer x : timers) {
                assertThat(x.isScheduled()).isEqualTo(model.containsKey(x));
            }
        }
    }

    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, Integer>>> ops() {
        return Arbitraries.integers().between(0, 3)
                .flatMap(kind -> Arbitraries.integers().between(0, 39)
                        .flatMap(idx -> Arbitraries.integers().between(0, 20).map(v -> Tuple.of(kind, idx, v))))
                .list().ofMaxSize(200);
    }
}
