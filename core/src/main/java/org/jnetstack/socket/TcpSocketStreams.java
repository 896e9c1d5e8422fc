package org.jnetstack.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The streams of a {@link TcpSocket}: each call goes to the socket; closing either closes it. */
final class TcpSocketStreams {
    private TcpSocketStreams() {
    }

    /** {@link TcpSocket#getInputStream()}. */
    static final class Input extends InputStream {
        private final TcpSocket socket;

        Input(TcpSocket socket) {
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = socket.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return socket.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return socket.available();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** {@link TcpSocket#getOutputStream()}. */
    static final class Output extends OutputStream {
        private final TcpSocket socket;

        Output(TcpSocket socket) {
            this.socket = socket;
        }

        @Override
        public void write(int b) throws IOException {
            socket.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            socket.write(b, off, len);
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
