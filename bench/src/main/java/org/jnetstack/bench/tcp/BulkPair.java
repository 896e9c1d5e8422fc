package org.jnetstack.bench.tcp;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;

/**
 * One bulk connection a → b between {@link TwoStacks}: the client writes from a fixed 64 KiB array
 * whenever the send buffer has room (never ending), the server reads everything into a fixed
 * 64 KiB array and discards it. Nothing here allocates per segment, so what a profiler sees is
 * the stack's.
 */
public final class BulkPair {
    static final int PORT = 5001;
    static final int CHUNK = 64 * 1024;

    public final TwoStacks stacks;
    public final TcpConnection client;
    public TcpConnection server;
    /** Bytes the server application has read. */
    public long received;
    /** Receive until {@link #received} reaches this, then {@link #runUntilTarget} returns. */
    public long target;
    private final BooleanSupplier reachedTarget = () -> received >= target;
    private final byte[] out = new byte[CHUNK];
    private final byte[] in = new byte[CHUNK];
    private IOException error;

    public BulkPair(int mtu, int buffers) {
        // Queue: a whole receive window of full-size frames, plus ACKs, fits on each wire end.
        int queue = Math.max(1024, 2 * buffers / Math.max(536, mtu - 40) + 64);
        stacks = new TwoStacks(mtu, queue, TcpConfig.defaults().withBuffers(buffers, buffers));
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (i * 31 + 7);
        }
        TcpHandler sink = new TcpHandler() {
            @Override
            public void onReceive(TcpConnection c) {
                int n;
                while ((n = c.read(in, 0, in.length)) > 0) {
                    received += n;
                }
            }

            @Override
            public void onError(TcpConnection c, IOException e) {
                error = e;
            }
        };
        stacks.b.tcp().listen(PORT, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                server = c;
                c.setHandler(sink);
            }
        });
        client = stacks.a.tcp().connect(TwoStacks.B, PORT, new TcpHandler() {
            @Override
            public void onConnected(TcpConnection c) {
                pump(c);
            }

            @Override
            public void onSent(TcpConnection c, int bytes) {
                pump(c);
            }

            @Override
            public void onError(TcpConnection c, IOException e) {
                error = e;
            }
        });
        if (!stacks.loop.runUntil(() -> client.state() == TcpState.ESTABLISHED && server != null, 10_000_000_000L)) {
            throw new IllegalStateException("bulk connection did not open: " + client);
        }
    }

    private void pump(TcpConnection c) {
        while (c.write(out, 0, out.length) > 0) {
            // fill the send buffer; onSent calls again as ACKs free space
        }
    }

    /** Runs the loop until the server has read {@code bytes} more. */
    public void transfer(long bytes) {
        target = received + bytes;
        runUntilTarget();
    }

    public void runUntilTarget() {
        if (!stacks.loop.runUntil(reachedTarget, TwoStacks.FOREVER)) {
            throw new IllegalStateException("transfer stalled at " + received + " of " + target + ": " + client.info());
        }
        check();
    }

    /** Fails if the measurement was not clean (an error, a drop, a retransmission). */
    public void check() {
        if (error != null) {
            throw new IllegalStateException("connection failed", error);
        }
        if (stacks.wireDrops() != 0 || stacks.retransmits() != 0 || stacks.loopErrors() != 0) {
            throw new IllegalStateException("not a clean run: wire drops " + stacks.wireDrops() + ", retransmits "
                    + stacks.retransmits() + ", loop errors " + stacks.loopErrors());
        }
    }
}
