package org.jnetstack.usernet;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnetstack.internal.TransportAddresses;

/**
 * An unprivileged echo socket of the host, opened through FFM: {@code socket(AF_INET, SOCK_DGRAM,
 * IPPROTO_ICMP)} or {@code socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)}. Linux allows both to
 * the groups in {@code net.ipv4.ping_group_range} (one setting for the two families), and sets
 * the identifier and the checksum of what is sent; what is read is the ICMP message alone.
 */
final class HostEchoSocket implements EchoSocket {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int EAFNOSUPPORT = 97;
    /** The largest echo message: an IPv6 payload's 65535 bytes (IPv4's are smaller). */
    static final int MAX_MESSAGE = 65535;
    /** sockaddr_in6: family, port, flow info, address at 8, scope; sockaddr_in: family, port, address at 4. */
    private static final int SOCKADDR_IN6 = 28;
    private static final int SOCKADDR_IN = 16;
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final boolean v6;
    private final int requestType;
    private final int replyType;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment state = arena.allocate(Calls.CAPTURE_LAYOUT);
    private final MemorySegment out = arena.allocate(MAX_MESSAGE + 8, 8);
    private final MemorySegment in = arena.allocate(MAX_MESSAGE + 8, 8);
    private final MemorySegment peer = arena.allocate(SOCKADDR_IN6, 8);
    private final MemorySegment peerLength = arena.allocate(ValueLayout.JAVA_INT);
    private final int fd;
    private String unavailable;
    private int number;
    private long fromHi;
    private long fromLo;

    /** Opens the socket of the family; where the host refuses, {@link #unavailable} says why. */
    HostEchoSocket(boolean v6) {
        this.v6 = v6;
        this.requestType = v6 ? 128 : 8; // RFC 4443 §4.1, RFC 792
        this.replyType = v6 ? 129 : 0;
        int s = -1;
        String why = null;
        String what = v6 ? "ICMPv6 echo sockets" : "ICMP echo sockets";
        try {
            s = (int) Calls.SOCKET.invokeExact(state, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
            int errno = s < 0 ? Calls.errno(state) : 0;
            if (errno == EAFNOSUPPORT) {
                why = what + " are unavailable: the host has no " + (v6 ? "IPv6" : "IPv4") + " (errno " + errno + ")";
            } else if (s < 0) {
                why = what + " are not allowed here (errno " + errno + "; net.ipv4.ping_group_range = "
                        + pingGroupRange() + " must include the gateway's group)";
            }
        } catch (Throwable t) {
            why = what + " are unavailable: " + t;
        }
        this.fd = s;
        this.unavailable = why;
    }

    private static String pingGroupRange() {
        // Files.readString trusts the size /proc reports and stops after the first byte: read to the end.
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ping_group_range"))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().replace('\t', ' ');
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    @Override
    public String unavailable() {
        return unavailable;
    }

    @Override
    public int fd() {
        return unavailable == null ? fd : -1;
    }

    @Override
    public boolean send(int seq, long dstHi, long dstLo, byte[] data, int off, int len) {
        if (unavailable != null || len < 0 || len > MAX_MESSAGE - 8) {
            return false;
        }
        // Type, code 0, checksum and identifier 0 (the kernel's), our sequence, the guest's data.
        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0);
        out.set(ValueLayout.JAVA_BYTE, 0, (byte) requestType);
        out.set(SHORT_BE, 6, (short) seq);
        MemorySegment.copy(data, off, out, ValueLayout.JAVA_BYTE, 8, len);
        peer.fill((byte) 0);
        peer.set(ValueLayout.JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
        if (v6) {
            peer.set(LONG_BE, 8, dstHi);
            peer.set(LONG_BE, 16, dstLo);
        } else {
            peer.set(INT_BE, 4, TransportAddresses.v4(dstLo));
        }
        try {
            long r = (long) Calls.SENDTO.invokeExact(state, fd, out, (long) (8 + len), MSG_DONTWAIT, peer,
                    v6 ? SOCKADDR_IN6 : SOCKADDR_IN);
            return r >= 0;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public int receive(byte[] data) {
        if (unavailable != null) {
            return NONE;
        }
        peerLength.set(ValueLayout.JAVA_INT, 0, SOCKADDR_IN6);
        long r;
        try {
            r = (long) Calls.RECVFROM.invokeExact(state, fd, in, (long) MAX_MESSAGE, MSG_DONTWAIT, peer, peerLength);
        } catch (Throwable t) {
            return NONE;
        }
        if (r < 0) {
            return Calls.errno(state) == EAGAIN ? NONE : BAD;
        }
        if (r < 8 || (in.get(ValueLayout.JAVA_BYTE, 0) & 0xFF) != replyType) {
            return BAD;
        }
        number = Short.toUnsignedInt(in.get(SHORT_BE, 6));
        if (v6) {
            fromHi = peer.get(LONG_BE, 8);
            fromLo = peer.get(LONG_BE, 16);
        } else {
            fromHi = 0;
            fromLo = TransportAddresses.mappedLo(peer.get(INT_BE, 4));
        }
        int len = (int) r - 8;
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 8, data, 0, len);
        return len;
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public long fromHi() {
        return fromHi;
    }

    @Override
    public long fromLo() {
        return fromLo;
    }

    @Override
    public void close() {
        if (unavailable == null) {
            unavailable = "the gateway is closing";
            try {
                int ignored = (int) Calls.CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                // nothing left to do
            }
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
                    new UnsupportedOperationException("libc function " + name + " not found: echo sockets need Linux"));
            return LINKER.downcallHandle(sym, fd, options);
        }

        static int errno(MemorySegment state) {
            return (int) ERRNO.get(state, 0L);
        }
    }
}
