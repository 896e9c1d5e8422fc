package org.jnetstack.apps.cli.programs;

import java.net.DatagramPacket;
import java.net.DatagramSocket;

/**
 * An ordinary {@code java.net} program for {@code jns java}: {@code PORT} echoes datagrams on a
 * plain {@code DatagramSocket} until one reads "stop", which it echoes too before it ends.
 */
public final class UdpEchoProgram {
    private UdpEchoProgram() {
    }

    public static void main(String[] args) throws Exception {
        try (DatagramSocket s = new DatagramSocket(Integer.parseInt(args[0]))) {
            byte[] buf = new byte[2048];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                s.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                if (new String(p.getData(), 0, p.getLength()).equals("stop")) {
                    return;
                }
            }
        }
    }
}
