package org.jnetstack.apps.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.MS;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.jnetstack.NetStack;
import org.jnetstack.apps.serial.SerialBridgeTest.Console;
import org.jnetstack.apps.serial.SerialBridgeTest.TestLine;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lossless fan-out: a line that is always ahead of its clients (virtual time passes only
 * while the line's reader thread waits for the bridge), clients that read fast, slowly, or not
 * at all.
 */
class SerialFanOutTest {
    private static final int SERVER = Ipv4Address.parseBits("10.0.0.2");
    private static final int QUEUE = 64 * 1024;

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack clientStack = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack serverStack = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
    private final TestLine line = new TestLine();
    private SerialBridge bridge;
    /** Virtual time when the first client was found stalled; -1 before. */
    private long stalledAt = -1;

    /** A client that reads {@code bytesPerTick} every {@code tick} of virtual time, no faster. */
    private final class SlowReader implements Runnable {
        final Console console;
        final int bytesPerTick;
        final long tick;
        final Timer timer = loop.newTimer(this);

        SlowReader(Console console, int bytesPerTick, long tick) {
            this.console = console;
            this.bytesPerTick = bytesPerTick;
            this.tick = tick;
            console.reading = false;
            timer.schedule(tick);
        }

        @Override
        public void run() {
            int n = console.conn.read(console.buf, 0, Math.min(bytesPerTick, console.buf.length));
            if (n > 0) {
                console.got.write(console.buf, 0, n);
            }
            timer.schedule(tick);
        }
    }

    @AfterEach
    void closeBridge() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private void start(SerialBridgeOptions options) throws IOException {
        bridge = SerialBridge.start(serverStack, line, options);
    }

    private Console connect() {
        Console c = new Console();
        c.conn = clientStack.tcp().connect(SERVER, SerialBridgeOptions.DEFAULT_PORT, c);
        assertThat(loop.runUntil(() -> c.connected, 10 * SECOND)).isTrue();
        loop.runFor(SECOND / 10);
        return c;
    }

    private void step() {
        if (stalledAt < 0 && bridge.flow().stalledClients() > 0) {
            stalledAt = loop.clock().nanos();
        }
    }

    /**
     * The line writes {@code data} as fast as the bridge takes it: from a reader thread, while
     * this thread runs the loop; virtual time passes only while the reader waits for room.
     */
    private void burst(byte[] data) {
        Thread reader = Thread.ofPlatform().name("test line reader").start(() -> {
            for (int off = 0; off < data.length; off += 4096) {
                line.emit(Arrays.copyOfRange(data, off, Math.min(data.length, off + 4096)));
            }
        });
        long deadline = System.nanoTime() + 120 * SECOND;
        while (reader.isAlive()) {
            assertThat(System.nanoTime()).as("the burst handed over within 120 s").isLessThan(deadline);
            loop.runPending();
            if (reader.getState() == Thread.State.WAITING && bridge.lineRoom() < 4096) {
                loop.runFor(MS); // the reader waits for the bridge, and nothing else can happen now
            } else {
                Thread.yield(); // the reader has room: it hands over more before time goes on
            }
            step();
        }
    }

    private void await(BooleanSupplier done) {
        long deadline = System.nanoTime() + 120 * SECOND;
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 120 s").isLessThan(deadline);
            loop.runFor(MS);
            step();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    @Test
    void aFastAndASlowButReadingClientGetAMultiMebibyteBurstByteExact() throws IOException {
        start(SerialBridgeOptions.defaults().withScrollback(0).withClientQueue(QUEUE));
        Console fast = connect();
        SlowReader slow = new SlowReader(connect(), 8192, 10 * MS); // 800 KiB/s of virtual time
        byte[] output = random(3 * 1024 * 1024, 11);

        burst(output);
        await(() -> fast.got.size() == output.length && slow.console.got.size() == output.length);

        assertThat(fast.got.toByteArray()).isEqualTo(output);
        assertThat(slow.console.got.toByteArray()).isEqualTo(output);
        assertThat(bridge.status().droppedBytes()).isZero();
        assertThat(bridge.status().lineBytesIn()).isEqualTo(output.length);
        SerialBridge.FlowStatus flow = bridge.flow();
        assertThat(flow.stalledClients()).as("a client that reads is never stalled").isZero();
        assertThat(flow.pauses()).as("the line waited for the slow client").isPositive();
        assertThat(flow.readerWaits()).as("the line's reader was held back").isPositive();
        assertThat(flow.pausedMillis()).as("the slow client needs ~3.8 s of virtual time for 3 MiB").isPositive();
        System.out.printf("fast+slow: %d bytes to each, line paused %d ms in %d pauses, reader held back %d times%n",
                output.length, flow.pausedMillis(), flow.pauses(), flow.readerWaits());
        assertThat(serverStack.counters().get("serial.line.pauses")).isEqualTo(flow.pauses());
        assertThat(serverStack.counters().get("serial.clients.stalled")).isZero();
    }

    @Test
    void aStalledClientLosesItsOldestBytesAfterTheStallTimeWhileReadingClientsGetEverything() throws IOException {
        long stall = 2 * SECOND;
        start(SerialBridgeOptions.defaults().withScrollback(0).withClientQueue(QUEUE).withStallTimeoutMillis(stall / MS));
        Console fast = connect();
        SlowReader slow = new SlowReader(connect(), 8192, 10 * MS);
        Console stalled = connect();
        stalled.reading = false;
        byte[] output = random(4 * 1024 * 1024, 12);
        long burstStart = loop.clock().nanos();

        burst(output);
        await(() -> fast.got.size() == output.length && slow.console.got.size() == output.length);

        assertThat(fast.got.toByteArray()).isEqualTo(output);
        assertThat(slow.console.got.toByteArray()).isEqualTo(output);
        assertThat(bridge.flow().stalledClients()).isEqualTo(1);
        assertThat(stalledAt - burstStart).as("stalled no sooner than the stall time after its output began").isGreaterThanOrEqualTo(stall);
        assertThat(bridge.clients()).extracting(SerialBridge.ClientInfo::droppedBytes)
                .as("only the stalled client lost bytes").containsExactly(0L, 0L, bridge.status().droppedBytes());
        assertThat(bridge.status().droppedBytes()).isPositive();
        assertThat(stalled.conn.state()).isEqualTo(TcpState.ESTABLISHED);

        // It reads again: what it had, then (after a gap) the newest output, in order; then it is lossless again.
        stalled.reading = true;
        stalled.onReceive(stalled.conn);
        await(() -> stalled.got.size() + bridge.status().droppedBytes() == output.length);
        byte[] got = stalled.got.toByteArray();
        assertThat(Arrays.copyOfRange(got, got.length - QUEUE, got.length))
                .isEqualTo(Arrays.copyOfRange(output, output.length - QUEUE, output.length));
        byte[] more = random(1024 * 1024, 13);
        long droppedBefore = bridge.status().droppedBytes();
        burst(more);
        await(() -> stalled.got.size() == got.length + more.length && fast.got.size() == output.length + more.length);
        assertThat(Arrays.copyOfRange(stalled.got.toByteArray(), got.length, got.length + more.length)).isEqualTo(more);
        assertThat(bridge.status().droppedBytes()).isEqualTo(droppedBefore);
    }

    @Test
    void underTheDisconnectPolicyAStalledClientIsResetAfterTheStallTimeAndHoldsTheLineNoLonger() throws IOException {
        long stall = 2 * SECOND;
        start(SerialBridgeOptions.defaults().withScrollback(0).withClientQueue(QUEUE).withStallTimeoutMillis(stall / MS)
                .withOverflow(SerialBridgeOptions.OverflowPolicy.DISCONNECT));
        Console fast = connect();
        Console stalled = connect();
        stalled.reading = false;
        byte[] output = random(4 * 1024 * 1024, 14);
        long burstStart = loop.clock().nanos();

        burst(output);
        await(() -> fast.got.size() == output.length);

        assertThat(fast.got.toByteArray()).isEqualTo(output);
        assertThat(stalled.error).as("reset by the bridge").isNotNull();
        assertThat(bridge.status().disconnectedSlow()).isEqualTo(1);
        assertThat(bridge.flow().stalledClients()).isEqualTo(1);
        assertThat(bridge.status().droppedBytes()).isZero();
        // Its backlog began with the burst, so it was found stalled one stall time later (plus what
        // filling its window, send buffer and queue took), and from then on the line ran freely.
        assertThat(stalledAt - burstStart).isBetween(stall, stall + SECOND);
        assertThat(bridge.flow().pausedMillis()).as("line pauses in all: the stall time plus the fast client's window")
                .isBetween(stall / MS, stall / MS + 1000);
        System.out.printf("disconnect: stalled after %d ms of virtual time, line paused %d ms in %d pauses, reader held back %d times%n",
                (stalledAt - burstStart) / MS, bridge.flow().pausedMillis(), bridge.flow().pauses(), bridge.flow().readerWaits());
    }

    @Test
    void telnetClientsGetLosslessOutputEvenWhenEscapingDoublesIt() throws IOException {
        start(SerialBridgeOptions.defaults().withScrollback(0).withClientQueue(QUEUE).withTelnet(true));
        Console fast = connect();
        SlowReader slow = new SlowReader(connect(), 8192, 10 * MS);
        await(() -> fast.got.size() == 15 && slow.console.got.size() == 15); // the greeting
        fast.got.reset();
        slow.console.got.reset();
        byte[] output = new byte[512 * 1024];
        Arrays.fill(output, (byte) 0xFF); // every byte becomes IAC IAC

        burst(output);
        await(() -> fast.got.size() == 2 * output.length && slow.console.got.size() == 2 * output.length);

        byte[] doubled = new byte[2 * output.length];
        Arrays.fill(doubled, (byte) 0xFF);
        assertThat(fast.got.toByteArray()).isEqualTo(doubled);
        assertThat(slow.console.got.toByteArray()).isEqualTo(doubled);
        assertThat(bridge.status().droppedBytes()).isZero();
        assertThat(bridge.flow().pauses()).isPositive();
    }

    @Test
    void aLineBehindAPipeIsHeldBackNotBufferedWhileAClientCannotTakeMore() throws Exception {
        java.io.PipedInputStream in = new java.io.PipedInputStream(64 * 1024);
        java.io.PipedOutputStream device = new java.io.PipedOutputStream(in);
        StreamLine pipeLine = new StreamLine("pipe", in, java.io.OutputStream.nullOutputStream(), () -> { });
        bridge = SerialBridge.start(serverStack, pipeLine, SerialBridgeOptions.defaults().withScrollback(0)
                .withClientQueue(QUEUE).withStallTimeoutMillis(SerialBridgeOptions.MAX_STALL_TIMEOUT_MILLIS));
        Console stalled = connect();
        stalled.reading = false;
        long offered = 16L * 1024 * 1024;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        Thread guest = Thread.ofPlatform().daemon().name("test guest").start(() -> {
            byte[] chunk = new byte[4096];
            try {
                while (written.get() < offered) {
                    device.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException closed) {
                // the test is over
            }
        });

        Thread reader = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("serial pipe")).findFirst().orElseThrow();
        awaitHeldBack(guest, reader);
        loop.runFor(SECOND); // the connection's window fills and probes go on; the line stays held
        awaitHeldBack(guest, reader);
        assertThat(loop.clock().nanos()).as("virtual time stayed far below the stall timeout")
                .isLessThan(SerialBridgeOptions.MAX_STALL_TIMEOUT_MILLIS * MS / 2);

        // What the guest got rid of: the pipe (64 KiB), the reader's 4 KiB, the bridge's 256 KiB in
        // flight, the client's queue, our send buffer and its receive window — and not a byte more.
        assertThat(written.get()).as("the guest is held back, not buffered for").isLessThan(2L * 1024 * 1024);
        assertThat(bridge.status().lineBytesIn()).isLessThan(written.get());
        assertThat(bridge.status().droppedBytes()).isZero();
        assertThat(bridge.flow().stalledClients()).isZero();
        System.out.printf("held back: the guest wrote %d of %d bytes while the client took none%n", written.get(), offered);
        bridge.close();
        bridge = null;
        device.close();
    }

    /**
     * Runs the loop until the line's reader waits for room in the bridge and the guest waits for
     * room in the pipe. Virtual time goes on only while neither thread can run, so a slow machine
     * cannot make the client look stalled while bytes are still being handed over.
     */
    private void awaitHeldBack(Thread guest, Thread reader) {
        long deadline = System.nanoTime() + 120 * SECOND;
        while (!(reader.getState() == Thread.State.WAITING && bridge.lineRoom() < 4096
                && guest.getState() == Thread.State.TIMED_WAITING)) {
            assertThat(System.nanoTime()).as("the line is held back within 120 s").isLessThan(deadline);
            loop.runPending();
            if (guest.getState() == Thread.State.RUNNABLE || reader.getState() == Thread.State.RUNNABLE) {
                Thread.yield();
            } else {
                loop.runFor(MS);
            }
        }
    }

    @Test
    void closingTheBridgeReleasesALineReaderThatWaitsForRoom() throws Exception {
        start(SerialBridgeOptions.defaults().withScrollback(0).withClientQueue(QUEUE));
        Console stalled = connect();
        stalled.reading = false;
        byte[] output = random(2 * 1024 * 1024, 15);
        Thread reader = Thread.ofPlatform().start(() -> {
            for (int off = 0; off < output.length; off += 4096) {
                line.emit(Arrays.copyOfRange(output, off, Math.min(output.length, off + 4096)));
            }
        });
        await(() -> bridge.flow().pauses() > 0 && reader.getState() == Thread.State.WAITING);

        bridge.close();
        reader.join(30_000);

        assertThat(reader.isAlive()).as("the reader stopped waiting").isFalse();
        assertThat(bridge.flow().stalledClients()).isZero();
    }
}
