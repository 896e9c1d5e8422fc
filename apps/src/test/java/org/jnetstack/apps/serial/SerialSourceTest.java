package org.jnetstack.apps.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of line, opened for real: a child process, a Unix socket, and a device path that is not a tty. */
class SerialSourceTest {
    @TempDir
    Path dir;

    /** Collects what a line delivers, and when it ends. */
    static final class Collector implements SerialLine.Receiver {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile String why;

        @Override
        public synchronized void bytes(byte[] buf, int off, int len) {
            got.write(buf, off, len);
        }

        @Override
        public void ended(String reason) {
            why = reason;
            ended.countDown();
        }

        synchronized String text() {
            return got.toString();
        }

        void await(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!text().equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(text()).isEqualTo(expected);
        }
    }

    @Test
    void aChildProcessIsALine() throws Exception {
        SerialLine line = new SerialSource.Exec("cat").open();
        Collector c = new Collector();
        line.start(c);
        line.write("hello\n".getBytes(), 0, 6);
        c.await("hello\n");
        assertThat(line.describe()).isEqualTo("exec \"cat\"");
        line.close();
        assertThat(c.ended.await(20, TimeUnit.SECONDS)).as("the line ends when the process is gone").isTrue();
    }

    @Test
    void aProcessThatExitsEndsTheLine() throws Exception {
        SerialLine line = new SerialSource.Exec("printf 'boot ok'").open();
        Collector c = new Collector();
        line.start(c);
        assertThat(c.ended.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(c.text()).isEqualTo("boot ok");
        assertThat(c.why).isEqualTo("end of input");
        line.close();
    }

    @Test
    void aUnixSocketIsALineBothWays() throws Exception {
        Path path = dir.resolve("qemu-serial.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SerialLine line = new SerialSource.Unix(path).open();
            try (SocketChannel guest = server.accept()) {
                Collector c = new Collector();
                line.start(c);
                guest.write(ByteBuffer.wrap("login: ".getBytes()));
                c.await("login: ");
                line.write("root\r".getBytes(), 0, 5);
                ByteBuffer in = ByteBuffer.allocate(5);
                while (in.hasRemaining()) {
                    guest.read(in);
                }
                assertThat(new String(in.array())).isEqualTo("root\r");
            } finally {
                line.close();
            }
        }
    }

    @Test
    void devicesThatAreMissingOrNotTtysAreRefusedWithTheReason() throws IOException {
        assertThatThrownBy(() -> new SerialSource.Device(dir.resolve("ttyNOPE")).open())
                .isInstanceOf(IOException.class).hasMessageContaining("does not exist");
        Path plain = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> new SerialSource.Device(plain).open())
                .isInstanceOf(IOException.class).hasMessageContaining("cannot set " + plain + " to raw mode");
    }
}
