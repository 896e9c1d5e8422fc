package org.jnetstack.apps.tftp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.loop.Timer;
import org.jnetstack.udp.UdpEndpoint;

/**
 * A test-only TFTP client on the callback API: lock-step get and put with its own fixed
 * retransmission timeout, as RFC 1350 clients do. It answers a duplicate DATA with its ACK and
 * never answers a duplicate ACK (RFC 1123 §4.2.3.1). It records every packet it received.
 */
final class TftpTestClient {
    static final long TIMEOUT = 1_000_000_000L;

    final NetStack stack;
    final UdpEndpoint endpoint;
    final int serverIp;
    final List<byte[]> received = new ArrayList<>();
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    Map<String, String> oack;
    int errorCode = -1;
    String errorMessage;
    boolean done;
    int serverPort = -1;
    int retransmissions;
    /** Packets arriving before this loop time are dropped unseen (a lossy start). */
    long ignoreUntilNanos = Long.MIN_VALUE;

    private final Timer timer;
    private byte[] last;
    private boolean writing;
    private byte[] toSend;
    private int blockSize = 512;
    private int block;
    private int sentOffset;
    private boolean lastSent;
    private int initialPort = 69;

    TftpTestClient(NetStack stack, int serverIp) {
        this.stack = stack;
        this.serverIp = serverIp;
        this.endpoint = stack.udp().open(0, this::onDatagram);
        this.timer = stack.loop().newTimer(this::onTimeout);
    }

    TftpTestClient get(String file, String mode, Map<String, String> options) {
        writing = false;
        block = 0;
        send(TftpPacket.request(TftpPacket.RRQ, file, mode, options), true);
        return this;
    }

    TftpTestClient put(String file, String mode, byte[] content, Map<String, String> options) {
        writing = true;
        toSend = content;
        block = 0;
        send(TftpPacket.request(TftpPacket.WRQ, file, mode, options), true);
        return this;
    }

    static Map<String, String> options(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private int consecutive;

    private void send(byte[] pkt, boolean reliable) {
        if (reliable && pkt != last) {
            consecutive = 0;
        }
        int port = serverPort < 0 ? initialPort : serverPort;
        endpoint.send(serverIp, port, pkt, 0, pkt.length);
        if (reliable) {
            last = pkt;
            timer.schedule(TIMEOUT);
        }
    }

    private void onTimeout() {
        if (done || last == null) {
            return;
        }
        retransmissions++;
        if (++consecutive > 20) {
            done = true;
            errorMessage = "client gave up";
            return;
        }
        send(last, true);
    }

    private void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
        if (stack.loop().clock().nanos() < ignoreUntilNanos) {
            return;
        }
        byte[] p = Arrays.copyOfRange(buf, off, off + len);
        received.add(p);
        if (done) {
            return;
        }
        if (serverPort < 0) {
            serverPort = srcPort; // RFC 1350 §4: the server's first reply fixes its TID
        } else if (srcPort != serverPort) {
            return;
        }
        int op = TftpPacket.opcode(p, 0, len);
        switch (op) {
            case TftpPacket.ERROR -> {
                errorCode = TftpPacket.block(p, 0);
                errorMessage = TftpPacket.errorMessage(p, 0, len);
                done = true;
                timer.cancel();
            }
            case TftpPacket.OACK -> {
                oack = parseOack(p);
                if (oack.containsKey("blksize")) {
                    blockSize = Integer.parseInt(oack.get("blksize"));
                }
                if (writing) {
                    sendNextData();
                } else {
                    send(ack(0), true);
                }
            }
            case TftpPacket.DATA -> {
                int n = TftpPacket.block(p, 0);
                if (n == ((block + 1) & 0xFFFF)) {
                    block = n;
                    data.write(p, 4, len - 4);
                    boolean lastBlock = len - 4 < blockSize;
                    if (lastBlock) {
                        timer.cancel();
                        last = null;
                        send(ack(n), false);
                        done = true;
                    } else {
                        send(ack(n), true);
                    }
                } else if (n == block) {
                    send(ack(n), false); // our ACK was lost: acknowledge again
                }
            }
            case TftpPacket.ACK -> {
                int n = TftpPacket.block(p, 0);
                if (writing && n == block) {
                    if (lastSent) {
                        timer.cancel();
                        done = true;
                    } else {
                        sendNextData();
                    }
                }
            }
            default -> {
            }
        }
    }

    private void sendNextData() {
        int n = Math.min(blockSize, toSend.length - sentOffset);
        block = (block + 1) & 0xFFFF;
        byte[] p = new byte[4 + n];
        TftpPacket.writeDataHeader(p, block);
        System.arraycopy(toSend, sentOffset, p, 4, n);
        sentOffset += n;
        lastSent = n < blockSize;
        send(p, true);
    }

    static byte[] ack(int n) {
        byte[] a = new byte[4];
        TftpPacket.writeAck(a, n);
        return a;
    }

    static Map<String, String> parseOack(byte[] p) {
        Map<String, String> m = new LinkedHashMap<>();
        int i = 2;
        while (i < p.length) {
            int z1 = i;
            while (p[z1] != 0) {
                z1++;
            }
            int z2 = z1 + 1;
            while (p[z2] != 0) {
                z2++;
            }
            m.put(new String(p, i, z1 - i), new String(p, z1 + 1, z2 - z1 - 1));
            i = z2 + 1;
        }
        return m;
    }

    /** Packets of opcode {@code op} received (with their block numbers, for DATA/ACK). */
    long count(int op, int blockNumber) {
        return received.stream().filter(p -> TftpPacket.opcode(p, 0, p.length) == op
                && (p.length < 4 || TftpPacket.block(p, 0) == blockNumber)).count();
    }
}
