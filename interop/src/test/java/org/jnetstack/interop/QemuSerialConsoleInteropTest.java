package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real guest's serial console through {@code jns run}'s serial bridge: QEMU's emulated 8250
 * UART is the line ({@code -serial chardev:s0} on a {@code -chardev socket} that
 * {@code jns run --serial-unix} connects to), the appliance runs on the user-mode network (no
 * root) and its serial port is reached through the printed forward on the host's 127.0.0.1. The
 * guest ({@link QemuGuest}, kernel command line {@code jns.console=1}) prints its boot log and
 * then runs a shell on ttyS0.
 * <ul>
 *   <li>Three reading clients, connected while the guest is still paused ({@code -S}, continued
 *   through the monitor), get the same bytes, and they are what QEMU logged of the chardev
 *   ({@code logfile}), the boot log and the shell's output, but for the bytes QEMU 7.2 repeats
 *   in its log (see {@link #assertLoggedByQemu}).</li>
 *   <li>A command typed by one client runs in the guest, and its output reaches all three.</li>
 *   <li>A fourth client that connects and never reads does not cost the readers a byte while
 *   the guest writes a burst of about 2.7 MB: the bridge holds the line back for it only for its
 *   stall timeout, then drops its oldest output instead. The burst is base64 of random bytes
 *   after their sha256, so each reader's copy is checked exactly on its own.</li>
 * </ul>
 * Needs no root. Skips (fails under CI=true) when QEMU, busybox-static, cpio or apt are missing.
 */
@Timeout(300)
class QemuSerialConsoleInteropTest {
    /** Random bytes the guest prints as base64 (4/3 as many characters, plus a CR LF every 76). */
    private static final int BURST_BYTES = 2_000_000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration BURST_WAIT = Duration.ofSeconds(150);

    @Test
    void readersGetTheConsoleByteExactTypingReachesTheGuestAndAClientThatNeverReadsHoldsNobodyUp() throws Exception {
        Requirements.tools(QemuGuest.TOOLS);
        Path guest = QemuGuest.build();
        Path run = Files.createDirectories(Jns.root().resolve("interop/target/qemu-serial"));
        Path serial = run.resolve("serial.sock");
        Path monitor = run.resolve("monitor.sock");
        Path log = run.resolve("serial.log");
        for (Path p : List.of(serial, monitor, log)) {
            Files.deleteIfExists(p);
        }
        List<AutoCloseable> cleanup = new ArrayList<>();
        try {
            // The guest paused (-S): nothing reaches the UART before the clients are there.
            Background vm = new Background("qemu", new ProcessBuilder(QemuGuest.command(guest,
                    "console=ttyS0 panic=-1 jns.console=1", "-S", "-nic", "none",
                    "-chardev", "socket,id=s0,path=" + serial + ",server=on,wait=off,logfile=" + log,
                    "-serial", "chardev:s0", "-monitor", "unix:" + monitor + ",server=on,wait=off"))
                    .redirectErrorStream(true).start());
            cleanup.add(vm);
            awaitSocket(serial, vm);
            awaitSocket(monitor, vm);

            Background jns = new Background("jns run", new ProcessBuilder(
                    Jns.command("run", "--serial-unix", serial.toString())).redirectErrorStream(true).start());
            cleanup.add(0, jns);
            // jns: forward 127.0.0.1:N -> port 1234 (serial console: nc 127.0.0.1 N)
            String forward = jns.awaitLine(l -> l.contains("(serial console: nc "), WAIT);
            Matcher m = Pattern.compile("forward 127\\.0\\.0\\.1:(\\d+) -> port 1234 ").matcher(forward);
            assertThat(m.find()).as(forward).isTrue();
            InetSocketAddress port = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)));

            List<Reader> readers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Reader r = new Reader(port, i);
                readers.add(r);
                cleanup.add(0, r);
            }
            // The client that never reads: a small receive buffer, so its window closes soon.
            Socket stalled = new Socket();
            stalled.setReceiveBufferSize(4096);
            stalled.connect(port, 10_000);
            cleanup.add(0, stalled);
            // Each connection reaches the bridge through the forward a moment after connect; the
            // bridge's scrollback (64 KiB, more than the boot log) would cover a late one anyway.
            Thread.sleep(500);
            try (SocketChannel mon = SocketChannel.open(UnixDomainSocketAddress.of(monitor))) {
                mon.write(ByteBuffer.wrap("cont\n".getBytes(StandardCharsets.US_ASCII)));
                for (Reader r : readers) {
                    r.await("JNS-CONSOLE\r\n", WAIT);
                    r.await("# ", WAIT); // the shell's prompt
                }
                // $((...)) is expanded by the guest's shell: the echoed command line does not hold the result.
                readers.get(0).type("echo jns-$((6*7))\n");
                for (Reader r : readers) {
                    r.await("\njns-42\r\n", WAIT);
                }
                long start = System.nanoTime();
                readers.get(1).type("head -c " + BURST_BYTES + " /dev/urandom >/tmp/r; sha256sum /tmp/r; base64 /tmp/r;"
                        + " echo JNS-BURST-$((1+1))\n");
                for (Reader r : readers) {
                    r.await("\nJNS-BURST-2\r\n", BURST_WAIT);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("QemuSerialConsoleInteropTest: the burst (" + Files.size(log) + " bytes logged in all)"
                        + " reached the three readers in " + millis + " ms");
                // QEMU quits: its log is complete, and the guest writes nothing more. The monitor's
                // connection stays open until then: QEMU may drop a command still unread at its close.
                mon.write(ByteBuffer.wrap("quit\n".getBytes(StandardCharsets.US_ASCII)));
                assertThat(vm.awaitExit(WAIT)).as("qemu quits; it printed:\n" + vm.output()).isZero();
            }
            byte[] logged = Files.readAllBytes(log);
            byte[] first = null;
            for (Reader r : readers) {
                r.awaitQuiet(WAIT);
                byte[] all = r.bytes();
                Files.write(run.resolve("reader" + r.index), all); // for a look after a failure
                // When QEMU closed the socket, the bridge told its clients so on a line of its own.
                String end = "\r\n[jns: serial line unix socket " + serial + " ended: end of input]\r\n";
                String text = new String(all, StandardCharsets.ISO_8859_1);
                assertThat(text).as("reader " + r.index + "'s last bytes").endsWith(end);
                byte[] got = Arrays.copyOf(all, all.length - end.length());
                assertBurstDecodes(got, "reader " + r.index);
                assertLoggedByQemu(got, logged, "reader " + r.index);
                if (first == null) {
                    first = got;
                } else {
                    assertThat(Arrays.equals(got, first)).as("reader " + r.index + " got the same bytes as reader 0").isTrue();
                }
            }
            // The client that never read now reads what was kept for it: less than the readers got,
            // for its oldest output was dropped once it counted as stalled, instead of holding the line.
            long kept = drain(stalled);
            System.out.println("QemuSerialConsoleInteropTest: the client that never read got " + kept + " of " + first.length + " bytes");
            assertThat(kept).as("bytes the client that never read gets in the end").isBetween(1L, first.length - 1L);
            assertThat(jns.output()).doesNotContain("Exception");
        } finally {
            for (AutoCloseable c : cleanup) {
                c.close();
            }
        }
    }

    /**
     * The burst as the guest printed it — {@code SHA256  /tmp/r}, the base64 lines, JNS-BURST-2 —
     * decodes to {@link #BURST_BYTES} bytes with that sha256: not a byte lost, added or changed.
     */
    private static void assertBurstDecodes(byte[] got, String who) throws Exception {
        String text = new String(got, StandardCharsets.ISO_8859_1);
        int sumEnd = text.indexOf("  /tmp/r\r\n");
        assertThat(sumEnd).as(who + ": the guest's sha256sum line").isGreaterThan(64);
        String sha = text.substring(sumEnd - 64, sumEnd);
        int from = sumEnd + "  /tmp/r\r\n".length();
        int to = text.indexOf("\r\nJNS-BURST-2\r\n", from);
        byte[] data = Base64.getMimeDecoder().decode(text.substring(from, to));
        assertThat(data.length).as(who + ": bytes decoded from the burst").isEqualTo(BURST_BYTES);
        String decodedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(decodedSha).as(who + ": sha256 of the decoded burst, against the guest's").isEqualTo(sha);
    }

    /**
     * QEMU's log of the chardev holds what a client got, except that QEMU 7.2 writes a byte to the
     * log twice now and then (about one in a few thousand; with a plain Unix-socket reader in
     * place of jns too): each byte of the log is the client's next byte or a repeat of the log's
     * previous one. A lost or changed stretch of output fails this; the repeats are counted.
     */
    private static void assertLoggedByQemu(byte[] got, byte[] logged, String who) {
        int i = 0;
        int repeats = 0;
        for (int j = 0; j < logged.length; j++) {
            if (i < got.length && got[i] == logged[j]) {
                i++;
            } else if (j > 0 && logged[j] == logged[j - 1]) {
                repeats++;
            } else {
                int from = Math.max(0, j - 40);
                throw new AssertionError(who + " got " + got.length + " bytes, QEMU logged " + logged.length
                        + "; log byte " + j + " is neither the client's byte " + i + " nor a repeat:\n got:    "
                        + excerpt(got, Math.max(0, i - 40)) + "\n logged: " + excerpt(logged, from));
            }
        }
        assertThat(i).as(who + ": bytes the client got beyond QEMU's log").isEqualTo(got.length);
        assertThat(repeats).as(who + ": bytes QEMU's log repeats").isLessThan(logged.length / 100);
    }

    private static String excerpt(byte[] b, int from) {
        int to = Math.min(b.length, from + 120);
        return from >= to ? "(end)" : new String(b, from, to - from, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Reads until the end, or until nothing came for 3 s; returns how many bytes. */
    private static long drain(Socket socket) throws IOException {
        socket.setSoTimeout(3000);
        long total = 0;
        byte[] b = new byte[65536];
        try {
            for (int n; (n = socket.getInputStream().read(b)) > 0; ) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            // all there was
        }
        return total;
    }

    private static void awaitSocket(Path socket, Background vm) throws InterruptedException {
        for (int i = 0; i < 300 && !Files.exists(socket); i++) {
            assertThat(vm.isAlive()).as("qemu runs; it printed:\n" + vm.output()).isTrue();
            Thread.sleep(100);
        }
        assertThat(socket).as("QEMU's listening socket").exists();
    }

    /** A client of the serial port that reads everything into memory on a thread of its own. */
    private static final class Reader implements AutoCloseable {
        final int index;
        private final Socket socket;
        private byte[] got = new byte[1 << 20];
        private int size;
        /** Where the next {@link #await} starts looking: after what the last one found. */
        private int seen;

        Reader(InetSocketAddress port, int index) throws IOException {
            this.index = index;
            this.socket = new Socket();
            socket.connect(port, 10_000);
            Thread.ofPlatform().daemon().name("serial-reader-" + index).start(this::readAll);
        }

        private void readAll() {
            byte[] b = new byte[65536];
            try (InputStream in = socket.getInputStream()) {
                for (int n; (n = in.read(b)) > 0; ) {
                    synchronized (this) {
                        if (size + n > got.length) {
                            got = Arrays.copyOf(got, Math.max(size + n, 2 * got.length));
                        }
                        System.arraycopy(b, 0, got, size, n);
                        size += n;
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // closed by the test
            }
        }

        void type(String s) throws IOException {
            socket.getOutputStream().write(s.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }

        synchronized byte[] bytes() {
            return Arrays.copyOf(got, size);
        }

        /** Waits until {@code s} has arrived after what the previous await found. */
        synchronized void await(String s, Duration timeout) throws InterruptedException {
            byte[] want = s.getBytes(StandardCharsets.US_ASCII);
            long end = System.nanoTime() + timeout.toNanos();
            int from = seen;
            while (true) {
                for (int i = from; i + want.length <= size; i++) {
                    if (Arrays.equals(got, i, i + want.length, want, 0, want.length)) {
                        seen = i + want.length;
                        return;
                    }
                }
                from = Math.max(from, size - want.length + 1);
                long left = end - System.nanoTime();
                if (left <= 0) {
                    String tail = new String(got, Math.max(0, size - 300), Math.min(size, 300), StandardCharsets.ISO_8859_1);
                    throw new AssertionError("reader " + index + " did not get '" + s.replace("\r\n", "\\r\\n") + "' within "
                            + timeout + "; it got " + size + " bytes, ending:\n" + tail);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }

        /** Waits until nothing has arrived for a second: the rest of what QEMU sent before it quit is here. */
        synchronized void awaitQuiet(Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            for (int before = -1; before != size && System.nanoTime() < end; ) {
                before = size;
                wait(1000);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
