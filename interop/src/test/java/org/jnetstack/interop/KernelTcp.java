package org.jnetstack.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.jnetstack.testing.Netns;

/**
 * The kernel's side of the TCP interop tests: python3 socket programs run in a {@link Netns},
 * plus the test data (a seeded pseudo-random file) and SHA-256 of files.
 *
 * <p>Each script prints one result line, {@code RESULT <bytes received> <sha256 received> <MB/s received> <MB/s sent>},
 * so a test compares hashes instead of moving 100 MB through pipes into the JVM.
 */
final class KernelTcp {
    private KernelTcp() {
    }

    /** Sends FILE to HOST:PORT and half-closes, while reading (and hashing) everything that comes back. */
    static final String CLIENT = """
            import socket, sys, threading, hashlib, time
            host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            for attempt in range(100):
                try:
                    s = socket.create_connection((host, port), timeout=30)
                    break
                except ConnectionRefusedError:
                    time.sleep(0.1)
            s.settimeout(300)
            t0 = time.time()
            sent = [0, 0.0]
            def send():
                with open(path, 'rb') as f:
                    while True:
                        b = f.read(1 << 20)
                        if not b:
                            break
                        s.sendall(b)
                        sent[0] += len(b)
                s.shutdown(socket.SHUT_WR)
                sent[1] = time.time() - t0
            th = threading.Thread(target=send)
            th.start()
            h = hashlib.sha256(); n = 0
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                h.update(b); n += len(b)
            th.join()
            dt = time.time() - t0
            s.close()
            print("RESULT %d %s %.1f %.1f" % (n, h.hexdigest(), n / dt / 1e6, sent[0] / max(sent[1], 1e-6) / 1e6), flush=True)
            """;

    /**
     * Listens on HOST:PORT for one connection, sends FILE (or nothing for "-") and half-closes,
     * while reading and hashing everything the peer sends until its FIN.
     */
    static final String SERVER = """
            import socket, sys, threading, hashlib, time
            host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            ls = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((host, port)); ls.listen(1)
            print("LISTENING", flush=True)
            s, _ = ls.accept(); s.settimeout(300)
            t0 = time.time()
            def send():
                if path != "-":
                    with open(path, 'rb') as f:
                        while True:
                            b = f.read(1 << 20)
                            if not b:
                                break
                            s.sendall(b)
                s.shutdown(socket.SHUT_WR)
            th = threading.Thread(target=send)
            th.start()
            h = hashlib.sha256(); n = 0
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                h.update(b); n += len(b)
            th.join()
            dt = time.time() - t0
            s.close()
            print("RESULT %d %s %.1f 0" % (n, h.hexdigest(), n / dt / 1e6), flush=True)
            """;

    /** One {@code RESULT} line. */
    record Result(long bytes, String sha256, double megabytesPerSecond, double sentMegabytesPerSecond) {
        static Result parse(String output) {
            for (String line : output.split("\n")) {
                if (line.startsWith("RESULT ")) {
                    String[] f = line.trim().split(" ");
                    return new Result(Long.parseLong(f[1]), f[2], Double.parseDouble(f[3]), Double.parseDouble(f[4]));
                }
            }
            throw new AssertionError("no RESULT line in:\n" + output);
        }
    }

    static Path script(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** {@code bytes} of seeded pseudo-random data in a file. */
    static Path randomFile(Path dir, String name, long bytes, long seed) throws IOException {
        Path p = dir.resolve(name);
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(p)) {
            for (long left = bytes; left > 0; ) {
                r.nextBytes(buf);
                int n = (int) Math.min(left, buf.length);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return p;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
