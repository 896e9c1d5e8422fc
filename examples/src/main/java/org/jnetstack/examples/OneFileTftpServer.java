package org.jnetstack.examples;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.UdpSocket;

/**
 * uSock's TFTP server on the blocking UDP socket: it answers read requests (RFC 1350) for one
 * file, one client at a time. Each transfer runs from a fresh port (the server's TID, RFC 1350
 * §4) in 512-byte blocks, each sent until its ACK comes back; a last block shorter than 512
 * bytes ends it.
 *
 * <pre>
 * sudo java -cp ... org.jnetstack.examples.OneFileTftpServer jns0 10.0.0.2/24 hello.txt
 * tftp 10.0.0.2 -c get hello.txt
 * </pre>
 */
public final class OneFileTftpServer {
    static final int RRQ = 1, WRQ = 2, DATA = 3, ACK = 4, ERROR = 5;
    static final int BLOCK = 512;
    static final int TRIES = 5;
    static final int ACK_TIMEOUT_MS = 1000;

    private final NetStack stack;
    private final String name;
    private final byte[] content;

    public OneFileTftpServer(NetStack stack, String name, byte[] content) {
        this.stack = stack;
        this.name = name;
        this.content = content;
    }

    /** Answers requests on {@code port} (69) until the socket is closed. */
    public void serve(UdpSocket requests) {
        DatagramPacket p = new DatagramPacket(new byte[BLOCK + 4], BLOCK + 4);
        while (true) {
            try {
                p.setLength(p.getData().length);
                requests.receive(p);
                handle(p);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void handle(DatagramPacket request) throws IOException {
        InetSocketAddress client = new InetSocketAddress(request.getAddress(), request.getPort());
        ByteBuffer b = ByteBuffer.wrap(request.getData(), 0, request.getLength());
        int opcode = b.remaining() >= 2 ? b.getShort() & 0xFFFF : -1;
        try (UdpSocket transfer = new UdpSocket(stack)) { // our TID for this transfer
            transfer.connect(client);
            if (opcode != RRQ) {
                sendError(transfer, 4, opcode == WRQ ? "this server only sends" : "illegal TFTP operation");
                return;
            }
            String file = zeroTerminated(b);
            String mode = zeroTerminated(b);
            if (file == null || mode == null || !file.equals(name)) {
                sendError(transfer, 1, "File not found");
                return;
            }
            send(transfer);
        }
    }

    /** Blocks 1, 2, ... of the file, each retransmitted until acknowledged (RFC 1350 §6: lock-step). */
    private void send(UdpSocket transfer) throws IOException {
        transfer.setSoTimeout(ACK_TIMEOUT_MS);
        DatagramPacket ack = new DatagramPacket(new byte[BLOCK + 4], BLOCK + 4);
        for (int block = 1, off = 0; ; block++, off += BLOCK) {
            int len = Math.min(BLOCK, content.length - off);
            ByteBuffer data = ByteBuffer.allocate(4 + len).putShort((short) DATA).putShort((short) block).put(content, off, len);
            if (!sendUntilAcked(transfer, data.array(), block, ack)) {
                return; // the client went away
            }
            if (len < BLOCK) {
                return; // the short block was the last (an exact multiple of 512 ends with an empty block)
            }
        }
    }

    private static boolean sendUntilAcked(UdpSocket transfer, byte[] data, int block, DatagramPacket ack) throws IOException {
        for (int attempt = 0; attempt < TRIES; attempt++) {
            transfer.send(new DatagramPacket(data, data.length));
            try {
                while (true) {
                    ack.setLength(ack.getData().length);
                    transfer.receive(ack);
                    ByteBuffer a = ByteBuffer.wrap(ack.getData(), 0, ack.getLength());
                    if (a.remaining() >= 4 && a.getShort() == ACK && (a.getShort() & 0xFFFF) == (block & 0xFFFF)) {
                        return true;
                    }
                    // a duplicate ACK of the previous block: keep waiting (no resend — RFC 1123 §4.2.3.1, Sorcerer's Apprentice)
                }
            } catch (SocketTimeoutException lost) {
                // resend
            }
        }
        return false;
    }

    private static void sendError(UdpSocket to, int code, String message) throws IOException {
        byte[] text = message.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer e = ByteBuffer.allocate(5 + text.length).putShort((short) ERROR).putShort((short) code).put(text).put((byte) 0);
        to.send(new DatagramPacket(e.array(), e.capacity()));
    }

    private static String zeroTerminated(ByteBuffer b) {
        int start = b.position();
        while (b.hasRemaining()) {
            if (b.get() == 0) {
                return new String(b.array(), start, b.position() - 1 - start, StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    /** {@code OneFileTftpServer TAP ADDRESS/PREFIX FILE}: serve FILE (by its name) until killed. */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: OneFileTftpServer TAP ADDRESS/PREFIX FILE");
            System.exit(2);
        }
        Path file = Path.of(args[2]);
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).build();
        loop.start();
        try (UdpSocket requests = new UdpSocket(stack, 69)) {
            System.out.println("tftp on " + args[1] + " port 69 serving " + file.getFileName());
            new OneFileTftpServer(stack, file.getFileName().toString(), Files.readAllBytes(file)).serve(requests);
        }
    }
}
