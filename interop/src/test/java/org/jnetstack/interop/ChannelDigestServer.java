package org.jnetstack.interop;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * An ordinary JDK program, run by {@link JavaCommandInteropTest} from a jar through {@code jns
 * java}: {@code PORT} opens a {@code ServerSocketChannel} (blocking), prints "listening PORT",
 * accepts one connection, reads it to EOF, answers "BYTES SHA256\n" and ends.
 */
public final class ChannelDigestServer {
    private ChannelDigestServer() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(Integer.parseInt(args[0])));
            System.out.println("listening " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            try (SocketChannel c = server.accept()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                ByteBuffer buf = ByteBuffer.allocate(65536);
                long total = 0;
                for (int n; (n = c.read(buf.clear())) >= 0; ) {
                    sha.update(buf.flip());
                    total += n;
                }
                ByteBuffer answer = ByteBuffer.wrap((total + " " + HexFormat.of().formatHex(sha.digest()) + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
                while (answer.hasRemaining()) {
                    c.write(answer);
                }
            }
        }
    }
}
