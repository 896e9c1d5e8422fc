package org.jnetstack.apps.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The charts' rings: bounded in samples and series, and read from a cursor. */
class HistoryTest {
    @SuppressWarnings("unchecked")
    private static List<Long> times(Map<String, Object> m) {
        return (List<Long>) m.get("times");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<Double>> series(Map<String, Object> m) {
        return (Map<String, List<Double>>) m.get("series");
    }

    @Test
    void keepsOnlyTheLastCapacitySamplesAndAnswersFromACursor() {
        History h = new History(300, 8);
        for (int i = 1; i <= 350; i++) {
            h.begin(i * 1000L);
            h.put("rate", i);
        }

        assertThat(h.latest()).isEqualTo(350);
        Map<String, Object> all = h.since(0);
        assertThat(times(all)).hasSize(300).startsWith(51_000L).endsWith(350_000L);
        assertThat(series(all).get("rate")).hasSize(300).startsWith(51.0).endsWith(350.0);
        Map<String, Object> tail = h.since(347);
        assertThat(times(tail)).containsExactly(348_000L, 349_000L, 350_000L);
        assertThat(series(tail).get("rate")).containsExactly(348.0, 349.0, 350.0);
        assertThat(times(h.since(350))).isEmpty();
        assertThat(series(h.since(350))).isEmpty();
        assertThat(h.since(350).get("latest")).isEqualTo(350L);
    }

    @Test
    void aSeriesThatStartsLateHasNoValuesBeforeAndOneMissingASampleHasAGap() {
        History h = new History(10, 8);
        h.begin(1);
        h.put("a", 1);
        h.begin(2);
        h.put("a", 2);
        h.put("b", 20);
        h.begin(3);
        h.put("b", 30);

        Map<String, List<Double>> s = series(h.since(0));
        assertThat(s.get("a")).containsExactly(1.0, 2.0, null);
        assertThat(s.get("b")).containsExactly(null, 20.0, 30.0);
        assertThat(series(h.since(2))).containsOnlyKeys("b");
    }

    @Test
    void seriesBeyondTheBoundAreRefusedAndCounted() {
        History h = new History(10, 2);
        h.begin(1);
        for (int i = 0; i < 100; i++) {
            h.put("attacker." + i, i);
        }

        assertThat(h.seriesCount()).isEqualTo(2);
        assertThat(h.refusedSeries()).isEqualTo(98);
        assertThat(series(h.since(0))).containsOnlyKeys("attacker.0", "attacker.1");
    }

    @Test
    void aRingReusedAfterWrappingDoesNotShowTheOldValueOfASeriesThatSkippedTheSample() {
        History h = new History(2, 4);
        h.begin(1);
        h.put("x", 1);
        h.begin(2);
        h.put("x", 2);
        h.begin(3); // reuses sample 1's slot; x has no value in it

        assertThat(series(h.since(0)).get("x")).containsExactly(2.0, null);
    }
}
