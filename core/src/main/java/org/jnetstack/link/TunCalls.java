package org.jnetstack.link;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls and constants a TAP needs ({@code open}, {@code ioctl(TUNSETIFF, TUNSETOFFLOAD, TUNSETVNETHDRSZ)}, {@code read},
 * {@code write}, {@code close}), bound once through the FFM linker. Values are those of
 * Linux on x86-64 and arm64 (see {@code linux/if_tun.h}, {@code asm-generic/errno-base.h}).
 */
final class TunCalls {
    static final String TUN_PATH = "/dev/net/tun";

    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    /** _IOW('T', 202, int) */
    static final long TUNSETIFF = 0x400454caL;
    /** IFF_TAP (0x0002) | IFF_NO_PI (0x1000): Ethernet frames, no 4-byte packet-information prefix. */
    static final short IFF_TAP_NO_PI = 0x1002;
    /** IFF_VNET_HDR: every frame, both ways, starts with a {@code struct virtio_net_hdr}. */
    static final short IFF_VNET_HDR = 0x4000;
    /** _IOW('T', 208, unsigned int); the offload flags are the argument itself, not a pointer. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** _IOW('T', 216, int): the size of the virtio header (pointer to int). */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    /** struct ifreq: ifr_name[16] at 0, then a union whose ifr_flags (short) is at 16. */
    static final long IFREQ_SIZE = 40;
    static final long IFREQ_FLAGS_OFFSET = 16;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EBADFD = 77;

    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), ERRNO_OPT);
    /** ioctl is variadic after the request: the ifreq pointer is the first variadic argument. */
    private static final MethodHandle IOCTL = bind("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    /** ioctl with an integer (not a pointer) as its argument, as TUNSETOFFLOAD takes it. */
    private static final MethodHandle IOCTL_VALUE = bind("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    /** critical(true): short calls that may take heap arrays directly, without copying. */
    private static final MethodHandle READ = bind("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_OPT, Linker.Option.critical(true));
    private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_OPT, Linker.Option.critical(true));
    /**
     * write(2) from native memory given as an address (no segment object per call: the transmit ring).
     * Critical calls hold off the JVM's safepoints while they run, so every descriptor they are
     * used on must be non-blocking (a TAP opened with O_NONBLOCK; a TAP write never waits).
     */
    private static final MethodHandle WRITE_ADDRESS = bind("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), ERRNO_OPT, Linker.Option.critical(false));
    private static final MethodHandle CLOSE = bind("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = bind("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private TunCalls() {
    }

    @SuppressWarnings("restricted") // native access is this class's purpose; enabled in the manifest
    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException(
                "libc function " + name + " not found: TAP devices need Linux"));
        return LINKER.downcallHandle(sym, fd, options);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags);
        } catch (Throwable t) {
            throw new IllegalStateException("open(2) call failed", t);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl(2) call failed", t);
        }
    }

    static int ioctlValue(MemorySegment state, int fd, long request, long value) {
        try {
            return (int) IOCTL_VALUE.invokeExact(state, fd, request, value);
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl(2) call failed", t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) READ.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new IllegalStateException("read(2) call failed", t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) WRITE.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new IllegalStateException("write(2) call failed", t);
        }
    }

    static long writeAddress(MemorySegment state, int fd, long address, long len) {
        try {
            return (long) WRITE_ADDRESS.invokeExact(state, fd, address, len);
        } catch (Throwable t) {
            throw new IllegalStateException("write(2) call failed", t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(2) call failed", t);
        }
    }

    @SuppressWarnings("restricted") // native access is this class's purpose; enabled in the manifest
    static String strerror(int errno) {
        try {
            MemorySegment p = (MemorySegment) STRERROR.invokeExact(errno);
            return p.equals(MemorySegment.NULL) ? "errno " + errno : p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
