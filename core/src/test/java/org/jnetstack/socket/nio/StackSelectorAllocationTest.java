package org.jnetstack.socket.nio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jnetstack.socket.TwoHosts;
import org.jnetstack.testing.Allocations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A selection over a steady set of ready keys allocates nothing on the selecting thread, however
 * many keys are ready: {@code select}, {@code selectNow} and {@code select(Consumer)}. Walking
 * the selected-key set costs at most its one iterator per walk (24 bytes), not one per key. Keys stay ready because
 * nobody reads what arrived (readiness is level-triggered).
 */
@Timeout(120)
class StackSelectorAllocationTest {
    /** {@code ready} connections whose accepted ends have a byte waiting, registered for OP_READ. */
    static final class ReadyKeys implements AutoCloseable {
        final TwoHosts net = new TwoHosts();
        final Selector selector;
        final List<SocketChannel> channels = new ArrayList<>();

        ReadyKeys(int ready) throws IOException {
            StackSelectorProvider server = new StackSelectorProvider(net.server);
            StackSelectorProvider client = new StackSelectorProvider(net.client);
            selector = server.openSelector();
            try (ServerSocketChannel l = server.openServerSocketChannel().bind(new InetSocketAddress(9000), ready)) {
                for (int i = 0; i < ready; i++) {
                    SocketChannel c = client.openSocketChannel();
                    c.connect(TwoHosts.server(9000));
                    c.write(ByteBuffer.wrap(new byte[] {1}));
                    channels.add(c);
                    SocketChannel s = l.accept();
                    s.configureBlocking(false).register(selector, SelectionKey.OP_READ);
                    channels.add(s);
                }
            }
            long deadline = System.nanoTime() + 30_000_000_000L; // a hang guard: the bytes are on their way
            while (selector.selectedKeys().size() < ready && System.nanoTime() < deadline) {
                selector.select(10); // returns at once while some keys are ready: then let the loop deliver the rest
                LockSupport.parkNanos(1_000_000);
            }
            assertThat(selector.selectedKeys()).hasSize(ready);
        }

        @Override
        public void close() throws IOException {
            selector.close();
            for (SocketChannel c : channels) {
                c.close();
            }
            net.close();
        }
    }

    private static long selectAndClear(Selector s) {
        try {
            int n = s.select(1000);
            int size = s.selectedKeys().size();
            s.selectedKeys().clear();
            return n + size;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long selectNowAndClear(Selector s) {
        try {
            int n = s.selectNow();
            int size = s.selectedKeys().size();
            s.selectedKeys().clear();
            return n + size;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long selectWithAction(Selector s, java.util.function.Consumer<SelectionKey> action) {
        try {
            return s.select(action, 1000);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long selectAndWalk(Selector s) {
        try {
            s.select(1000);
            long sum = 0;
            for (var it = s.selectedKeys().iterator(); it.hasNext(); ) {
                sum += it.next().readyOps();
                it.remove();
            }
            return sum;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void selectingReadyKeysAllocatesNothing() throws Exception {
        for (int ready : new int[] {4, 64}) {
            try (ReadyKeys keys = new ReadyKeys(ready)) {
                Selector s = keys.selector;
                assertThat(Allocations.leastAllocatedBy(20_000, () -> selectAndClear(s)))
                        .as("select(timeout) over %d ready keys", ready).isZero();
                assertThat(Allocations.leastAllocatedBy(20_000, () -> selectNowAndClear(s)))
                        .as("selectNow over %d ready keys", ready).isZero();
                long[] seen = new long[1];
                java.util.function.Consumer<SelectionKey> action = k -> seen[0] += k.readyOps(); // made once: not the selector's
                assertThat(Allocations.leastAllocatedBy(20_000, () -> selectWithAction(s, action)))
                        .as("select(Consumer) over %d ready keys", ready).isZero();
                assertThat(seen[0]).isPositive();
            }
        }
    }

    @Test
    void walkingTheSelectedKeysCostsOneIteratorNotOnePerKey() throws Exception {
        long few;
        long many;
        try (ReadyKeys keys = new ReadyKeys(4)) {
            few = Allocations.leastAllocatedBy(20_000, () -> selectAndWalk(keys.selector));
        }
        try (ReadyKeys keys = new ReadyKeys(64)) {
            many = Allocations.leastAllocatedBy(20_000, () -> selectAndWalk(keys.selector));
        }
        // One iterator is 24 bytes (none when the JIT sees it does not escape); one object per key would be 64 x 16 at least.
        assertThat(List.of(few, many)).as("bytes per round: 4 keys %d, 64 keys %d", few, many)
                .allSatisfy(bytes -> assertThat(bytes).isLessThanOrEqualTo(32L));
    }
}
