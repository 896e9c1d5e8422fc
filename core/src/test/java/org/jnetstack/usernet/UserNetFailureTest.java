package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.jnetstack.loop.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The user-mode network after its event loop failed: a host event that finds the loop gone is
 * counted and ends the host I/O thread quietly (nothing on standard error), and closing the
 * gateway then (on the caller's thread) does not throw.
 */
@Timeout(120)
class UserNetFailureTest {

    @Test
    void hostEventsAfterAFailureAreCountedQuietlyAndCloseDoesNotThrow() throws Exception {
        EventLoop loop = EventLoop.system();
        UserNet net = UserNet.create(loop, UserNetConfig.defaults().withForwards(List.of(
                new ForwardRule(java.net.InetAddress.getLoopbackAddress(), 0, 80, false))));
        InetSocketAddress forwarded = net.forwards().values().iterator().next();
        loop.onFailure(fatal -> { }); // the program reports it
        loop.start("usernet-failure-test");
        loop.execute(() -> {
            throw new Error("test: the loop fails");
        });
        loop.failure().get();

        PrintStream stderr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setErr(new PrintStream(printed, true));
        try {
            // a host client of the forward: the selector sees it, and the loop refuses the event
            try (Socket client = new Socket()) {
                client.connect(forwarded);
                while (net.counters().get("usernet.host.loop_stopped") == 0) {
                    Thread.sleep(10); // the test's @Timeout bounds this
                }
            }
            net.close(); // on this thread, on whatever state the error left
        } finally {
            System.setErr(stderr);
            loop.close();
        }
        assertThat(net.counters().get("usernet.host.loop_stopped")).isEqualTo(1);
        assertThat(printed.toString()).as("nothing printed").isEmpty();
    }
}
