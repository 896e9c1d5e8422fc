package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.tcp.TcpConfig;

/**
 * Blocking sockets over random link faults, buffer sizes and read/write sizes, both directions at
 * once on virtual threads: every byte arrives once and in order, the half-closes end both reads,
 * and nothing hangs (each run must finish within a generous bound, a hang guard — not a timing
 * claim).
 */
class SocketPropertiesTest {
    private static final int[] BUFFERS = {2048, 16 * 1024, 256 * 1024};

    @Property(tries = 30, seed = "20261123")
    void bytesArriveExactlyOnceBothWays(@ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 0, max = 4) int lossPercent,
            @ForAll @IntRange(min = 0, max = 2) int bufferChoice,
            @ForAll @IntRange(min = 1, max = 300_000) int clientBytes,
            @ForAll @IntRange(min = 0, max = 300_000) int serverBytes) throws Exception {
        FaultProfile faults = FaultProfile.builder().loss(lossPercent / 100.0).reordering(lossPercent / 50.0).build();
        TcpConfig tcp = TcpConfig.defaults().withBuffers(BUFFERS[bufferChoice], BUFFERS[bufferChoice]);
        try (TwoHosts net = new TwoHosts(tcp, d -> FaultInjector.builder().seed(seed).both(faults).wrap(d));
                TcpServerSocket listener = Sockets.of(net.server).listen(7)) {
            byte[] fromClient = bytes(clientBytes, seed);
            byte[] fromServer = bytes(serverBytes, ~seed);
            CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
            Thread.startVirtualThread(() -> {
                try (TcpSocket s = listener.accept()) {
                    serverGot.complete(exchange(s, fromServer, new SplittableRandom(seed * 31)));
                } catch (Throwable t) {
                    serverGot.completeExceptionally(t);
                }
            });
            byte[] clientGot;
            try (TcpSocket s = Sockets.of(net.client).connect("10.0.0.2", 7)) {
                clientGot = exchange(s, fromClient, new SplittableRandom(seed * 17));
            }
            assertThat(serverGot.get(120, TimeUnit.SECONDS)).isEqualTo(fromClient);
            assertThat(clientGot).isEqualTo(fromServer);
        }
    }

    /** Writes {@code out} in random pieces (then half-closes) while reading in random pieces until end of input. */
    static byte[] exchange(TcpSocket s, byte[] out, SplittableRandom rnd) throws Exception {
        long writerSeed = rnd.nextLong();
        CompletableFuture<Void> written = new CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            SplittableRandom w = new SplittableRandom(writerSeed);
            try {
                for (int off = 0; off < out.length; ) {
                    int n = Math.min(out.length - off, w.nextInt(4) == 0 ? 1 : 1 + w.nextInt(20_000));
                    s.write(out, off, n);
                    off += n;
                }
                s.shutdownOutput();
                written.complete(null);
            } catch (Throwable t) {
                written.completeExceptionally(t);
            }
        });
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        byte[] buf = new byte[30_000];
        int n;
        while ((n = s.read(buf, 0, 1 + rnd.nextInt(buf.length))) >= 0) {
            in.write(buf, 0, n);
        }
        assertThat(s.isInputEnded()).isTrue();
        written.get(120, TimeUnit.SECONDS);
        return in.toByteArray();
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
