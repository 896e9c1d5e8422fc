package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.internal.StackSecrets;
import org.jnetstack.loop.VirtualClock;
import org.junit.jupiter.api.Test;

/** SYN cookies with a new key every period: accepted in the period made and the next, then refused. */
class SynCookiesTest {
    static final long PERIOD = 64_000_000_000L;
    static final int LOCAL = 0x0A000002;
    static final int REMOTE = 0x0A000001;

    final VirtualClock clock = new VirtualClock();
    final SynCookies cookies = new SynCookies(clock, StackSecrets.seeded(9), PERIOD);

    int make(int peerIsn) {
        return cookies.make(4, LOCAL, 80, REMOTE, 40000, peerIsn);
    }

    int check(int cookie, int peerIsn) {
        return cookies.check(cookie, LOCAL, 80, REMOTE, 40000, peerIsn);
    }

    @Test
    void acceptedInItsPeriodAndTheNextThenRefusedOnceItsKeyIsRotatedOut() {
        clock.advance(PERIOD / 2);
        int cookie = make(1234);
        assertThat(check(cookie, 1234)).as("same period").isEqualTo(4);
        assertThat(SynCookies.MSS[check(cookie, 1234)]).isEqualTo(1460);
        clock.advance(PERIOD);
        assertThat(check(cookie, 1234)).as("previous key, next period").isEqualTo(4);
        clock.advance(PERIOD);
        assertThat(check(cookie, 1234)).as("key rotated out").isEqualTo(-1);
    }

    @Test
    void aCookieOfThePreviousKeyIsRefusedAfterAGapOfMoreThanOnePeriod() {
        int cookie = make(1);
        clock.advance(3 * PERIOD); // no cookie made or checked meanwhile: rotation happens lazily
        assertThat(check(cookie, 1)).isEqualTo(-1);
    }

    @Test
    void eachPeriodHasANewKeyEvenWhenTheTimeBitsComeRound() {
        int first = make(77);
        // 32 periods later the cookie's 5 time bits are the same again; only the key differs.
        for (int i = 0; i < 32; i++) {
            clock.advance(PERIOD);
            make(77); // rotate through every period
        }
        int again = make(77);
        assertThat(again >>> 24).isEqualTo(first >>> 24);
        assertThat(again).as("a new key, a new hash").isNotEqualTo(first);
        assertThat(check(first, 77)).isEqualTo(-1);
        assertThat(check(again, 77)).isEqualTo(4);
    }

    @Test
    void anyChangedInputOrBitIsRefused() {
        int cookie = make(5);
        assertThat(check(cookie, 6)).as("other peer ISN").isEqualTo(-1);
        assertThat(cookies.check(cookie, LOCAL, 80, REMOTE, 40001, 5)).as("other port").isEqualTo(-1);
        assertThat(cookies.check(cookie, LOCAL, 80, REMOTE + 1, 40000, 5)).as("other address").isEqualTo(-1);
        for (int bit = 0; bit < 32; bit++) {
            assertThat(check(cookie ^ (1 << bit), 5)).as("bit %d flipped", bit).isEqualTo(-1);
        }
    }

    @Test
    void twoSeededMakersAgreeAndUnseededOnesDoNot() {
        SynCookies same = new SynCookies(clock, StackSecrets.seeded(9), PERIOD);
        assertThat(same.make(4, LOCAL, 80, REMOTE, 40000, 99)).isEqualTo(make(99));
        SynCookies a = new SynCookies(clock, StackSecrets.secure(), PERIOD);
        SynCookies b = new SynCookies(clock, StackSecrets.secure(), PERIOD);
        int differing = 0;
        for (int i = 0; i < 8; i++) {
            if (a.make(4, LOCAL, 80, REMOTE, 40000, i) != b.make(4, LOCAL, 80, REMOTE, 40000, i)) {
                differing++;
            }
        }
        assertThat(differing).as("24-bit hashes of independent keys").isGreaterThan(6);
    }
}
