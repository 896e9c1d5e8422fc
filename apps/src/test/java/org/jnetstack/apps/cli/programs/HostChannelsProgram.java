package org.jnetstack.apps.cli.programs;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordinary {@code java.nio} program for {@code jns java}: a Unix-domain server and client
 * ({@code SocketChannel.open(UNIX)}, {@code ServerSocketChannel.open(UNIX)}) exchange a line in
 * {@code DIR}, a {@code Pipe} carries another, and a TCP server channel is opened; what each did
 * is written, one line each, to {@code DIR/report.txt}. Arguments: {@code DIR}.
 */
public final class HostChannelsProgram {
    private HostChannelsProgram() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<String> report = new ArrayList<>();
        report.add("provider " + SelectorProvider.provider().getClass().getName());
        UnixDomainSocketAddress at = UnixDomainSocketAddress.of(dir.resolve("app.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(at);
            try (SocketChannel client = SocketChannel.open(at); SocketChannel accepted = server.accept()) {
                client.write(ByteBuffer.wrap("over a unix socket".getBytes(StandardCharsets.US_ASCII)));
                client.shutdownOutput();
                report.add("unix " + readAll(accepted) + " from a " + client.provider().getClass().getSimpleName());
            }
        }
        Pipe pipe = Pipe.open();
        pipe.sink().write(ByteBuffer.wrap("through a pipe".getBytes(StandardCharsets.US_ASCII)));
        pipe.sink().close();
        report.add("pipe " + readAll(pipe.source()));
        try (ServerSocketChannel tcp = ServerSocketChannel.open()) {
            tcp.bind(new InetSocketAddress(0));
            report.add("tcp " + tcp.provider().getClass().getName());
        }
        report.add("args " + String.join(",", List.of(args).subList(1, args.length)));
        Files.write(dir.resolve("report.txt"), report);
    }

    private static String readAll(java.nio.channels.ReadableByteChannel ch) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1000);
        while (ch.read(b) >= 0) {
            // until end of input
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }
}
