package org.jnetstack.usernet;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.PollContext;
import org.jnetstack.loop.Pollable;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.Ipv4Address;

/**
 * Guest ping to outside addresses through one unprivileged ICMP echo socket of the host
 * ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}, allowed to the groups in
 * {@code net.ipv4.ping_group_range}), as slirp and passt do: the kernel sets the identifier and
 * the checksum; the gateway numbers its requests itself and keeps, per number, whose request it
 * was (a table of {@value #SLOTS}, the oldest forgotten first), so each reply goes back to the
 * guest with the guest's identifier and sequence. Where the host does not allow the socket, the
 * guest gets no reply — never a fake one — and {@code usernet.icmp.drop.not_permitted} counts
 * each request, with the reason logged once.
 *
 * <p>The socket's descriptor is waited on by the event loop like a device's: {@link Poll} is a
 * {@link LinkDevice} that carries no frames, only readiness (the loop's one wait point knows
 * devices' descriptors, nothing else).
 */
final class IcmpNat {
    private static final System.Logger LOG = System.getLogger(IcmpNat.class.getName());
    /** Requests in flight remembered: far more than a guest's ping has outstanding (one a second, 10 s timeout). */
    static final int SLOTS = 256;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int IPPROTO_ICMP = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int MAX_MESSAGE = 65507;
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final UserNet gw;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment state = arena.allocate(Calls.CAPTURE_LAYOUT);
    private final MemorySegment out = arena.allocate(MAX_MESSAGE + 8, 8);
    private final MemorySegment in = arena.allocate(MAX_MESSAGE + 8, 8);
    private final MemorySegment peer = arena.allocate(16, 4);
    private final MemorySegment peerLength = arena.allocate(ValueLayout.JAVA_INT);
    private final byte[] data = new byte[MAX_MESSAGE];
    private final int fd;
    /** Why the socket could not be opened, or null. */
    private final String unavailable;
    private boolean loggedUnavailable;
    private final EventLoop.Attachment attachment;
    private boolean closed;
    private int nextSequence;
    private final int[] slotGuest = new int[SLOTS];
    private final int[] slotDestination = new int[SLOTS];
    private final int[] slotIdentifier = new int[SLOTS];
    private final int[] slotSequence = new int[SLOTS];
    private final int[] slotNumber = new int[SLOTS];
    private final boolean[] slotUsed = new boolean[SLOTS];
    private final Counter requests;
    private final Counter replies;
    private final Counter notPermitted;
    private final Counter denied;
    private final Counter sendFailed;
    private final Counter unmatched;

    IcmpNat(UserNet gw) {
        this.gw = gw;
        var c = gw.counters();
        requests = c.counter("usernet.icmp.echo_requests");
        replies = c.counter("usernet.icmp.echo_replies");
        notPermitted = c.counter("usernet.icmp.drop.not_permitted");
        denied = c.counter("usernet.icmp.denied");
        sendFailed = c.counter("usernet.icmp.drop.send_failed");
        unmatched = c.counter("usernet.icmp.drop.unmatched_reply");
        int s = -1;
        String why = null;
        try {
            s = (int) Calls.SOCKET.invokeExact(state, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
            if (s < 0) {
                why = "ICMP echo sockets are not allowed here (errno " + Calls.errno(state) + "; net.ipv4.ping_group_range = "
                        + pingGroupRange() + " must include the gateway's group)";
            }
        } catch (Throwable t) {
            why = "ICMP echo sockets are unavailable: " + t;
        }
        this.fd = s;
        this.unavailable = why;
        this.attachment = fd >= 0 ? gw.loop().attach(new Poll()) : null;
        gw.stack().icmp().setForeignEchoHandler(this::request);
    }

    private static String pingGroupRange() {
        // Files.readString trusts the size /proc reports and stops after the first byte: read to the end.
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ping_group_range"))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().replace('\t', ' ');
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** A guest's echo request to {@code dst}, a foreign address. Loop thread. */
    private void request(int src, int dst, int identifier, int sequence, byte[] buf, int off, int len) {
        requests.inc();
        InetAddress target = gw.hostAddressFor(dst);
        if (target == null) {
            denied.inc();
            return;
        }
        if (fd < 0 || closed) {
            notPermitted.inc();
            if (!loggedUnavailable) {
                loggedUnavailable = true;
                LOG.log(Level.WARNING, "usernet: guest ping to " + Ipv4Address.format(dst) + " not passed on: " + unavailable);
            }
            return;
        }
        int number = nextSequence++ & 0xFFFF;
        int slot = number & (SLOTS - 1);
        slotUsed[slot] = true;
        slotNumber[slot] = number;
        slotGuest[slot] = src;
        slotDestination[slot] = dst;
        slotIdentifier[slot] = identifier;
        slotSequence[slot] = sequence;
        // RFC 792 echo: type 8, code 0; the kernel fills in the identifier and the checksum.
        out.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0);
        out.set(ValueLayout.JAVA_BYTE, 0, (byte) 8);
        out.set(SHORT_BE, 4, (short) 0);
        out.set(SHORT_BE, 6, (short) number);
        MemorySegment.copy(buf, off, out, ValueLayout.JAVA_BYTE, 8, len);
        peer.fill((byte) 0);
        peer.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        peer.set(INT_BE, 4, dst);
        try {
            long r = (long) Calls.SENDTO.invokeExact(state, fd, out, (long) (8 + len), MSG_DONTWAIT, peer, 16);
            if (r < 0) {
                sendFailed.inc();
            }
        } catch (Throwable t) {
            sendFailed.inc();
        }
    }

    /** Replies on the socket, back to the guests whose requests they answer. Loop thread. */
    private int readReplies(int max) {
        int n = 0;
        for (; n < max; n++) {
            peerLength.set(ValueLayout.JAVA_INT, 0, 16);
            long r;
            try {
                r = (long) Calls.RECVFROM.invokeExact(state, fd, in, (long) MAX_MESSAGE, MSG_DONTWAIT, peer, peerLength);
            } catch (Throwable t) {
                break;
            }
            if (r < 8) {
                if (r >= 0 || Calls.errno(state) != EAGAIN) {
                    unmatched.inc();
                    continue;
                }
                break;
            }
            if (in.get(ValueLayout.JAVA_BYTE, 0) != 0) {
                continue; // not an echo reply
            }
            int number = Short.toUnsignedInt(in.get(SHORT_BE, 6));
            int from = peer.get(INT_BE, 4);
            int slot = number & (SLOTS - 1);
            if (!slotUsed[slot] || slotNumber[slot] != number || slotDestination[slot] != from) {
                unmatched.inc();
                continue;
            }
            slotUsed[slot] = false;
            int len = (int) r - 8;
            MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 8, data, 0, len);
            replies.inc();
            gw.stack().icmp().sendEchoReplyFrom(from, slotGuest[slot], slotIdentifier[slot], slotSequence[slot], data, 0, len);
        }
        return n;
    }

    /** Stops waiting on the socket and closes it (loop thread, or before the loop runs). */
    void close() {
        if (attachment != null) {
            gw.loop().detach(attachment); // closes the socket through Poll.close
        }
    }

    private void closeSocket() {
        if (!closed && fd >= 0) {
            closed = true;
            try {
                int ignored = (int) Calls.CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                // nothing left to do
            }
        }
    }

    /** The socket, polled by the loop: readiness wakes it, and polling reads the replies. */
    private final class Poll implements Pollable {
        @Override
        public String name() {
            return "usernet-icmp";
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
            closeSocket();
        }
    }

    private static final class Calls {
        static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final Linker LINKER = Linker.nativeLinker();
        private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
        static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ERRNO_OPT);
        static final MethodHandle SENDTO = bind("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), ERRNO_OPT);
        static final MethodHandle RECVFROM = bind("recvfrom", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), ERRNO_OPT);
        static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        @SuppressWarnings("restricted") // native access is this class's purpose; enabled in the manifest
        private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
            MemorySegment sym = LINKER.defaultLookup().find(name).orElseThrow(() ->
                    new UnsupportedOperationException("libc function " + name + " not found: ICMP echo sockets need Linux"));
            return LINKER.downcallHandle(sym, fd, options);
        }

        static int errno(MemorySegment state) {
            return (int) ERRNO.get(state, 0L);
        }
    }
}
