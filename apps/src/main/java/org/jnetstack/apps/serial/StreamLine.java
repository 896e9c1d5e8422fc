package org.jnetstack.apps.serial;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A line made of an input and an output stream, read by a daemon platform thread (a read
 * blocked in the kernel would pin a virtual thread's carrier). {@code onClose} releases
 * whatever is behind the streams (a process, a socket, a file).
 */
final class StreamLine implements SerialLine {
    private final String description;
    private final InputStream in;
    private final OutputStream out;
    private final Runnable onClose;
    private volatile boolean closed;
    private Thread reader;

    StreamLine(String description, InputStream in, OutputStream out, Runnable onClose) {
        this.description = description;
        this.in = in;
        this.out = out;
        this.onClose = onClose;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void start(Receiver receiver) {
        reader = Thread.ofPlatform().daemon().name("serial " + description).start(() -> {
            byte[] buf = new byte[4096];
            String why = "end of input";
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n > 0) {
                        receiver.bytes(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                why = closed ? "closed" : "read failed: " + e.getMessage();
            }
            receiver.ended(why);
        });
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        out.write(buf, off, len);
        out.flush();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.run();
    }

    @Override
    public String toString() {
        return description;
    }
}
