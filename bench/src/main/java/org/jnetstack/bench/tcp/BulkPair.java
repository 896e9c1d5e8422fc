package org.jnetstack.bench.tcp;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.jnetstack.tcp.InPlaceReader;
import org.jnetstack.tcp.InPlaceWriter;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;

/**
 * One bulk connection a → b between {@link TwoStacks}: the client writes from a fixed 64 KiB array
 * whenever the send buffer has room (never ending), the server reads everything into a fixed
 * 64 KiB array and discards it ({@link App#COPY}); or, without those copies, writes and reads in
 * place ({@link App#INPLACE}, {@link App#INPLACE_TOUCH}). Nothing here allocates per segment, so
 * what a profiler sees is the stack's.
 */
public final class BulkPair {
    /** What the applications at both ends do with the payload. */
    public enum App {
        /** {@code write} from a fixed array, {@code read} into a fixed array: two copies per byte. */
        COPY,
        /**
         * {@code writeInPlace} with a fill that writes nothing and counts everything (lwIP's
         * no-copy write / iperf sending a static buffer: the payload is whatever the buffer
         * holds), {@code readInPlace} with a take that counts everything (a discard sink).
         */
        INPLACE,
        /**
         * In place, but the fill writes a byte pattern ({@code Arrays.fill}) and the take reads
         * and sums every byte (eight at a time): an application that touches its data.
         */
        INPLACE_TOUCH;

        /** The command-line name: copy, inplace, inplace-touch. */
        public String option() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static App ofOption(String s) {
            for (App a : values()) {
                if (a.option().equals(s)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("--app must be copy, inplace or inplace-touch, got " + s);
        }
    }

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

    public final App app;
    private byte pattern;
    /** Sum of the bytes the inplace-touch sink read, kept so the JIT cannot drop the reading. */
    public long touchedSum;
    private final InPlaceWriter fillCounting = (buf, off, len) -> len;
    private final InPlaceReader takeCounting = (buf, off, len) -> len;
    private final InPlaceWriter fillTouching = (buf, off, len) -> {
        Arrays.fill(buf, off, off + len, pattern++);
        return len;
    };
    // Eight bytes per read: a byte-at-a-time sum would measure the JIT's loop, not the data's cost.
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private final InPlaceReader takeTouching = (buf, off, len) -> {
        long sum = 0;
        int i = off;
        for (int end = off + len - 7; i < end; i += 8) {
            sum += (long) LONGS.get(buf, i);
        }
        for (int end = off + len; i < end; i++) {
            sum += buf[i];
        }
        touchedSum += sum;
        return len;
    };

    public BulkPair(int mtu, int buffers) {
        this(mtu, buffers, App.COPY);
    }

    public BulkPair(int mtu, int buffers, App app) {
        this(mtu, buffers, app, 4);
    }

    /** {@code family}: 4 connects b's IPv4 address, 6 its IPv6 one (fd00::2). */
    public BulkPair(int mtu, int buffers, App app, int family) {
        if (family != 4 && family != 6) {
            throw new IllegalArgumentException("family must be 4 or 6: " + family);
        }
        this.app = app;
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
                switch (app) {
                    case COPY -> {
                        while ((n = c.read(in, 0, in.length)) > 0) {
                            received += n;
                        }
                    }
                    case INPLACE -> {
                        while ((n = c.readInPlace(takeCounting)) > 0) {
                            received += n;
                        }
                    }
                    case INPLACE_TOUCH -> {
                        while ((n = c.readInPlace(takeTouching)) > 0) {
                            received += n;
                        }
                    }
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
        if (family == 6) {
            stacks.awaitIpv6();
        }
        TcpHandler source = new TcpHandler() {
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
        };
        client = family == 6 ? stacks.a.tcp().connect(TwoStacks.B6, PORT, source)
                : stacks.a.tcp().connect(TwoStacks.B, PORT, source);
        if (!stacks.loop.runUntil(() -> client.state() == TcpState.ESTABLISHED && server != null, 10_000_000_000L)) {
            throw new IllegalStateException("bulk connection did not open: " + client);
        }
    }

    private void pump(TcpConnection c) {
        // Fill the send buffer; onSent calls again as ACKs free space.
        switch (app) {
            case COPY -> {
                while (c.write(out, 0, out.length) > 0) {
                    // more
                }
            }
            case INPLACE -> {
                while (c.writeInPlace(fillCounting) > 0) {
                    // more (a wrapped ring is offered in two pieces by one call; the next gets nothing)
                }
            }
            case INPLACE_TOUCH -> {
                while (c.writeInPlace(fillTouching) > 0) {
                    // more
                }
            }
        }
    }

    /**
     * Runs the loop until the server has read {@code bytes} more. One loop iteration delivers a
     * whole batch of frames (up to a full window), so a call can move much more than asked: use
     * it where the bytes moved are measured ({@link #received}), not where calls are counted.
     */
    public void transfer(long bytes) {
        target = received + bytes;
        runUntilTarget();
    }

    /**
     * Runs the loop until the server has read {@code bytes} more than the previous target (not
     * more than it has read now): what one call delivers beyond its target counts toward the next
     * calls, so n calls move n × {@code bytes}, give or take one window. A benchmark whose
     * operation is "move {@code bytes}" must use this; with {@link #transfer} each call would move
     * a whole window (4 MiB at MTU 65535) and be counted as one operation.
     */
    public void advance(long bytes) {
        target += bytes;
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
