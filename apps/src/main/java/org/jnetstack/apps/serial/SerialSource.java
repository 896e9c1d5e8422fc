package org.jnetstack.apps.serial;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where the serial line comes from — what {@code --serial PATH|-}, {@code --serial-exec CMD}
 * and {@code --serial-unix PATH} name — and how each is opened as a {@link SerialLine}.
 */
public sealed interface SerialSource {
    /** Opens the line (the caller closes it). */
    SerialLine open() throws IOException;

    /** For status lines and the config file: {@code device /dev/ttyS0}, {@code exec "cat"}, ... */
    String describe();

    /** A tty or pty device, put in raw mode with {@code stty} (no echo, no line editing, 8 bits clean). */
    record Device(Path path) implements SerialSource {
        public Device {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public SerialLine open() throws IOException {
            if (!Files.exists(path)) {
                throw new IOException("serial device " + path + " does not exist");
            }
            raw(path);
            FileInputStream in = new FileInputStream(path.toFile());
            FileOutputStream out;
            try {
                out = new FileOutputStream(path.toFile());
            } catch (IOException e) {
                in.close();
                throw e;
            }
            return new StreamLine(describe(), in, out, () -> {
                closeQuietly(out);
                closeQuietly(in); // a read blocked on a tty may go on until the next byte; the thread is a daemon
            });
        }

        @Override
        public String describe() {
            return "device " + path;
        }

        /** {@code stty -F PATH raw -echo}: what a serial console needs (no CR/LF mapping, no signals, no echo). */
        private static void raw(Path path) throws IOException {
            Process p = new ProcessBuilder("stty", "-F", path.toString(), "raw", "-echo")
                    .redirectErrorStream(true).start();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("stty did not finish setting " + path + " to raw mode");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while setting " + path + " to raw mode", e);
            }
            if (p.exitValue() != 0) {
                String msg = new String(p.getInputStream().readAllBytes()).trim();
                throw new IOException("cannot set " + path + " to raw mode (is it a tty?): " + msg);
            }
        }
    }

    /** A child process ({@code sh -c CMD}): its standard output is the line's output, its standard input the line's input. */
    record Exec(String command) implements SerialSource {
        public Exec {
            if (command == null || command.isBlank()) {
                throw new IllegalArgumentException("serial exec command must not be empty");
            }
        }

        @Override
        public SerialLine open() throws IOException {
            Process p = new ProcessBuilder("sh", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new StreamLine(describe(), p.getInputStream(), p.getOutputStream(), () -> {
                closeQuietly(p.getOutputStream());
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        public String describe() {
            return "exec \"" + command + "\"";
        }
    }

    /** A Unix stream socket to connect to, as QEMU's {@code -serial unix:PATH,server} offers. */
    record Unix(Path path) implements SerialSource {
        public Unix {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public SerialLine open() throws IOException {
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path));
            // One reader thread and one writer thread on a blocking channel is allowed; plain
            // read/write (not Channels.newInputStream) so neither waits for the other.
            InputStream in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return ch.read(ByteBuffer.wrap(b, off, len));
                }
            };
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                }
            };
            return new StreamLine(describe(), in, out, () -> closeQuietly(ch));
        }

        @Override
        public String describe() {
            return "unix socket " + path;
        }
    }

    /** This process's standard input and output ({@code --serial -}). */
    record Stdio() implements SerialSource {
        @Override
        public SerialLine open() {
            // The descriptors themselves, not System.out: nothing else printed may slip into the line.
            return new StreamLine(describe(), new java.io.FileInputStream(java.io.FileDescriptor.in),
                    new java.io.FileOutputStream(java.io.FileDescriptor.out), () -> { });
        }

        @Override
        public String describe() {
            return "standard input/output";
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing more to do
        }
    }
}
