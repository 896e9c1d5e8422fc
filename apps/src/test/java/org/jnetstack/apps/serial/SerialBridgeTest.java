package org.jnetstack.apps.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bridge between an in-memory line and clients on a second stack, virtual clock. */
class SerialBridgeTest {
    private static final int SERVER = Ipv4Address.parseBits("10.0.0.2");

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack clientStack = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack serverStack = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
    private final TestLine line = new TestLine();
    private SerialBridge bridge;

    /** A line in memory: {@link #emit} is the device talking; {@link #written} what clients typed. */
    static final class TestLine implements SerialLine {
        Receiver receiver;
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        volatile boolean closed;

        @Override
        public String describe() {
            return "test line";
        }

        @Override
        public void start(Receiver r) {
            receiver = r;
        }

        void emit(byte[] b) {
            receiver.bytes(b, 0, b.length);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            synchronized (written) {
                written.write(buf, off, len);
            }
        }

        byte[] written() {
            synchronized (written) {
                return written.toByteArray();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A console client: collects what arrives while {@code reading}; types with {@link #type}. */
    static final class Console implements TcpHandler {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final byte[] buf = new byte[8192];
        boolean reading = true;
        boolean eof;
        boolean connected;
        IOException error;
        TcpConnection conn;

        @Override
        public void onConnected(TcpConnection c) {
            connected = true;
        }

        @Override
        public void onReceive(TcpConnection c) {
            if (!reading) {
                return;
            }
            int n;
            while ((n = c.read(buf, 0, buf.length)) > 0) {
                got.write(buf, 0, n);
            }
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            onReceive(c);
            eof = true;
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            error = e;
        }

        void type(String s) {
            type(s.getBytes());
        }

        void type(byte[] b) {
            assertThat(conn.write(b, 0, b.length)).isEqualTo(b.length);
        }
    }

    private void start(SerialBridgeOptions options) throws IOException {
        bridge = SerialBridge.start(serverStack, line, options);
    }

    @AfterEach
    void closeBridge() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private Console connect() {
        Console c = new Console();
        c.conn = clientStack.tcp().connect(SERVER, SerialBridgeOptions.DEFAULT_PORT, c);
        assertThat(loop.runUntil(() -> c.connected, 10 * SECOND)).isTrue();
        loop.runFor(SECOND / 10);
        return c;
    }

    /** Runs the loop until {@code done}, also across work done by the bridge's writer thread (real time). */
    private void await(BooleanSupplier done) {
        long deadline = System.nanoTime() + 20 * SECOND;
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            loop.runFor(SECOND / 100);
            Thread.onSpinWait();
        }
    }

    /**
     * The line talks: {@code data} in 4 KiB pieces from a reader thread of its own (which the
     * bridge may hold back), while this thread runs the loop until all of it was handed over.
     */
    private void emit(byte[] data) {
        emit(line, loop, data);
    }

    static void emit(TestLine line, EventLoop loop, byte[] data) {
        Thread reader = Thread.ofPlatform().name("test line reader").start(() -> {
            for (int off = 0; off < data.length; off += 4096) {
                line.emit(Arrays.copyOfRange(data, off, Math.min(data.length, off + 4096)));
            }
        });
        long deadline = System.nanoTime() + 60 * SECOND;
        while (reader.isAlive()) {
            assertThat(System.nanoTime()).as("the line's output handed over within 60 s").isLessThan(deadline);
            loop.runFor(SECOND / 1000);
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    @Test
    void everyClientSeesAllOutputAndEveryonesInputReachesTheLine() throws IOException {
        start(SerialBridgeOptions.defaults());
        List<Console> consoles = List.of(connect(), connect(), connect());
        byte[] output = random(300_000, 1);

        emit(output);
        for (int i = 0; i < 3; i++) {
            consoles.get(i).type("client " + i + " says hi\n");
        }
        await(() -> consoles.stream().allMatch(c -> c.got.size() == output.length) && line.written().length == 3 * 17);

        for (Console c : consoles) {
            assertThat(c.got.toByteArray()).isEqualTo(output);
        }
        String typed = new String(line.written());
        for (int i = 0; i < 3; i++) {
            assertThat(typed).contains("client " + i + " says hi\n");
        }
        assertThat(bridge.status().clients()).isEqualTo(3);
        assertThat(bridge.status().lineBytesIn()).isEqualTo(output.length);
        assertThat(bridge.status().lineBytesOut()).isEqualTo(3 * 17);
    }

    @Test
    void aNewClientGetsTheScrollbackFirst() throws IOException {
        start(SerialBridgeOptions.defaults().withScrollback(1000));
        byte[] before = random(5000, 2);
        emit(before);

        Console late = connect();
        emit("after".getBytes());
        await(() -> late.got.size() == 1005);

        byte[] expected = new byte[1005];
        System.arraycopy(before, 4000, expected, 0, 1000);
        System.arraycopy("after".getBytes(), 0, expected, 1000, 5);
        assertThat(late.got.toByteArray()).isEqualTo(expected);
    }

    @Test
    void aStalledClientHoldsTheLineOnlyUntilItsStallTimeoutThenLosesItsOldestBytes() throws IOException {
        start(SerialBridgeOptions.defaults().withScrollback(0).withClientQueue(64 * 1024));
        Console stalled = connect();
        Console a = connect();
        Console b = connect();
        stalled.reading = false;
        byte[] output = random(4_000_000, 3);

        emit(output); // far more than the stalled client's window, send buffer and queue together

        await(() -> a.got.size() == output.length && b.got.size() == output.length);
        assertThat(a.got.toByteArray()).isEqualTo(output);
        assertThat(b.got.toByteArray()).isEqualTo(output);
        assertThat(bridge.status().droppedBytes()).as("the stalled client's oldest bytes were dropped").isPositive();
        assertThat(bridge.flow().stalledClients()).isEqualTo(1);
        assertThat(bridge.flow().pauses()).as("the line waited (for the stalled client, and for the others' windows)").isPositive();
        assertThat(stalled.conn.state()).isEqualTo(TcpState.ESTABLISHED);

        // It reads again: it gets what it had, then a gap, then the newest output, in order.
        stalled.reading = true;
        stalled.onReceive(stalled.conn);
        loop.runFor(5 * SECOND);
        byte[] got = stalled.got.toByteArray();
        assertThat(got.length).isLessThan(output.length);
        assertThat(got.length + bridge.status().droppedBytes()).isEqualTo(output.length);
        int tail = 64 * 1024;
        assertThat(Arrays.copyOfRange(got, got.length - tail, got.length))
                .isEqualTo(Arrays.copyOfRange(output, output.length - tail, output.length));
    }

    @Test
    void theDisconnectPolicyDropsAStalledClientAndCountsIt() throws IOException {
        start(SerialBridgeOptions.defaults().withScrollback(0).withClientQueue(64 * 1024)
                .withOverflow(SerialBridgeOptions.OverflowPolicy.DISCONNECT));
        Console stalled = connect();
        Console a = connect();
        stalled.reading = false;
        byte[] output = random(2_000_000, 4);

        emit(output);
        await(() -> a.got.size() == output.length);

        assertThat(a.got.toByteArray()).isEqualTo(output);
        assertThat(bridge.status().disconnectedSlow()).isEqualTo(1);
        assertThat(bridge.flow().stalledClients()).isEqualTo(1);
        assertThat(bridge.status().clients()).isEqualTo(1);
        assertThat(stalled.error).as("reset by the bridge").isNotNull();
    }

    @Test
    void withInputFirstOnlyTheOldestClientTypesUntilItLeaves() throws IOException {
        start(SerialBridgeOptions.defaults().withInput(SerialBridgeOptions.InputPolicy.FIRST));
        Console first = connect();
        Console second = connect();
        first.type("one");
        second.type("two");
        await(() -> line.written().length == 3 && bridge.status().inputDiscarded() == 3);
        assertThat(new String(line.written())).isEqualTo("one");
        assertThat(bridge.clients()).extracting(SerialBridge.ClientInfo::mayType).containsExactly(true, false);

        first.conn.shutdownOutput(); // FIN: the seed's way of leaving
        await(() -> first.eof);
        assertThat(bridge.status().clients()).isEqualTo(1);
        second.type("TWO");
        await(() -> line.written().length == 6);
        assertThat(new String(line.written())).isEqualTo("oneTWO");

        emit("later".getBytes());
        await(() -> second.got.toString().endsWith("later"));
        assertThat(first.got.toString()).as("a client that left gets nothing more").doesNotContain("later");
    }

    @Test
    void readOnlyBridgesDiscardInputAndCountIt() throws IOException {
        start(SerialBridgeOptions.defaults().withInput(SerialBridgeOptions.InputPolicy.NONE));
        Console c = connect();
        c.type("rm -rf /\n");
        await(() -> bridge.status().inputDiscarded() == 9);
        assertThat(line.written()).isEmpty();
    }

    @Test
    void telnetClientsNegotiateAndDataIsEscaped() throws IOException {
        start(SerialBridgeOptions.defaults().withTelnet(true));
        Console c = connect();
        byte[] greeting = {(byte) 255, (byte) 251, 1, (byte) 255, (byte) 251, 3, (byte) 255, (byte) 253, 3,
            (byte) 255, (byte) 251, 0, (byte) 255, (byte) 253, 0};
        await(() -> c.got.size() >= greeting.length);
        assertThat(c.got.toByteArray()).as("WILL ECHO, WILL SGA, DO SGA, WILL BINARY, DO BINARY").isEqualTo(greeting);
        c.got.reset();

        // The client agrees to what was offered (no answers: no loops), refuses nothing, asks for
        // an unknown option (refused), offers COM-PORT (accepted) and queries the baud rate.
        c.type(new byte[] {(byte) 255, (byte) 253, 1, (byte) 255, (byte) 253, 3, (byte) 255, (byte) 251, 3,
            (byte) 255, (byte) 253, 0, (byte) 255, (byte) 251, 0,
            (byte) 255, (byte) 253, 99,
            (byte) 255, (byte) 251, 44,
            (byte) 255, (byte) 250, 44, 1, 0, 0, 0, 0, (byte) 255, (byte) 240});
        byte[] answers = {(byte) 255, (byte) 252, 99, (byte) 255, (byte) 253, 44,
            (byte) 255, (byte) 250, 44, 101, 0, 1, (byte) 0xC2, 0, (byte) 255, (byte) 240};
        await(() -> c.got.size() >= answers.length);
        assertThat(c.got.toByteArray()).isEqualTo(answers);
        c.got.reset();

        // Data: 0xFF doubled on the way out, IAC IAC undone on the way in.
        emit(new byte[] {'a', (byte) 0xFF, 'b'});
        c.type(new byte[] {'x', (byte) 255, (byte) 255, 'y'});
        await(() -> c.got.size() == 4 && line.written().length == 3);
        assertThat(c.got.toByteArray()).isEqualTo(new byte[] {'a', (byte) 0xFF, (byte) 0xFF, 'b'});
        assertThat(line.written()).isEqualTo(new byte[] {'x', (byte) 0xFF, 'y'});
    }

    @Test
    void telnetOutsideBinaryModeTurnsEnterIntoCarriageReturn() {
        Telnet t = new Telnet();
        byte[] out = new byte[32];
        ByteArrayOutputStream replies = new ByteArrayOutputStream();
        byte[] in = {'l', 's', '\r', 0, 'p', 'w', 'd', '\r'};
        int n = t.decode(in, 0, in.length, out, replies);
        String first = new String(out, 0, n);
        n = t.decode(new byte[] {'\n', 'x'}, 0, 2, out, replies); // CR LF split across reads
        assertThat(first + new String(out, 0, n)).isEqualTo("ls\rpwd\rx");
        assertThat(t.encode(new byte[] {'a', '\r', 'b', '\r', '\n'}, 0, 5))
                .as("a bare CR is CR NUL outside binary mode").isEqualTo(new byte[] {'a', '\r', 0, 'b', '\r', '\n'});
    }

    @Test
    void clientsBeyondTheLimitAreRefused() throws IOException {
        start(SerialBridgeOptions.defaults().withMaxClients(2));
        connect();
        connect();
        Console third = new Console();
        third.conn = clientStack.tcp().connect(SERVER, SerialBridgeOptions.DEFAULT_PORT, third);
        loop.runFor(2 * SECOND);
        assertThat(third.error).isNotNull();
        assertThat(serverStack.counters().get("serial.clients.refused")).isEqualTo(1);
    }

    @Test
    void whenTheLineEndsClientsAreTold() throws IOException {
        start(SerialBridgeOptions.defaults());
        Console c = connect();
        line.receiver.ended("end of input");
        await(() -> c.got.toString().contains("ended: end of input"));
        assertThat(bridge.status().lineState()).isEqualTo("ended: end of input");
    }

    @Test
    void aGuestUartTalksToClientsBothWays() throws IOException {
        List<Boolean> irq = new ArrayList<>();
        UartLine uartLine = new UartLine(irq::add);
        Uart16550 uart = uartLine.uart();
        bridge = SerialBridge.start(serverStack, uartLine, SerialBridgeOptions.defaults());
        Console c = connect();
        uart.write(2, Uart16550.FCR_ENABLE);
        uart.write(1, Uart16550.IER_RX_DATA);

        for (byte b : "login: ".getBytes()) { // the guest's console driver writing THR
            while ((uart.read(5) & Uart16550.LSR_THRE) == 0) {
                Thread.onSpinWait();
            }
            uart.write(0, b);
        }
        await(() -> c.got.toString().equals("login: "));

        c.type("root\r");
        await(() -> irq.contains(true));
        StringBuilder typed = new StringBuilder();
        long deadline = System.nanoTime() + 20 * SECOND;
        while (typed.length() < 5 && System.nanoTime() < deadline) {
            if ((uart.read(5) & Uart16550.LSR_DATA_READY) != 0) {
                typed.append((char) uart.read(0));
            } else {
                loop.runFor(SECOND / 100);
            }
        }
        assertThat(typed).hasToString("root\r");
        uartLine.close();
    }
}
