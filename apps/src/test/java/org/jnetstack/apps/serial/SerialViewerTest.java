package org.jnetstack.apps.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge's viewers (the admin page's terminal): the scrollback then live output through a
 * bounded queue, and keystrokes under the input policy — one arrival order with the TCP clients.
 */
class SerialViewerTest {
    private static final int SERVER = Ipv4Address.parseBits("10.0.0.2");

    private final EventLoop loop = EventLoop.virtual();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack clientStack = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack serverStack = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
    private final SerialBridgeTest.TestLine line = new SerialBridgeTest.TestLine();
    private SerialBridge bridge;

    @AfterEach
    void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private SerialBridgeTest.Console connect() {
        SerialBridgeTest.Console c = new SerialBridgeTest.Console();
        c.conn = clientStack.tcp().connect(SERVER, SerialBridgeOptions.DEFAULT_PORT, c);
        assertThat(loop.runUntil(() -> c.connected, 10 * SECOND)).isTrue();
        loop.runFor(SECOND); // past the probe of its first bytes
        return c;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void aViewerGetsTheScrollbackThenLiveOutputAndDropsTheOldestWhenItsQueueIsFull() throws Exception {
        bridge = SerialBridge.start(serverStack, line, SerialBridgeOptions.defaults().withScrollback(1024).withClientQueue(1024));
        line.emit("booted\r\n".getBytes(StandardCharsets.US_ASCII));
        loop.runFor(SECOND / 10);

        SerialBridge.Viewer v = bridge.attach();
        assertThat(text(v.take(0))).isEqualTo("booted\r\n");
        assertThat(v.take(0)).isEmpty();
        byte[] burst = new byte[1027];
        java.util.Arrays.fill(burst, (byte) 'a');
        burst[3] = 'B'; // the first byte kept
        line.emit(burst);
        loop.runFor(SECOND / 10);

        byte[] got = v.take(0);
        assertThat(got).as("the newest 1024 bytes").hasSize(1024);
        assertThat(got[0]).isEqualTo((byte) 'B');
        assertThat(v.droppedBytes()).isEqualTo(3);
        bridge.detach(v, "closed by the test");
        assertThat(v.take(0)).isNull();
        assertThat(v.endReason()).isEqualTo("closed by the test");
    }

    @Test
    void underFirstAViewerTypesOnlyWhileNobodyCameBeforeIt() throws IOException, InterruptedException {
        bridge = SerialBridge.start(serverStack, line, SerialBridgeOptions.defaults()
                .withInput(SerialBridgeOptions.InputPolicy.FIRST));
        SerialBridgeTest.Console first = connect();
        SerialBridge.Viewer v = bridge.attach();

        assertThat(bridge.mayType(v)).isFalse();
        assertThat(bridge.type(v, "no\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(SerialBridge.Typed.NOT_ALLOWED);
        first.conn.close();
        loop.runFor(SECOND);
        assertThat(bridge.mayType(v)).as("the client that came first left").isTrue();
        assertThat(bridge.type(v, "yes\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(SerialBridge.Typed.SENT);
        long deadline = System.nanoTime() + 20 * SECOND;
        while (line.written().length < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(text(line.written())).isEqualTo("yes\n");

        SerialBridgeTest.Console later = connect();
        later.type("later\n");
        loop.runFor(SECOND);
        assertThat(text(line.written())).as("the viewer came first now").isEqualTo("yes\n");
    }

    @Test
    void underNoneAViewerNeverTypesAndADetachedOneNeither() throws IOException {
        bridge = SerialBridge.start(serverStack, line, SerialBridgeOptions.defaults()
                .withInput(SerialBridgeOptions.InputPolicy.NONE));
        SerialBridge.Viewer v = bridge.attach();
        assertThat(bridge.type(v, "x".getBytes(StandardCharsets.US_ASCII))).isEqualTo(SerialBridge.Typed.NOT_ALLOWED);
        bridge.close();
        bridge = null;
        assertThat(v.endReason()).isEqualTo("the serial console stopped");
    }

    @Test
    void aViewerCannotQueueMoreThanTheLineLimitBehindASlowLine() throws IOException {
        bridge = SerialBridge.start(serverStack, new SerialLine() { // a line that never takes anything
            @Override
            public String describe() {
                return "stuck line";
            }

            @Override
            public void start(Receiver r) {
            }

            @Override
            public void write(byte[] buf, int off, int len) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void close() {
            }
        }, SerialBridgeOptions.defaults());
        SerialBridge.Viewer v = bridge.attach();
        byte[] paste = new byte[4096];
        int sent = 0;
        SerialBridge.Typed t;
        while ((t = bridge.type(v, paste)) == SerialBridge.Typed.SENT) {
            sent += paste.length;
            assertThat(sent).isLessThanOrEqualTo(SerialBridge.TO_LINE_LIMIT_BYTES);
        }
        assertThat(t).isEqualTo(SerialBridge.Typed.BUSY);
        assertThat(sent).isGreaterThan(SerialBridge.TO_LINE_LIMIT_BYTES - 2 * paste.length);
    }
}
