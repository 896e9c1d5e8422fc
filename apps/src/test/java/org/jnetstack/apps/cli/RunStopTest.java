package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** How {@code jns run} stops: bounded whatever the loop does, and one line for a failure. */
class RunStopTest {

    @Test
    void aStopThatNeverEndsIsLeftBehindAndSaidSo() throws Exception {
        StringWriter err = new StringWriter();
        CountDownLatch never = new CountDownLatch(1);
        RunCommand.stopWithin(Duration.ofMillis(200), () -> {
            try {
                never.await(); // a close waiting on a loop stuck in a handler
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, new PrintWriter(err));
        assertThat(err.toString()).isEqualTo("jns: stopping took longer than 0 s; exiting anyway" + System.lineSeparator());
    }

    @Test
    void aStopThatEndsSaysNothingAndAThrowingOneDoesNotEscape() {
        StringWriter err = new StringWriter();
        RunCommand.stopWithin(Duration.ofSeconds(30), () -> { }, new PrintWriter(err));
        RunCommand.stopWithin(Duration.ofSeconds(30), () -> {
            throw new IllegalStateException("a failing close (expected by the test)");
        }, new PrintWriter(err));
        assertThat(err.toString().lines().toList()).containsExactly(
                "jns: while stopping: java.lang.IllegalStateException: a failing close (expected by the test)");
    }

    @Test
    void aFailureIsOneLineNamingTheError() {
        StringWriter err = new StringWriter();
        RunCommand.reportFailure(new OutOfMemoryError("Java heap space"), new PrintWriter(err));
        assertThat(err.toString().lines().toList())
                .containsExactly("jns: stopped: the network stack failed: java.lang.OutOfMemoryError: Java heap space");
    }

    @Test
    void theTestHookIsOffUnlessAskedForAndRefusesANonPort() {
        assertThat(TestHooks.faultPort()).isNull();
        System.setProperty(TestHooks.FAULT_PORT, "70000");
        try {
            assertThatThrownBy(TestHooks::faultPort).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("-Djns.test.faultPort=70000: expected a UDP port number 1-65535");
        } finally {
            System.clearProperty(TestHooks.FAULT_PORT);
        }
    }
}
