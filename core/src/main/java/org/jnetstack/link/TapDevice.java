package org.jnetstack.link;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Objects;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.MacAddress;

/**
 * A Linux TAP interface: Ethernet frames to and from the kernel through {@code /dev/net/tun},
 * with the Foreign Function &amp; Memory API (no JNI, no helper process).
 *
 * <pre>{@code
 * TapDevice tap = TapDevice.open("jns0");        // creates jns0, or attaches to an existing TAP
 * loop.attach(tap, stack::onFrame);              // the loop polls tap.pollFd()
 * }</pre>
 *
 * <p>The descriptor is non-blocking; {@link #receive} reads until {@code EAGAIN} (or
 * {@code maxFrames}) into one reusable buffer that the read call fills directly, and
 * {@link #send} writes once. Neither allocates per frame. The interface this creates is not
 * persistent: the kernel removes it when the device is closed. Moving the interface into
 * another network namespace ({@code ip link set NAME netns X}) keeps this descriptor working.
 *
 * <p>{@link #mac()} is the address the stack on this side uses (random and locally administered
 * unless given); the kernel's side of the TAP has its own.
 */
public final class TapDevice implements LinkDevice {
    private static final System.Logger LOG = System.getLogger(TapDevice.class.getName());

    /** IFNAMSIZ (16) including the terminating NUL. */
    public static final int MAX_NAME_LENGTH = 15;
    public static final int DEFAULT_MTU = 1500;
    /**
     * Room for the largest frame a TAP can carry (MTU up to 65535 plus the Ethernet header), so
     * a read is never truncated whatever MTU the kernel side is given.
     */
    static final int BUFFER_SIZE = 65_536 + 14;

    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final int fd;
    private final DeviceStats stats = new DeviceStats();
    private final Counter rxErrors = stats.counters().counter("rx.errors");
    private final Counter txErrors = stats.counters().counter("tx.errors");
    private final Counter txLinkDown = stats.counters().counter("tx.dropped.link_down");
    private final Counter txOversize = stats.counters().counter("tx.dropped.oversize");

    /** GC-managed: nothing is freed under a call that races with {@link #close()}. */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment callState = arena.allocate(TunCalls.CAPTURE_LAYOUT);
    private final byte[] rxBuffer = new byte[BUFFER_SIZE];
    /** The read call fills {@link #rxBuffer} through this heap segment (critical downcall). */
    private final MemorySegment rxSegment = MemorySegment.ofArray(rxBuffer);
    /** Frames at a non-zero offset are copied here first: slicing a heap segment allocates. */
    private final MemorySegment txNative = arena.allocate(BUFFER_SIZE, 16);
    private byte[] txArray;
    private MemorySegment txArraySegment;

    private volatile boolean closed;
    private boolean failed;
    private DeviceContext context;

    private TapDevice(String name, MacAddress mac, int mtu, int fd) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.fd = fd;
    }

    /** Opens (creating if needed) the TAP {@code name}, with a random local MAC and MTU 1500. */
    public static TapDevice open(String name) throws IOException {
        return open(name, null, DEFAULT_MTU);
    }

    /**
     * Opens (creating if needed) the TAP {@code name}. A name with {@code %d} (like
     * {@code "jns%d"}) lets the kernel pick a free number; {@link #name()} then tells which.
     *
     * @param mac the stack's address on this link, or null for a random locally administered one
     * @param mtu the largest IP packet, 68..65535 (RFC 791 §3.2: every host must take 68)
     * @throws IOException with what to do, when {@code /dev/net/tun} is missing, permission is
     *     denied, or the name is in use by another kind of interface or another process
     */
    public static TapDevice open(String name, MacAddress mac, int mtu) throws IOException {
        byte[] nameBytes = validateName(name);
        if (mtu < 68 || mtu > 65_535) {
            throw new IllegalArgumentException("MTU must be 68-65535 bytes: " + mtu);
        }
        MacAddress m = mac != null ? mac : MacAddress.randomLocal(new SecureRandom());
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = tmp.allocate(TunCalls.CAPTURE_LAYOUT);
            int fd = TunCalls.open(state, tmp.allocateFrom(TunCalls.TUN_PATH),
                    TunCalls.O_RDWR | TunCalls.O_NONBLOCK | TunCalls.O_CLOEXEC);
            if (fd < 0) {
                throw openError(TunCalls.errno(state), name);
            }
            MemorySegment ifreq = tmp.allocate(TunCalls.IFREQ_SIZE, 8);
            MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, TunCalls.IFREQ_FLAGS_OFFSET, TunCalls.IFF_TAP_NO_PI);
            int r = TunCalls.ioctl(state, fd, TunCalls.TUNSETIFF, ifreq);
            if (r < 0) {
                int errno = TunCalls.errno(state);
                TunCalls.close(fd);
                throw attachError(errno, name);
            }
            String actual = ifreq.getString(0, StandardCharsets.US_ASCII);
            return new TapDevice(actual.isEmpty() ? name : actual, m, mtu, fd);
        }
    }

    /** Checks a name as the kernel does (dev_valid_name), so the error names the rule. */
    static byte[] validateName(String name) {
        Objects.requireNonNull(name, "TAP name");
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length < 1 || b.length > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("invalid TAP name '" + name + "': must be 1-"
                    + MAX_NAME_LENGTH + " bytes long");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid TAP name '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x20) {
                throw new IllegalArgumentException("invalid TAP name '" + name
                        + "': no '/', ':', spaces or control characters allowed");
            }
        }
        return b;
    }

    private static IOException openError(int errno, String name) {
        return switch (errno) {
            case TunCalls.ENOENT, TunCalls.ENODEV, TunCalls.ENXIO -> new IOException(
                    "cannot open TAP " + name + ": " + TunCalls.TUN_PATH + " is missing ("
                            + TunCalls.strerror(errno) + "); load the tun module (modprobe tun), or in a "
                            + "container run with --device /dev/net/tun --cap-add NET_ADMIN");
            case TunCalls.EACCES, TunCalls.EPERM -> new IOException(
                    "cannot open TAP " + name + ": permission denied on " + TunCalls.TUN_PATH
                            + "; it needs CAP_NET_ADMIN: run as root or pre-create the TAP with "
                            + "`ip tuntap add " + name + " mode tap user $USER`");
            default -> new IOException("cannot open " + TunCalls.TUN_PATH + " for TAP " + name + ": "
                    + TunCalls.strerror(errno) + " (errno " + errno + ")");
        };
    }

    private static IOException attachError(int errno, String name) {
        return switch (errno) {
            case TunCalls.EACCES, TunCalls.EPERM -> new IOException(
                    "cannot attach to TAP " + name + ": operation not permitted; it needs CAP_NET_ADMIN: "
                            + "run as root or pre-create the TAP with `ip tuntap add " + name
                            + " mode tap user $USER`");
            case TunCalls.EBUSY -> new IOException(
                    "cannot attach to TAP " + name + ": it is already in use by another process");
            case TunCalls.EINVAL -> new IOException(
                    "cannot attach to TAP " + name + ": an interface with that name exists and is not a "
                            + "TAP (IFF_TAP, no packet information); choose another name or delete it");
            default -> new IOException("cannot attach to TAP " + name + ": " + TunCalls.strerror(errno)
                    + " (errno " + errno + ")");
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int pollFd() {
        return fd;
    }

    @Override
    public DeviceStats stats() {
        return stats;
    }

    @Override
    public void open(DeviceContext context) {
        if (this.context != null) {
            throw new IllegalStateException("TAP " + name + " is already attached to a loop");
        }
        if (closed) {
            throw new IllegalStateException("TAP " + name + " is closed");
        }
        this.context = Objects.requireNonNull(context, "context");
    }

    @Override
    public int receive(FrameHandler handler, int maxFrames) {
        if (closed || failed) {
            return 0;
        }
        int n = 0;
        while (n < maxFrames) {
            long r = TunCalls.read(callState, fd, rxSegment, BUFFER_SIZE);
            if (r > 0) {
                stats.rxFrames.inc();
                stats.rxBytes.add(r);
                n++;
                handler.onFrame(rxBuffer, 0, (int) r);
                continue;
            }
            if (r == 0) {
                break;
            }
            int errno = TunCalls.errno(callState);
            if (errno == TunCalls.EAGAIN) {
                break;
            }
            if (errno == TunCalls.EINTR) {
                continue;
            }
            rxErrors.inc();
            if (errno == TunCalls.EBADFD || errno == TunCalls.EBADF) {
                // The interface was deleted under us (or the fd closed): nothing will ever arrive.
                failed = true;
                LOG.log(Level.WARNING, "TAP " + name + " is gone (" + TunCalls.strerror(errno)
                        + "); no more frames will be received");
            }
            break;
        }
        return n;
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (closed || failed) {
            stats.txDropped.inc();
            return false;
        }
        if (len > BUFFER_SIZE) {
            txOversize.inc();
            stats.txDropped.inc();
            return false;
        }
        MemorySegment src;
        if (off == 0) {
            if (buf != txArray) {
                // One segment object per distinct buffer; a stack reusing its buffers allocates nothing.
                txArray = buf;
                txArraySegment = MemorySegment.ofArray(buf);
            }
            src = txArraySegment;
        } else {
            MemorySegment.copy(buf, off, txNative, ValueLayout.JAVA_BYTE, 0, len);
            src = txNative;
        }
        while (true) {
            long r = TunCalls.write(callState, fd, src, len);
            if (r == len) {
                stats.txFrames.inc();
                stats.txBytes.add(len);
                return true;
            }
            int errno = r < 0 ? TunCalls.errno(callState) : 0;
            if (errno == TunCalls.EINTR) {
                continue;
            }
            if (errno == TunCalls.EIO) {
                // The kernel refuses frames while its side of the TAP is administratively down.
                txLinkDown.inc();
            } else {
                txErrors.inc();
            }
            stats.txDropped.inc();
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        TunCalls.close(fd);
    }

    @Override
    public String toString() {
        return "TapDevice[" + name + ", " + mac + ", mtu " + mtu + "]";
    }
}
