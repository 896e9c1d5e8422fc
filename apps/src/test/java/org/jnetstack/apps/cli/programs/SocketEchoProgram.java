package org.jnetstack.apps.cli.programs;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * An ordinary {@code java.net} program for {@code jns java}: {@code PORT} accepts one connection
 * on a plain {@code ServerSocket}, echoes everything it reads until EOF, then ends.
 */
public final class SocketEchoProgram {
    private SocketEchoProgram() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]));
             Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            in.transferTo(out);
        }
    }
}
