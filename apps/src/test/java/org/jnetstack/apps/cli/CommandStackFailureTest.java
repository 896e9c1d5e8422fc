package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.jnetstack.loop.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every command's wait on the stack ends when the stack's loop fails, with the one line
 * {@code jns run} prints: the command's work blocked on the loop, and the DHCP lease a command
 * waits for while it starts.
 */
@Timeout(120) // generous: a broken wait never ends
class CommandStackFailureTest {
    private static final Error FATAL = new Error("test: the loop fails");

    private static EventLoop startedLoop() {
        EventLoop loop = EventLoop.system();
        loop.onFailure(fatal -> { }); // reported by the command, not logged
        loop.start("stack-failure-test");
        return loop;
    }

    private static void fail(EventLoop loop) {
        loop.execute(() -> {
            throw FATAL;
        });
    }

    @Test
    void workBlockedOnTheLoopEndsWithFailedWhenTheLoopFails() {
        EventLoop loop = startedLoop();
        try {
            CountDownLatch never = new CountDownLatch(1);
            fail(loop);
            assertThatThrownBy(() -> StackFailure.run(loop, () -> {
                never.await(); // e.g. a get() on a future only the loop completes
                return 0;
            })).isInstanceOf(StackFailure.Failed.class)
                    .hasMessage("jns: stopped: the network stack failed: java.lang.Error: test: the loop fails")
                    .satisfies(e -> assertThat(((StackFailure.Failed) e).fatal()).isSameAs(FATAL));
        } finally {
            loop.close();
        }
    }

    @Test
    void workThatThrowsBecauseTheLoopFailedEndsWithFailedToo() throws Exception {
        EventLoop loop = startedLoop();
        try {
            fail(loop);
            loop.failure().get();
            assertThatThrownBy(() -> StackFailure.run(loop, () -> {
                throw new IOException("a socket call on the failed loop");
            })).isInstanceOf(StackFailure.Failed.class);
        } finally {
            loop.close();
        }
    }

    @Test
    void whileTheLoopRunsTheWorksResultAndExceptionsAreItsOwn() throws Exception {
        EventLoop loop = startedLoop();
        try {
            assertThat(StackFailure.run(loop, () -> 22)).isEqualTo(22);
            assertThatThrownBy(() -> StackFailure.run(loop, () -> {
                throw new IOException("connection refused");
            })).isInstanceOf(IOException.class).hasMessage("connection refused");
        } finally {
            loop.close();
        }
    }

    @Test
    void mainPrintsTheOneLineForAFailureAndExitsOne() {
        StringWriter err = new StringWriter();
        int status = Main.failure(new StackFailure.Failed(FATAL), new PrintWriter(err));
        assertThat(status).isEqualTo(Main.FAILURE);
        assertThat(err.toString()).isEqualTo(
                "jns: stopped: the network stack failed: java.lang.Error: test: the loop fails" + System.lineSeparator());
    }

    @Test
    void aLoopThatFailsWhileACommandWaitsForItsDhcpLeaseEndsTheWaitAtOnce() {
        StackLauncher.Link link = new StackLauncher.Link(null, null, null, null, null, null, false, null);
        // before the loop starts: the first thing it runs is the fatal error, long before a lease
        assertThatThrownBy(() -> StackLauncher.startUserNet(link, List.of(), "dhcp-failure-test",
                stack -> stack.loop().schedule(0, () -> {
                    throw FATAL;
                }))).isInstanceOf(StackFailure.Failed.class)
                .hasMessage("jns: stopped: the network stack failed: java.lang.Error: test: the loop fails");
    }
}
