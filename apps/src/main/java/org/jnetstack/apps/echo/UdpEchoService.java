package org.jnetstack.apps.echo;

import org.jnetstack.NetStack;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;

/**
 * The Echo Protocol over UDP (RFC 862): every datagram received on the port is sent back,
 * unchanged, to where it came from. Lives on the loop thread like the endpoint it owns.
 */
public final class UdpEchoService implements UdpHandler, AutoCloseable {
    /** RFC 862: "A UDP Based Echo Service is defined as a datagram based application on UDP ... port 7." */
    public static final int PORT = 7;

    private final UdpEndpoint endpoint;
    private long echoed;
    private long notEchoed;

    private UdpEchoService(NetStack stack, int port) {
        this.endpoint = stack.udp().open(port, this);
    }

    /** Opens the service on {@code port} of {@code stack}; call on the loop thread. */
    public static UdpEchoService open(NetStack stack, int port) {
        return new UdpEchoService(stack, port);
    }

    @Override
    public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
        // The payload is valid only during this call; send copies it into a new frame at once.
        if (ep.send(srcIp, srcPort, buf, off, len)) {
            echoed++;
        } else {
            notEchoed++;
        }
    }

    public int port() {
        return endpoint.localPort();
    }

    /** Datagrams sent back so far (loop thread). */
    public long echoed() {
        return echoed;
    }

    /** Datagrams the stack would not send back (no ARP entry, queue full, ...). */
    public long notEchoed() {
        return notEchoed;
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
