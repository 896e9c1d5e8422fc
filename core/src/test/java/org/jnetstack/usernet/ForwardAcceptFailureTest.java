package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.jnetstack.testing.DescriptorsExhausted;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host client of a forward the gateway cannot accept because the process is out of
 * descriptors (EMFILE) stays queued and the listening socket stays ready: the gateway must not
 * hand that readiness round between its selector thread and the loop at full speed (a busy loop
 * logging a warning each time), and must serve the client once it can. The test lowers this JVM's
 * own descriptor limit for a moment ({@code prlimit(1)}) and fills it.
 */
@Timeout(60)
class ForwardAcceptFailureTest {

    @Test
    void aClientThatCannotBeAcceptedDoesNotSpinTheGatewayAndIsServedLater() throws Exception {
        try (Harness h = new Harness(List.of(ForwardRule.tcp(0, 7)))) {
            h.onLoop(() -> GuestEcho.listen(h.guest.tcp(), 7, 4));
            InetSocketAddress fwd = h.net.forwards().values().iterator().next();
            // One client comes and goes first: what accepting and logging need is loaded.
            try (SocketChannel c = SocketChannel.open(fwd)) {
                assertThat(echo(c, 1)).isEqualTo(1);
            }
            new FileInputStream("/dev/null").close();
            new java.util.logging.SimpleFormatter().format(new java.util.logging.LogRecord(java.util.logging.Level.WARNING, "warm-up"));
            h.onLoop(() -> {
                org.jnetstack.loop.Timer t = h.loop.newTimer(() -> { });
                t.schedule(1);
                t.cancel();
                return null;
            });

            // Another thread of this JVM (a cleaner closing an earlier test's socket) may free a
            // descriptor between the filling and the accept, which then succeeds: that try is
            // given up and made again.
            long before = 0;
            long after = 0;
            SocketChannel client = null;
            for (int attempt = 0; attempt < 5 && h.counter("usernet.forward.accept_failed") == 0; attempt++) {
                if (client != null) {
                    client.close();
                }
                client = SocketChannel.open(); // its descriptor before they run out
                long accepted = h.counter("usernet.forward.accepted");
                try (DescriptorsExhausted none = DescriptorsExhausted.now()) {
                    client.connect(fwd); // queued: the gateway cannot accept it now
                    long end = System.nanoTime() + 20_000_000_000L;
                    while (h.counter("usernet.forward.accept_failed") == 0 && h.counter("usernet.forward.accepted") == accepted
                            && System.nanoTime() < end) {
                        Thread.sleep(5);
                    }
                    before = h.loop.counters().get("loop.iterations");
                    Thread.sleep(300);
                    after = h.loop.counters().get("loop.iterations");
                }
            }
            assertThat(after - before).as("loop iterations while the client could not be accepted").isLessThan(100);
            assertThat(h.counter("usernet.forward.accept_failed")).isPositive();
            client.socket().setSoTimeout(20_000);
            assertThat(echo(client, 2)).as("served once descriptors are free").isEqualTo(2);
            client.close();
        }
    }

    private static int echo(SocketChannel c, int b) throws IOException {
        c.write(ByteBuffer.wrap(new byte[] {(byte) b}));
        return c.socket().getInputStream().read();
    }
}
