package org.jnetstack.apps.tftp;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The netascii transfer mode (RFC 1350 §1 and RFC 764's NVT): on the wire every line ends in
 * CR LF and a bare CR is sent as CR NUL. Files here use the Unix convention (LF), so reading
 * turns LF into CR LF and CR into CR NUL, and writing undoes it. Both keep state across
 * reads/writes, so a CR at the end of one block pairs with the byte that starts the next.
 */
final class Netascii {
    private Netascii() {
    }

    /** Encodes a local file for the wire (give it a buffered stream: it reads byte by byte). */
    static InputStream encode(InputStream in) {
        return new FilterInputStream(in) {
            private int pending = -1;

            @Override
            public int read() throws IOException {
                if (pending >= 0) {
                    int b = pending;
                    pending = -1;
                    return b;
                }
                int b = in.read();
                if (b == '\n') {
                    pending = '\n';
                    return '\r';
                }
                if (b == '\r') {
                    pending = 0;
                    return '\r';
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = 0;
                while (n < len) {
                    int b = read();
                    if (b < 0) {
                        return n == 0 ? -1 : n;
                    }
                    buf[off + n++] = (byte) b;
                }
                return n;
            }
        };
    }

    /** Decodes wire bytes into a local file: CR LF to LF, CR NUL to CR. */
    static OutputStream decode(OutputStream out) {
        return new FilterOutputStream(out) {
            private boolean sawCr;

            @Override
            public void write(int b) throws IOException {
                b &= 0xFF;
                if (sawCr) {
                    sawCr = false;
                    if (b == '\n') {
                        out.write('\n');
                        return;
                    }
                    if (b == 0) {
                        out.write('\r');
                        return;
                    }
                    out.write('\r'); // a CR followed by anything else: keep both (lenient, as most servers are)
                }
                if (b == '\r') {
                    sawCr = true;
                    return;
                }
                out.write(b);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(buf[off + i]);
                }
            }

            @Override
            public void close() throws IOException {
                if (sawCr) {
                    sawCr = false;
                    out.write('\r');
                }
                super.close();
            }
        };
    }
}
