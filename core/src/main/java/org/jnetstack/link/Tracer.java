package org.jnetstack.link;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.Consumer;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.MacAddress;
import org.jnetstack.wire.Malformed;
import org.jnetstack.wire.TcpSegment;
import org.jnetstack.wire.UdpDatagram;

/**
 * Middleware that describes every frame, received and sent, in one tcpdump-like line:
 *
 * <pre>
 * 00:00:01.000123 a rx 02:00:00:00:00:02 &gt; ff:ff:ff:ff:ff:ff ARP who-has 10.0.0.1 tell 10.0.0.2
 * 00:00:01.000200 a tx 02:00:00:00:00:01 &gt; 02:00:00:00:00:02 IP 10.0.0.1 &gt; 10.0.0.2: ICMP echo reply id 1 seq 3, length 64
 * 00:00:01.000300 a rx 02:00:00:00:00:02 &gt; 02:00:00:00:00:01 IP 10.0.0.2.40000 &gt; 10.0.0.1.80: Flags [S], seq 1000, win 64240, length 0
 * </pre>
 *
 * Time of day is the loop clock's, in UTC; the name is the device's. Lines go to the
 * {@code System.Logger} named {@code org.jnetstack.trace} at {@code TRACE} level (nothing is
 * formatted while that level is off), or to a given consumer. Headers are read with the
 * {@code org.jnetstack.wire} views; a header that does not parse is shown with the reason, e.g.
 * {@code IP [bad_checksum], length 40}. Checksums of UDP and TCP are not verified here.
 */
public final class Tracer extends ForwardingDevice {
    /** The logger that receives trace lines unless a consumer is given. */
    public static final String LOGGER_NAME = "org.jnetstack.trace";
    private static final System.Logger LOG = System.getLogger(LOGGER_NAME);

    private final Consumer<String> sink;
    private final StringBuilder line = new StringBuilder(160);
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();
    private final UdpDatagram udp = new UdpDatagram();
    private final TcpSegment tcp = new TcpSegment();

    private Tracer(LinkDevice inner, Consumer<String> sink) {
        super(inner);
        this.sink = sink;
    }

    /** Traces to the {@code org.jnetstack.trace} logger at TRACE level. */
    public static Tracer wrap(LinkDevice device) {
        return new Tracer(device, null);
    }

    /** Traces every frame to {@code lines}. */
    public static Tracer wrap(LinkDevice device, Consumer<String> lines) {
        return new Tracer(device, Objects.requireNonNull(lines, "lines"));
    }

    private boolean enabled() {
        return sink != null || LOG.isLoggable(Level.TRACE);
    }

    @Override
    protected void received(byte[] buf, int off, int len, FrameHandler up) {
        if (enabled()) {
            emit("rx", buf, off, len);
        }
        up.onFrame(buf, off, len, rxFlags());
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        if (enabled()) {
            Objects.checkFromIndexSize(off, len, buf.length);
            emit("tx", buf, off, len);
        }
        return inner.send(buf, off, len);
    }

    @Override
    public LinkOffloads offloads() {
        return inner.offloads();
    }

    @Override
    public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
        if (enabled()) {
            Objects.checkFromIndexSize(off, len, buf.length);
            emit("tx", buf, off, len);
        }
        return inner.sendOffloaded(buf, off, len, checksumStart, checksumOffset, segmentSize);
    }

    private void emit(String direction, byte[] buf, int off, int len) {
        DeviceContext c = context();
        long micros = c == null ? org.jnetstack.loop.SystemClock.INSTANCE.epochMicros() : c.loop().clock().epochMicros();
        String text = describe(micros, direction, buf, off, len);
        if (sink != null) {
            sink.accept(text);
        } else {
            LOG.log(Level.TRACE, text);
        }
    }

    /** Formats one line (package-private for tests). */
    String describe(long epochMicros, String direction, byte[] buf, int off, int len) {
        StringBuilder sb = line;
        sb.setLength(0);
        timeOfDay(sb, epochMicros);
        sb.append(' ').append(name()).append(' ').append(direction).append(' ');
        eth.wrap(buf, off, len);
        if (len < EthernetFrame.HEADER_LENGTH) {
            return sb.append("[truncated ethernet], length ").append(len).toString();
        }
        sb.append(MacAddress.format(eth.source())).append(" > ").append(MacAddress.format(eth.destination())).append(' ');
        int type = eth.etherType();
        int p = eth.payloadOffset();
        int pl = eth.payloadLength();
        switch (type) {
            case EthernetFrame.TYPE_ARP -> arp(sb, buf, p, pl);
            case EthernetFrame.TYPE_IPV4 -> ipv4(sb, buf, p, pl);
            case EthernetFrame.TYPE_IPV6 -> sb.append("IP6, length ").append(pl);
            case EthernetFrame.TYPE_VLAN, EthernetFrame.TYPE_QINQ -> sb.append("802.1Q vlan, length ").append(pl);
            default -> {
                sb.append("ethertype 0x");
                hex4(sb, type);
                sb.append(", length ").append(pl);
            }
        }
        return sb.toString();
    }

    private void arp(StringBuilder sb, byte[] buf, int off, int len) {
        arp.wrap(buf, off, len);
        Malformed m = arp.check();
        if (m != null) {
            sb.append("ARP [").append(m.id()).append("], length ").append(len);
            return;
        }
        if (arp.operation() == ArpPacket.OP_REQUEST) {
            sb.append("ARP who-has ").append(Ipv4Address.format(arp.targetIp()))
                    .append(" tell ").append(Ipv4Address.format(arp.senderIp()));
        } else {
            sb.append("ARP reply ").append(Ipv4Address.format(arp.senderIp()))
                    .append(" is-at ").append(MacAddress.format(arp.senderMac()));
        }
    }

    private void ipv4(StringBuilder sb, byte[] buf, int off, int len) {
        ip.wrap(buf, off, len);
        Malformed m = ip.check();
        if (m != null) {
            sb.append("IP [").append(m.id()).append("], length ").append(len);
            return;
        }
        int src = ip.source();
        int dst = ip.destination();
        int po = ip.payloadOffset();
        int pl = ip.payloadLength();
        if (ip.fragmentOffset() != 0) {
            // A later fragment carries no transport header.
            sb.append("IP ").append(Ipv4Address.format(src)).append(" > ").append(Ipv4Address.format(dst))
                    .append(": fragment id ").append(ip.identification())
                    .append(" offset ").append(ip.fragmentOffset())
                    .append(ip.moreFragments() ? "+" : "").append(", length ").append(pl);
            return;
        }
        switch (ip.protocol()) {
            case Ipv4Packet.PROTO_ICMP -> icmp(sb, buf, po, pl, src, dst);
            case Ipv4Packet.PROTO_UDP -> udp(sb, buf, po, pl, src, dst);
            case Ipv4Packet.PROTO_TCP -> tcp(sb, buf, po, pl, src, dst);
            default -> addresses(sb, src, -1, dst, -1).append("ip-proto-").append(ip.protocol())
                    .append(", length ").append(pl);
        }
        if (ip.moreFragments()) {
            sb.append(" (first fragment, id ").append(ip.identification()).append(')');
        }
    }

    private static StringBuilder addresses(StringBuilder sb, int src, int sport, int dst, int dport) {
        sb.append("IP ").append(Ipv4Address.format(src));
        if (sport >= 0) {
            sb.append('.').append(sport);
        }
        sb.append(" > ").append(Ipv4Address.format(dst));
        if (dport >= 0) {
            sb.append('.').append(dport);
        }
        return sb.append(": ");
    }

    private void icmp(StringBuilder sb, byte[] buf, int off, int len, int src, int dst) {
        addresses(sb, src, -1, dst, -1);
        icmp.wrap(buf, off, len);
        if (len < IcmpMessage.HEADER_LENGTH) {
            sb.append("ICMP [truncated], length ").append(len);
            return;
        }
        sb.append("ICMP ");
        switch (icmp.type()) {
            case IcmpMessage.TYPE_ECHO_REQUEST, IcmpMessage.TYPE_ECHO_REPLY ->
                    sb.append(icmp.type() == IcmpMessage.TYPE_ECHO_REQUEST ? "echo request" : "echo reply")
                            .append(" id ").append(icmp.identifier()).append(" seq ").append(icmp.sequence());
            case IcmpMessage.TYPE_DEST_UNREACHABLE -> sb.append(switch (icmp.code()) {
                case IcmpMessage.CODE_NET_UNREACHABLE -> "net unreachable";
                case IcmpMessage.CODE_HOST_UNREACHABLE -> "host unreachable";
                case IcmpMessage.CODE_PROTOCOL_UNREACHABLE -> "protocol unreachable";
                case IcmpMessage.CODE_PORT_UNREACHABLE -> "port unreachable";
                case IcmpMessage.CODE_FRAGMENTATION_NEEDED -> "unreachable - need to frag";
                default -> "unreachable code " + icmp.code();
            });
            case IcmpMessage.TYPE_TIME_EXCEEDED -> sb.append(icmp.code() == IcmpMessage.CODE_TTL_EXCEEDED
                    ? "time exceeded in-transit" : "ip reassembly time exceeded");
            case IcmpMessage.TYPE_REDIRECT -> sb.append("redirect");
            default -> sb.append("type ").append(icmp.type()).append(" code ").append(icmp.code());
        }
        sb.append(", length ").append(len);
    }

    private void udp(StringBuilder sb, byte[] buf, int off, int len, int src, int dst) {
        if (len < UdpDatagram.HEADER_LENGTH) {
            addresses(sb, src, -1, dst, -1).append("UDP [truncated], length ").append(len);
            return;
        }
        udp.wrap(buf, off, len);
        addresses(sb, src, udp.sourcePort(), dst, udp.destinationPort())
                .append("UDP, length ").append(Math.max(0, udp.length() - UdpDatagram.HEADER_LENGTH));
    }

    private void tcp(StringBuilder sb, byte[] buf, int off, int len, int src, int dst) {
        if (len < TcpSegment.MIN_HEADER_LENGTH) {
            addresses(sb, src, -1, dst, -1).append("TCP [truncated], length ").append(len);
            return;
        }
        tcp.wrap(buf, off, len);
        addresses(sb, src, tcp.sourcePort(), dst, tcp.destinationPort());
        int hl = tcp.headerLength();
        if (hl < TcpSegment.MIN_HEADER_LENGTH || hl > len) {
            sb.append("TCP [bad_header_length], length ").append(len);
            return;
        }
        sb.append("Flags [");
        int f = tcp.flags();
        // tcpdump's letters: S F R P U E W, and '.' for ACK.
        if ((f & TcpSegment.SYN) != 0) {
            sb.append('S');
        }
        if ((f & TcpSegment.FIN) != 0) {
            sb.append('F');
        }
        if ((f & TcpSegment.RST) != 0) {
            sb.append('R');
        }
        if ((f & TcpSegment.PSH) != 0) {
            sb.append('P');
        }
        if ((f & TcpSegment.URG) != 0) {
            sb.append('U');
        }
        if ((f & TcpSegment.ECE) != 0) {
            sb.append('E');
        }
        if ((f & TcpSegment.CWR) != 0) {
            sb.append('W');
        }
        if ((f & TcpSegment.ACK) != 0) {
            sb.append('.');
        }
        sb.append("], seq ").append(Integer.toUnsignedString(tcp.sequenceNumber()));
        if ((f & TcpSegment.ACK) != 0) {
            sb.append(", ack ").append(Integer.toUnsignedString(tcp.acknowledgmentNumber()));
        }
        sb.append(", win ").append(tcp.window()).append(", length ").append(len - hl);
    }

    private static void timeOfDay(StringBuilder sb, long epochMicros) {
        long micros = Math.floorMod(epochMicros, 86_400_000_000L);
        long secs = micros / 1_000_000;
        two(sb, (int) (secs / 3600));
        sb.append(':');
        two(sb, (int) (secs / 60 % 60));
        sb.append(':');
        two(sb, (int) (secs % 60));
        sb.append('.');
        String us = Long.toString(micros % 1_000_000);
        for (int i = us.length(); i < 6; i++) {
            sb.append('0');
        }
        sb.append(us);
    }

    private static void two(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        sb.append(v);
    }

    private static void hex4(StringBuilder sb, int v) {
        String h = Integer.toHexString(v);
        for (int i = h.length(); i < 4; i++) {
            sb.append('0');
        }
        sb.append(h);
    }
}
