package org.jnetstack.link;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The libc socket and epoll calls a {@link StreamDevice} needs, bound once through the FFM linker:
 * {@code socket}, {@code bind}, {@code listen}, {@code accept4}, {@code getsockname},
 * {@code setsockopt}, {@code epoll_create1}, {@code epoll_ctl}. Reads, writes and close are
 * {@link TunCalls}' (critical calls on non-blocking descriptors). Values are Linux's on x86-64 and
 * arm64 ({@code sys/socket.h}, {@code sys/epoll.h}, {@code netinet/in.h}, {@code sys/un.h}).
 */
final class SocketCalls {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1;
    static final int EPOLLOUT = 0x4;
    /** struct sockaddr_un: sa_family_t (2 bytes) then sun_path[108]. */
    static final int SOCKADDR_UN_SIZE = 110;
    static final int UNIX_PATH_MAX = 108;
    /** struct sockaddr_in: family, port (network order), address (network order), 8 bytes of zero. */
    static final int SOCKADDR_IN_SIZE = 16;
    /**
     * struct epoll_event is 12 bytes on x86-64 (packed) and 16 on arm64; only {@code events} (at 0)
     * is used (the device polls the epoll descriptor itself and never calls epoll_wait), so 16
     * zeroed bytes serve both.
     */
    static final int EPOLL_EVENT_SIZE = 16;

    static final int EINPROGRESS = 115;
    static final int EALREADY = 114;
    static final int EISCONN = 106;
    static final int ECONNREFUSED = 111;
    static final int EADDRINUSE = 98;

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle LISTEN = bind("listen", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CONNECT = bind("connect", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle ACCEPT4 = bind("accept4", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = bind("epoll_create1", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final MethodHandle EPOLL_CTL = bind("epoll_ctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private SocketCalls() {
    }

    @SuppressWarnings("restricted") // native access is this class's purpose; enabled in the manifest
    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException(
                "libc function " + name + " not found: stream devices need Linux"));
        return LINKER.downcallHandle(sym, fd, ERRNO_OPT);
    }

    static int socket(MemorySegment state, int domain) {
        try {
            return (int) SOCKET.invokeExact(state, domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("socket(2) call failed", t);
        }
    }

    static int bind(MemorySegment state, int fd, MemorySegment addr) {
        try {
            return (int) BIND.invokeExact(state, fd, addr, (int) addr.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("bind(2) call failed", t);
        }
    }

    static int listen(MemorySegment state, int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(state, fd, backlog);
        } catch (Throwable t) {
            throw new IllegalStateException("listen(2) call failed", t);
        }
    }

    /** connect(2); on a non-blocking socket repeated until it returns 0 or fails with EISCONN. */
    static int connect(MemorySegment state, int fd, MemorySegment addr) {
        try {
            return (int) CONNECT.invokeExact(state, fd, addr, (int) addr.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("connect(2) call failed", t);
        }
    }

    /** A new non-blocking, close-on-exec connection, or -1 (errno in {@code state}). */
    static int accept(MemorySegment state, int fd) {
        try {
            return (int) ACCEPT4.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        } catch (Throwable t) {
            throw new IllegalStateException("accept4(2) call failed", t);
        }
    }

    static int setReuseAddress(MemorySegment state, int fd, Arena arena) {
        MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
        one.set(ValueLayout.JAVA_INT, 0, 1);
        try {
            return (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_REUSEADDR, one, 4);
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt(2) call failed", t);
        }
    }

    /** The port an AF_INET socket is bound to, or -1. */
    static int localPort(MemorySegment state, int fd, Arena arena) {
        MemorySegment addr = arena.allocate(SOCKADDR_IN_SIZE, 4);
        MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
        len.set(ValueLayout.JAVA_INT, 0, SOCKADDR_IN_SIZE);
        try {
            int r = (int) GETSOCKNAME.invokeExact(state, fd, addr, len);
            return r < 0 ? -1 : Short.toUnsignedInt(addr.get(SHORT_BE, 2));
        } catch (Throwable t) {
            throw new IllegalStateException("getsockname(2) call failed", t);
        }
    }

    static int epollCreate(MemorySegment state) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw new IllegalStateException("epoll_create1(2) call failed", t);
        }
    }

    /** epoll_ctl with {@code event} (at least {@link #EPOLL_EVENT_SIZE} bytes) holding {@code events}. */
    static int epollCtl(MemorySegment state, int epfd, int op, int fd, MemorySegment event, int events) {
        event.fill((byte) 0);
        event.set(ValueLayout.JAVA_INT, 0, events);
        try {
            return (int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event);
        } catch (Throwable t) {
            throw new IllegalStateException("epoll_ctl(2) call failed", t);
        }
    }

    /** A sockaddr_un for {@code path}; throws if the path does not fit sun_path with its NUL. */
    static MemorySegment unixAddress(Arena arena, String path) {
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        if (b.length >= UNIX_PATH_MAX) {
            throw new IllegalArgumentException("Unix socket path too long (" + b.length + " bytes, at most "
                    + (UNIX_PATH_MAX - 1) + "): " + path);
        }
        MemorySegment a = arena.allocate(SOCKADDR_UN_SIZE, 2);
        a.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(b, 0, a, ValueLayout.JAVA_BYTE, 2, b.length);
        return a;
    }

    /** A sockaddr_in for an IPv4 socket address. */
    static MemorySegment inetAddress(Arena arena, InetSocketAddress address) {
        if (!(address.getAddress() instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("stream devices listen on IPv4 addresses only: " + address);
        }
        MemorySegment a = arena.allocate(SOCKADDR_IN_SIZE, 4);
        a.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        a.set(SHORT_BE, 2, (short) address.getPort());
        MemorySegment.copy(v4.getAddress(), 0, a, ValueLayout.JAVA_BYTE, 4, 4);
        return a;
    }
}
