package org.jnetstack.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.jnetstack.loop.VirtualClock;
import org.jnetstack.stats.Counters;
import org.junit.jupiter.api.Test;

/** The path MTU estimates: lowered only, held to a floor, aged back after 10 minutes, bounded. */
class PathMtuCacheTest {
    static final long MINUTE = 60_000_000_000L;
    final VirtualClock clock = new VirtualClock();
    final Counters counters = new Counters();
    final PathMtuCache cache = new PathMtuCache(clock, counters, "t", 576);

    @Test
    void aReportLowersNeverRaisesAndIsHeldToTheFloor() {
        assertThat(cache.mtu(0, 7, 1500)).isEqualTo(1500);
        assertThat(cache.lower(0, 7, 1400, 1500)).isEqualTo(1400);
        assertThat(cache.lower(0, 7, 1450, 1500)).as("a report never raises").isEqualTo(1400);
        assertThat(cache.lower(0, 7, 100, 1500)).as("held to the floor").isEqualTo(576);
        assertThat(cache.mtu(0, 7, 1500)).isEqualTo(576);
        assertThat(cache.mtu(0, 7, 500)).as("never above the link's").isEqualTo(500);
        assertThat(cache.mtu(0, 8, 1500)).as("other destinations keep theirs").isEqualTo(1500);
        assertThat(counters.get("t.lowered")).isEqualTo(2);
        assertThat(counters.get("t.ignored")).isEqualTo(1);
        assertThat(counters.get("t.clamped_to_floor")).isEqualTo(1);
    }

    @Test
    void anEstimateAgesBackToTheLinkMtuAfterTenMinutes() {
        cache.lower(0, 7, 1000, 1500);
        clock.advance(10 * MINUTE - 1);
        assertThat(cache.mtu(0, 7, 1500)).isEqualTo(1000);
        clock.advance(1);
        assertThat(cache.mtu(0, 7, 1500)).isEqualTo(1500);
        assertThat(cache.size()).isZero();
        assertThat(counters.get("t.expired")).isEqualTo(1);
    }

    @Test
    void aFloodOfReportsForManyDestinationsIsHeldToTheBound() {
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            clock.advance(1000);
            cache.lower(r.nextLong(), r.nextLong(), 600 + r.nextInt(800), 1500);
        }
        assertThat(cache.size()).isEqualTo(PathMtuCache.MAX_ENTRIES);
        assertThat(counters.get("t.evicted")).isEqualTo(100_000 - PathMtuCache.MAX_ENTRIES);
        // The newest reports are the ones kept: the evicted entry is always the one nearest to ageing out.
        cache.lower(1, 2, 900, 1500);
        assertThat(cache.mtu(1, 2, 1500)).isEqualTo(900);
    }
}
