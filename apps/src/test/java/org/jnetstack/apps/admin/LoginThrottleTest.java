package org.jnetstack.apps.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong clock = new AtomicLong();
    private final LoginThrottle throttle = new LoginThrottle(clock::get);

    @Test
    void anAttemptIsRecordedBeforeItIsChecked() {
        for (int i = 0; i < LoginThrottle.FREE_PER_SOURCE; i++) {
            assertThat(throttle.tryBegin("10.0.2.2")).as("attempt %d, its outcome not yet known", i).isZero();
        }

        assertThat(throttle.tryBegin("10.0.2.2")).as("the earlier ones count though none has finished").isEqualTo(1000);
    }

    @Test
    void guessesSpreadOverManyAddressesMeetTheGlobalLimit() {
        for (int i = 0; i < LoginThrottle.FREE_GLOBAL; i++) {
            assertThat(throttle.tryBegin("10.0.0." + i)).isZero();
        }

        assertThat(throttle.tryBegin("10.0.1.1")).as("a fresh address waits too").isEqualTo(1000);
        clock.addAndGet(1_000_000_000L);
        assertThat(throttle.tryBegin("10.0.1.1")).isZero();
        assertThat(throttle.tryBegin("10.0.1.2")).as("doubled").isEqualTo(2000);
    }

    @Test
    void theWaitIsCappedAndASuccessClearsIt() {
        for (int i = 0; i < 40; i++) {
            clock.addAndGet(LoginThrottle.MAX_DELAY_MILLIS * 1_000_000L);
            assertThat(throttle.tryBegin("10.0.2.2")).isZero();
        }
        assertThat(throttle.tryBegin("10.0.2.2")).isEqualTo(LoginThrottle.MAX_DELAY_MILLIS);

        clock.addAndGet(LoginThrottle.MAX_DELAY_MILLIS * 1_000_000L);
        assertThat(throttle.tryBegin("10.0.2.2")).isZero();
        throttle.succeeded("10.0.2.2");

        assertThat(throttle.tryBegin("10.0.2.2")).isZero();
        assertThat(throttle.tryBegin("10.0.2.3")).as("the global record was cleared too").isZero();
    }

    @Test
    void memoryIsBoundedByTheNumberOfAddressesKept() {
        for (int i = 0; i < LoginThrottle.MAX_SOURCES * 2; i++) {
            clock.addAndGet(LoginThrottle.MAX_DELAY_MILLIS * 1_000_000L);
            throttle.tryBegin("source-" + i);
        }
        assertThat(throttle.sourcesKept()).isEqualTo(LoginThrottle.MAX_SOURCES);
    }
}
