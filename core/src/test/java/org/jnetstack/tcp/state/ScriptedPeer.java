package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.DeviceAttachment;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpHeader;
import org.jnetstack.wire.TcpSegment;

/**
 * One stack on a virtual wire (virtual clock) opposite a peer that the test scripts segment by
 * segment: {@link #send} crafts a TCP/IPv4 frame with the wire codecs and hands it to the stack;
 * every TCP segment the stack sends is parsed and kept until {@link #take()}. The peer offers
 * neither window scaling nor timestamps, so the stack's windows are plain byte counts and no
 * option but MSS and SACK is in play.
 */
final class ScriptedPeer {
    static final int STACK_IP = Ipv4Address.parseBits("10.0.0.1");
    static final int PEER_IP = Ipv4Address.parseBits("10.0.0.2");
    /** The stack's receive buffer: small, so that its advertised window is an exact, checkable number. */
    static final int RECEIVE_BUFFER = 8192;

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire();
    final TcpConfig config;
    final NetStack stack;
    private final List<Segment> sent = new ArrayList<>();
    private final List<String> otherFrames = new ArrayList<>();
    private final TcpSegment view = new TcpSegment();
    private int ipId = 1;

    ScriptedPeer() {
        this(TcpConfig.defaults().toBuilder().receiveBuffer(RECEIVE_BUFFER).build());
    }

    ScriptedPeer(TcpConfig config) {
        this.config = config;
        stack = NetStack.builder(loop).name("stack").device(wire.a()).address("10.0.0.1/24").seed(1).tcpConfig(config).build();
        DeviceAttachment.attach(loop, wire.b(), this::onFrame);
        stack.iface().neighbors().putStatic(PEER_IP, wire.b().mac());
        loop.runPending();
    }

    private void onFrame(byte[] buf, int off, int len) {
        if (len < 34 || (((buf[off + 12] & 0xFF) << 8) | (buf[off + 13] & 0xFF)) != EthernetFrame.TYPE_IPV4) {
            return; // ARP: the peer's address is known statically
        }
        Ipv4Packet ip = new Ipv4Packet().wrap(buf, off + EthernetFrame.HEADER_LENGTH, len - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).as("IPv4 header the stack sent").isNull();
        if (ip.protocol() != Ipv4Packet.PROTO_TCP) {
            otherFrames.add("IPv4 protocol " + ip.protocol());
            return;
        }
        view.wrap(buf, ip.payloadOffset(), ip.payloadLength());
        assertThat(view.check(ip.source(), ip.destination())).as("TCP segment the stack sent").isNull();
        assertThat(ip.source()).isEqualTo(STACK_IP);
        assertThat(ip.destination()).isEqualTo(PEER_IP);
        sent.add(Segment.parse(view));
    }

    /** Sends one segment from the peer to the stack and lets the stack answer (no time passes). */
    void send(int srcPort, int dstPort, int seq, int ack, int flags, int window, byte[] payload, TcpOptions options) {
        int tcpHeader = TcpSegment.headerLength(options);
        int tcpLength = tcpHeader + payload.length;
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + tcpLength];
        int tcpOff = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        System.arraycopy(payload, 0, f, tcpOff + tcpHeader, payload.length);
        TcpSegment.write(f, tcpOff, new TcpHeader().ports(srcPort, dstPort).segment(seq, ack, flags, window).options(options),
                payload.length, PEER_IP, STACK_IP);
        Ipv4Packet.writeHeader(f, EthernetFrame.HEADER_LENGTH,
                new Ipv4Header().tos(0).totalLength(Ipv4Packet.MIN_HEADER_LENGTH + tcpLength)
                .identification(ipId++).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(PEER_IP, STACK_IP));
        EthernetFrame.write(f, 0, wire.a().mac().bits(), wire.b().mac().bits(), EthernetFrame.TYPE_IPV4);
        assertThat(wire.b().send(f, 0, f.length)).as("the wire took the frame").isTrue();
        loop.runPending();
    }

    /** Every segment the stack sent since the last call, oldest first. */
    List<Segment> take() {
        assertThat(otherFrames).as("non-TCP IPv4 frames the stack sent").isEmpty();
        List<Segment> out = List.copyOf(sent);
        sent.clear();
        return out;
    }

    /** The one segment the stack sent since the last call; fails if it sent none or several. */
    Segment takeOne() {
        List<Segment> s = take();
        assertThat(s).as("segments the stack sent").hasSize(1);
        return s.get(0);
    }

    /** Fails if the stack sent anything since the last call. */
    void expectSilence() {
        assertThat(take()).as("segments the stack sent").isEmpty();
    }

    /** Lets {@code nanos} of virtual time pass. */
    void runFor(long nanos) {
        loop.runFor(nanos);
    }

    /**
     * The application on the stack's side: records every callback and, unless told to stop,
     * reads whatever arrives (so the receive window reopens).
     */
    static final class App implements TcpHandler {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        boolean reading = true;
        IOException error;
        TcpConnection connection;

        @Override
        public void onConnected(TcpConnection c) {
            connection = c;
            events.add("connected");
        }

        @Override
        public void onReceive(TcpConnection c) {
            if (!reading) {
                return;
            }
            byte[] buf = new byte[4096];
            int n;
            while ((n = c.read(buf, 0, buf.length)) > 0) {
                received.write(buf, 0, n);
            }
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            onReceive(c);
            events.add("eof");
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            error = e;
            events.add("error");
        }

        @Override
        public void onClosed(TcpConnection c) {
            events.add("closed");
        }
    }
}
