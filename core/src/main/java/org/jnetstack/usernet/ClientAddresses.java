package org.jnetstack.usernet;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.internal.LongMap;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Packet;

/**
 * Makes a forwarded connection appear inside the guest from its host client's own address, as
 * libslirp's host forwards and passt do: the gateway opens the connection to the guest from its
 * own address and a port chosen for it, and this middleware, between the gateway stack and its
 * switch port, rewrites that source address to the client's on the way to the guest and the
 * client's address back to the gateway's on the guest's answers (RFC 3022 §4.1: the IPv4
 * header checksum and the TCP/UDP checksum, whose pseudo-header covers the address, are
 * adjusted incrementally, RFC 1624). The guest routes the answers back through its default
 * route, the gateway.
 *
 * <p>A translation is keyed by the gateway's port, the guest's address and the guest's port: so
 * it takes only the forwarded connection's own segments, never an outbound connection of the
 * guest to the same client. A TCP translation outlives its connection by 2 MSL, so a last
 * retransmitted FIN is still answered from the right address. The table is bounded
 * ({@code limit}); a forward beyond it appears from the gateway address, counted
 * ({@code usernet.forward.source.table_full}). Fragments are passed unchanged (non-first
 * fragments carry no ports: a guest's TCP sets DF and a forwarded UDP datagram larger than the
 * MTU loses its source translation). Loop thread only.
 */
final class ClientAddresses extends ForwardingDevice {
    private static final int ETH = EthernetFrame.HEADER_LENGTH;
    private static final long SWEEP_NANOS = 5_000_000_000L;

    private final int gateway;
    private final EventLoop loop;
    private final LongMap<Entry> tcp = new LongMap<>();
    private final LongMap<Entry> udp = new LongMap<>();
    private int limit;
    private long lingerNanos;
    private Counter tableFull;
    private Counter translated;
    private Timer sweep;

    /** One translation; {@code connection} is set for TCP once it exists. */
    private static final class Entry {
        final long key;
        final int client;
        TcpConnection connection;
        long removeAt;

        Entry(long key, int client) {
            this.key = key;
            this.client = client;
        }
    }

    /** Wraps the gateway stack's switch port; {@link #configure} before the first translation. */
    ClientAddresses(LinkDevice inner, EventLoop loop, int gateway) {
        super(inner);
        this.loop = loop;
        this.gateway = gateway;
    }

    /** The table's bound, how long a TCP translation outlives its connection, and where to count (the gateway stack's). */
    void configure(int limit, long lingerNanos, Counters counters) {
        this.limit = limit;
        this.lingerNanos = lingerNanos;
        this.tableFull = counters.counter("usernet.forward.source.table_full");
        this.translated = counters.counter("usernet.forward.source.translated");
    }

    private static long key(int guest, int gatewayPort, int guestPort) {
        return ((long) guest << 32) | ((long) gatewayPort << 16) | guestPort;
    }

    /** Whether another translation fits; counts the refusal when it does not. */
    boolean hasRoom() {
        if (tcp.size() + udp.size() < limit) {
            return true;
        }
        tableFull.inc();
        return false;
    }

    /**
     * Segments between the gateway's {@code gatewayPort} and {@code guest:guestPort} carry
     * {@code client} instead of the gateway's address from now on (call before the SYN is sent).
     */
    void addTcp(int guest, int gatewayPort, int guestPort, int client) {
        long k = key(guest, gatewayPort, guestPort);
        tcp.put(k, new Entry(k, client));
    }

    /** Binds the translation of {@link #addTcp} to its connection, whose end (plus 2 MSL) ends it. */
    void bindTcp(int guest, int gatewayPort, int guestPort, TcpConnection c) {
        Entry e = tcp.get(key(guest, gatewayPort, guestPort));
        if (e != null) {
            e.connection = c;
            startSweep();
        }
    }

    boolean hasTcp(int guest, int gatewayPort, int guestPort) {
        return tcp.containsKey(key(guest, gatewayPort, guestPort));
    }

    void removeTcp(int guest, int gatewayPort, int guestPort) {
        tcp.remove(key(guest, gatewayPort, guestPort));
    }

    /** As {@link #addTcp} for a UDP forward session; it lasts until {@link #removeUdp}. */
    void addUdp(int guest, int gatewayPort, int guestPort, int client) {
        long k = key(guest, gatewayPort, guestPort);
        udp.put(k, new Entry(k, client));
    }

    void removeUdp(int guest, int gatewayPort, int guestPort) {
        udp.remove(key(guest, gatewayPort, guestPort));
    }

    /** Live translations (TCP, including those lingering after their connection, and UDP). */
    int size() {
        return tcp.size() + udp.size();
    }

    // ---------------------------------------------------------------- frames

    /** To the guest: the gateway's address becomes the client's. */
    @Override
    public boolean send(byte[] buf, int off, int len) {
        toGuest(buf, off, len, false);
        return inner.send(buf, off, len);
    }

    /** The switch port's offloads: the gateway stack may leave checksums partial (adjusted here as such). */
    @Override
    public LinkOffloads offloads() {
        return inner.offloads();
    }

    @Override
    public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
        toGuest(buf, off, len, true);
        return inner.sendOffloaded(buf, off, len, checksumStart, checksumOffset, segmentSize);
    }

    private void toGuest(byte[] buf, int off, int len, boolean partial) {
        int ip = off + ETH;
        if (isUnfragmentedIpv4(buf, off, len) && Bytes.i32(buf, ip + 12) == gateway) {
            int t = ip + ((buf[ip] & 0x0F) << 2);
            Entry e = lookup(buf, ip, t, off + len, Bytes.i32(buf, ip + 16), Bytes.u16(buf, t), Bytes.u16(buf, t + 2));
            if (e != null) {
                rewrite(buf, ip, t, ip + 12, e.client, partial);
            }
        }
    }

    /** From the guest: the client's address becomes the gateway's. */
    @Override
    protected void received(byte[] buf, int off, int len, FrameHandler up) {
        int ip = off + ETH;
        if (isUnfragmentedIpv4(buf, off, len)) {
            int t = ip + ((buf[ip] & 0x0F) << 2);
            Entry e = lookup(buf, ip, t, off + len, Bytes.i32(buf, ip + 12), Bytes.u16(buf, t + 2), Bytes.u16(buf, t));
            if (e != null && Bytes.i32(buf, ip + 16) == e.client) {
                rewrite(buf, ip, t, ip + 16, gateway, (rxFlags() & FrameHandler.CHECKSUM_PARTIAL) != 0);
            }
        }
        up.onFrame(buf, off, len, rxFlags());
    }

    /** The translation of a TCP segment or UDP datagram whose transport header lies in the frame, or null. */
    private Entry lookup(byte[] buf, int ip, int t, int end, int guest, int gatewayPort, int guestPort) {
        int protocol = buf[ip + 9] & 0xFF;
        if (protocol == Ipv4Packet.PROTO_TCP && t + 20 <= end) {
            return tcp.get(key(guest, gatewayPort, guestPort));
        }
        if (protocol == Ipv4Packet.PROTO_UDP && t + 8 <= end) {
            return udp.get(key(guest, gatewayPort, guestPort));
        }
        return null;
    }

    private static boolean isUnfragmentedIpv4(byte[] buf, int off, int len) {
        if (len < ETH + Ipv4Packet.MIN_HEADER_LENGTH || Bytes.u16(buf, off + 12) != EthernetFrame.TYPE_IPV4) {
            return false;
        }
        int ip = off + ETH;
        int ihl = (buf[ip] & 0x0F) << 2;
        return (buf[ip] & 0xF0) == 0x40 && ihl >= Ipv4Packet.MIN_HEADER_LENGTH && ETH + ihl <= len
                && (Bytes.u16(buf, ip + 6) & (Ipv4Packet.FLAG_MF | Ipv4Packet.OFFSET_MASK)) == 0;
    }

    /**
     * Writes {@code address} at {@code at} (the source or destination field) and adjusts both
     * checksums; a {@code partial} transport checksum holds the pseudo-header sum itself, not its
     * complement, and is adjusted as such.
     */
    private void rewrite(byte[] buf, int ip, int t, int at, int address, boolean partial) {
        int old = Bytes.i32(buf, at);
        Bytes.putI32(buf, at, address);
        adjust(buf, ip + 10, old, address);
        boolean isTcp = (buf[ip + 9] & 0xFF) == Ipv4Packet.PROTO_TCP;
        int sum = isTcp ? t + 16 : t + 6;
        // A UDP checksum of zero means none was computed (RFC 768): it stays zero.
        if (partial) {
            Bytes.putU16(buf, sum, ~Bytes.u16(buf, sum) & 0xFFFF);
            adjust(buf, sum, old, address);
            Bytes.putU16(buf, sum, ~Bytes.u16(buf, sum) & 0xFFFF);
        } else if (isTcp || Bytes.u16(buf, sum) != 0) {
            adjust(buf, sum, old, address);
            if (!isTcp && Bytes.u16(buf, sum) == 0) {
                Bytes.putU16(buf, sum, 0xFFFF); // RFC 768: a computed zero is sent as all ones
            }
        }
        translated.inc();
    }

    private static void adjust(byte[] buf, int at, int oldAddress, int newAddress) {
        int c = Bytes.u16(buf, at);
        c = Checksum.update(c, oldAddress >>> 16, newAddress >>> 16);
        c = Checksum.update(c, oldAddress & 0xFFFF, newAddress & 0xFFFF);
        Bytes.putU16(buf, at, c);
    }

    // ---------------------------------------------------------------- lingering TCP translations

    private void startSweep() {
        if (sweep == null) {
            sweep = loop.newTimer(this::sweep);
        }
        if (!sweep.isScheduled()) {
            sweep.schedule(SWEEP_NANOS);
        }
    }

    /** Ends translations whose connection has been over for 2 MSL. */
    private void sweep() {
        long now = loop.clock().nanos();
        List<Entry> done = new ArrayList<>();
        for (Entry e : tcp.values()) {
            if (e.connection == null) {
                continue;
            }
            TcpState s = e.connection.state();
            if (s != TcpState.CLOSED && s != TcpState.TIME_WAIT) {
                continue;
            }
            if (e.removeAt == 0) {
                e.removeAt = now + lingerNanos;
            } else if (now - e.removeAt >= 0) {
                done.add(e);
            }
        }
        for (Entry e : done) {
            tcp.remove(e.key);
        }
        if (tcp.size() > 0) {
            sweep.schedule(SWEEP_NANOS);
        }
    }
}
