package org.jnetstack.usernet;

import java.lang.System.Logger.Level;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.PollContext;
import org.jnetstack.loop.Pollable;
import org.jnetstack.stats.Counter;

/**
 * Guest ping to outside addresses, of one family, through an unprivileged echo socket of the host
 * ({@link HostEchoSocket}: ICMP for IPv4, ICMPv6 for IPv6, allowed to the groups in
 * {@code net.ipv4.ping_group_range}), as slirp and passt do: the kernel sets the identifier and
 * the checksum; the gateway numbers its requests itself and keeps, per number, whose request it
 * was ({@link EchoTable}: bounded in all, per guest and in time), so each reply goes back to the
 * guest from the address it pinged, with the guest's identifier and sequence. Where the host does
 * not allow the socket, the guest gets no reply — never a fake one — and
 * {@code usernet.icmp.drop.not_permitted} ({@code usernet.icmp6.} for IPv6) counts each request,
 * with the reason logged once; so do the other {@code drop.} counters for what the table refuses.
 * Echo to the gateway's own addresses never comes here: the stack answers it.
 *
 * <p>The socket's descriptor is waited on by the event loop like a device's: {@link Poll} is a
 * {@link Pollable} that carries no frames, only readiness (the loop's one wait point knows
 * devices' descriptors, nothing else).
 */
final class IcmpNat {
    private static final System.Logger LOG = System.getLogger(IcmpNat.class.getName());

    private final UserNet gw;
    private final boolean v6;
    private final EchoSocket socket;
    private final EchoTable table;
    private final byte[] data = new byte[HostEchoSocket.MAX_MESSAGE];
    private boolean loggedUnavailable;
    private final EventLoop.Attachment attachment;
    private final Counter requests;
    private final Counter replies;
    private final Counter notPermitted;
    private final Counter denied;
    private final Counter tableFull;
    private final Counter guestLimit;
    private final Counter sendFailed;
    private final Counter unmatched;

    /** Guest ping of IPv6 ({@code v6}) or IPv4 through {@code socket}, which this closes. */
    IcmpNat(UserNet gw, boolean v6, EchoSocket socket) {
        this.gw = gw;
        this.v6 = v6;
        this.socket = socket;
        var c = gw.counters();
        String p = v6 ? "usernet.icmp6." : "usernet.icmp.";
        requests = c.counter(p + "echo_requests");
        replies = c.counter(p + "echo_replies");
        notPermitted = c.counter(p + "drop.not_permitted");
        denied = c.counter(p + "denied");
        tableFull = c.counter(p + "drop.table_full");
        guestLimit = c.counter(p + "drop.guest_limit");
        sendFailed = c.counter(p + "drop.send_failed");
        unmatched = c.counter(p + "drop.unmatched_reply");
        this.table = new EchoTable(c.counter(p + "expired"));
        this.attachment = socket.fd() >= 0 ? gw.loop().attach(new Poll()) : null;
        if (v6) {
            gw.stack().icmp6().setForeignEchoHandler(this::request);
        } else {
            gw.stack().icmp().setForeignEchoHandler((src, dst, id, seq, buf, off, len) ->
                    request(0, TransportAddresses.mappedLo(src), 0, TransportAddresses.mappedLo(dst), id, seq, buf, off, len));
        }
    }

    /** A guest's echo request to {@code dst}, a foreign address. Loop thread. */
    void request(long srcHi, long srcLo, long dstHi, long dstLo, int identifier, int sequence, byte[] buf, int off, int len) {
        requests.inc();
        if ((v6 ? gw.hostAddressFor6(dstHi, dstLo) : gw.hostAddressFor(TransportAddresses.v4(dstLo))) == null) {
            denied.inc();
            return;
        }
        String why = socket.unavailable();
        if (why != null) {
            notPermitted.inc();
            if (!loggedUnavailable) {
                loggedUnavailable = true;
                LOG.log(Level.WARNING, "usernet: guest ping to " + TransportAddresses.format(dstHi, dstLo) + " not passed on: " + why);
            }
            return;
        }
        int number = table.add(gw.loop().clock().nanos(), srcHi, srcLo, dstHi, dstLo, identifier, sequence);
        if (number == EchoTable.FULL) {
            tableFull.inc();
        } else if (number == EchoTable.GUEST_LIMIT) {
            guestLimit.inc();
        } else if (!socket.send(number, dstHi, dstLo, buf, off, len)) {
            table.forget(number);
            sendFailed.inc();
        }
    }

    /** Up to {@code max} replies from the socket, back to the guests whose requests they answer. Loop thread. */
    int readReplies(int max) {
        int n = 0;
        for (; n < max; n++) {
            int len = socket.receive(data);
            if (len == EchoSocket.NONE) {
                break;
            }
            int slot = len < 0 ? -1 : table.take(gw.loop().clock().nanos(), socket.number(), socket.fromHi(), socket.fromLo());
            if (slot < 0) {
                unmatched.inc();
                continue;
            }
            replies.inc();
            if (v6) {
                gw.stack().icmp6().sendEchoReplyFrom(table.destinationHi(slot), table.destinationLo(slot), table.guestHi(slot),
                        table.guestLo(slot), table.identifier(slot), table.sequence(slot), data, 0, len);
            } else {
                gw.stack().icmp().sendEchoReplyFrom(TransportAddresses.v4(table.destinationLo(slot)),
                        TransportAddresses.v4(table.guestLo(slot)), table.identifier(slot), table.sequence(slot), data, 0, len);
            }
        }
        return n;
    }

    /** Requests waiting for a reply. Loop thread. */
    int inFlight() {
        return table.live();
    }

    /** Stops waiting on the socket and closes it (loop thread, or before the loop runs). */
    void close() {
        if (attachment != null) {
            gw.loop().detach(attachment); // closes the socket through Poll.close
        } else {
            socket.close();
        }
    }

    /** The socket, polled by the loop: readiness wakes it, and polling reads the replies. */
    private final class Poll implements Pollable {
        private final int fd = socket.fd();

        @Override
        public String name() {
            return v6 ? "usernet-icmp6" : "usernet-icmp";
        }

        @Override
        public void open(PollContext context) {
        }

        @Override
        public int poll(int max) {
            return readReplies(max);
        }

        @Override
        public int pollFd() {
            return fd;
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
