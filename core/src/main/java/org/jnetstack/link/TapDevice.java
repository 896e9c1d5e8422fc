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
 * DeviceAttachment.attach(loop, tap, stack::onFrame); // the loop polls tap.pollFd()
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
 *
 * <p><b>Offloads.</b> Opened with {@code offloads = true}, the TAP carries a
 * {@code virtio_net_hdr} before every frame ({@code IFF_VNET_HDR}) and asks the kernel for
 * checksum and TCP segmentation offload ({@code TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6}), the way
 * QEMU and gVisor use a TAP: the kernel hands the stack TCP super-segments of up to 64 KiB with
 * checksums it vouches for, and takes super-segments with partial checksums that it completes and
 * cuts itself. One system call then moves up to 64 KiB instead of one 1,514-byte frame. When the
 * kernel refuses (an old kernel, a TAP opened elsewhere without the header), the device falls back
 * to plain frames; {@link #offloads()} and {@link #offloadStatus()} say what was obtained.
 *
 * <p><b>Transmit thread.</b> Opened with {@link TapOptions#withTransmitThread}, the device writes
 * from a thread of its own: {@link #send} copies the frame into a bounded ring and returns, and
 * the kernel's receive work that every {@code write(2)} does runs there, beside the loop (see
 * {@link TapOptions}). Only on plain frames: when the kernel grants segmentation offload the
 * option is ignored (measured slower there). Frames still leave in the order they were sent; a full ring drops the frame
 * and counts it ({@code tx.dropped.ring_full}). Then {@code tx.frames}/{@code tx.bytes} count
 * what the thread wrote, and write errors ({@code tx.errors}, {@code tx.dropped.link_down}) are
 * not in {@code tx.dropped}, which the loop thread alone keeps. {@link #close} lets the thread
 * write what is queued and waits for it to end.
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
    /** The largest super-segment (an IPv4 datagram) the kernel takes for segmentation. */
    static final int MAX_SUPER_SEGMENT = 65_535;

    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final int fd;
    /** Every frame, both ways, carries a virtio_net_hdr in front. */
    private final boolean vnetHeader;
    private final LinkOffloads offloads;
    private final String offloadStatus;
    private final DeviceStats stats = new DeviceStats();
    private final Counter rxErrors = stats.counters().counter("rx.errors");
    private final Counter txErrors = stats.counters().counter("tx.errors");
    private final Counter txLinkDown = stats.counters().counter("tx.dropped.link_down");
    private final Counter txOversize = stats.counters().counter("tx.dropped.oversize");
    private final Counter rxSuperSegments = stats.counters().counter("rx.gso_frames");
    private final Counter rxBadOffload = stats.counters().counter("rx.dropped.bad_offload");
    private final Counter txSuperSegments = stats.counters().counter("tx.gso_frames");
    private final Counter txRingFull = stats.counters().counter("tx.dropped.ring_full");
    /** Null when frames are written on the loop thread. */
    private final TapTransmitThread transmitter;

    /** GC-managed: nothing is freed under a call that races with {@link #close()}. */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment callState = arena.allocate(TunCalls.CAPTURE_LAYOUT);
    private final byte[] rxBuffer = new byte[BUFFER_SIZE + VirtioNetHeader.LENGTH];
    /** The read call fills {@link #rxBuffer} through this heap segment (critical downcall). */
    private final MemorySegment rxSegment = MemorySegment.ofArray(rxBuffer);
    /** Frames at a non-zero offset are copied here first: slicing a heap segment allocates. */
    private final MemorySegment txNative = arena.allocate(BUFFER_SIZE + VirtioNetHeader.LENGTH, 16);
    private final byte[] headerScratch = new byte[VirtioNetHeader.LENGTH];
    private byte[] txArray;
    private MemorySegment txArraySegment;
    private byte[] txSliceArray;
    private int txSliceBase;
    private MemorySegment txSliceSegment;

    private volatile boolean closed;
    private boolean failed;
    private DeviceContext context;

    private TapDevice(String name, MacAddress mac, int mtu, int fd, boolean vnetHeader, LinkOffloads offloads,
                      String offloadStatus, TapOptions options) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.fd = fd;
        this.vnetHeader = vnetHeader;
        this.offloads = offloads;
        this.offloadStatus = offloadStatus;
        // With segmentation offload a write carries up to 64 KiB and the kernel's per-write work is
        // spread over ~45 segments; the thread's extra copy of 64 KiB then costs more than the write it saves.
        if (options.transmitThread() && offloads.txSegmentation() == 0) {
            FrameRing ring = new FrameRing(options.transmitRingBytes(), BUFFER_SIZE + VirtioNetHeader.LENGTH);
            transmitter = new TapTransmitThread(name, fd, null, vnetHeader ? VirtioNetHeader.LENGTH : 0, ring,
                    options.transmitSpinNanos(), stats.txFrames, stats.txBytes, txErrors, txLinkDown);
            transmitter.start();
        } else {
            transmitter = null;
        }
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
        return open(name, mac, mtu, TapOptions.defaults());
    }

    /**
     * Like {@link #open(String, MacAddress, int)}, with checksum and TCP segmentation offload
     * when {@code offloads} is true and the kernel grants them (see the class comment); a refusal
     * is not an error: the device then works on plain frames and {@link #offloadStatus()} says why.
     */
    public static TapDevice open(String name, MacAddress mac, int mtu, boolean offloads) throws IOException {
        return open(name, mac, mtu, TapOptions.defaults().withOffloads(offloads));
    }

    /**
     * Like {@link #open(String, MacAddress, int)}, as {@code options} say: offloads (see
     * {@link #open(String, MacAddress, int, boolean)}) and the transmit thread (see the class comment).
     */
    public static TapDevice open(String name, MacAddress mac, int mtu, TapOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        boolean offloads = options.offloads();
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
            boolean vnet = offloads;
            String status = offloads ? null : "off (not requested)";
            int r = setIff(state, fd, ifreq, nameBytes, vnet);
            if (r < 0 && vnet) {
                // The kernel would not give us the virtio header: plain frames, as without offloads.
                status = "off (TUNSETIFF with IFF_VNET_HDR: " + TunCalls.strerror(TunCalls.errno(state)) + ")";
                vnet = false;
                r = setIff(state, fd, ifreq, nameBytes, false);
            }
            if (r < 0) {
                int errno = TunCalls.errno(state);
                TunCalls.close(fd);
                throw attachError(errno, name);
            }
            String actual = ifreq.getString(0, StandardCharsets.US_ASCII);
            LinkOffloads granted = LinkOffloads.NONE;
            if (vnet) {
                MemorySegment size = tmp.allocate(ValueLayout.JAVA_INT);
                size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.LENGTH);
                if (TunCalls.ioctl(state, fd, TunCalls.TUNSETVNETHDRSZ, size) < 0) {
                    status = "off (TUNSETVNETHDRSZ: " + TunCalls.strerror(TunCalls.errno(state)) + ")";
                } else if (TunCalls.ioctlValue(state, fd, TunCalls.TUNSETOFFLOAD,
                        TunCalls.TUN_F_CSUM | TunCalls.TUN_F_TSO4 | TunCalls.TUN_F_TSO6) >= 0) {
                    granted = new LinkOffloads(true, true, MAX_SUPER_SEGMENT, true);
                } else if (TunCalls.ioctlValue(state, fd, TunCalls.TUNSETOFFLOAD, TunCalls.TUN_F_CSUM | TunCalls.TUN_F_TSO4) >= 0) {
                    granted = new LinkOffloads(true, true, MAX_SUPER_SEGMENT);
                } else if (TunCalls.ioctlValue(state, fd, TunCalls.TUNSETOFFLOAD, TunCalls.TUN_F_CSUM) >= 0) {
                    granted = new LinkOffloads(true, true, 0);
                } else {
                    status = "off (TUNSETOFFLOAD: " + TunCalls.strerror(TunCalls.errno(state)) + ")";
                }
                if (granted.any()) {
                    status = "on (" + granted.describe() + ")";
                }
            }
            return new TapDevice(actual.isEmpty() ? name : actual, m, mtu, fd, vnet, granted, status, options);
        }
    }

    private static int setIff(MemorySegment state, int fd, MemorySegment ifreq, byte[] nameBytes, boolean vnet) {
        ifreq.fill((byte) 0);
        MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
        short flags = (short) (TunCalls.IFF_TAP_NO_PI | (vnet ? TunCalls.IFF_VNET_HDR : 0));
        ifreq.set(ValueLayout.JAVA_SHORT, TunCalls.IFREQ_FLAGS_OFFSET, flags);
        return TunCalls.ioctl(state, fd, TunCalls.TUNSETIFF, ifreq);
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
    public LinkOffloads offloads() {
        return offloads;
    }

    /** Whether frames carry a {@code virtio_net_hdr} (IFF_VNET_HDR was granted). */
    boolean vnetHeader() {
        return vnetHeader;
    }

    /**
     * A TAP whose descriptor {@code fd} was opened and configured elsewhere (in another process,
     * inside another namespace: {@link UserNamespaceTap}) and copied into this one.
     */
    static TapDevice adopt(int fd, String name, MacAddress mac, int mtu, boolean vnetHeader, LinkOffloads offloads,
            String offloadStatus, TapOptions options) {
        return new TapDevice(name, mac != null ? mac : MacAddress.randomLocal(new SecureRandom()), mtu, fd, vnetHeader,
                offloads, offloadStatus, options);
    }

    /**
     * One line for a startup message: {@code "on (rx-checksum tx-checksum tso(65535))"}, or
     * {@code "off (...)"} with the reason (not requested, or what the kernel refused).
     */
    public String offloadStatus() {
        return offloadStatus;
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
        int head = vnetHeader ? VirtioNetHeader.LENGTH : 0;
        while (n < maxFrames) {
            long r = TunCalls.read(callState, fd, rxSegment, rxBuffer.length);
            if (r > head) {
                int len = (int) r - head;
                stats.rxFrames.inc();
                stats.rxBytes.add(len);
                n++;
                if (vnetHeader) {
                    // The kernel is trusted with the MTU (its side may differ from ours); a switch checks its own.
                    int flags = VirtioNetHeader.rxFrameFlags(rxBuffer, 0, rxBuffer, head, len, MAX_SUPER_SEGMENT);
                    if (flags < 0) {
                        rxBadOffload.inc();
                        stats.rxDropped.inc();
                        continue;
                    }
                    if ((flags & FrameHandler.GSO_TCP) != 0) {
                        rxSuperSegments.inc();
                    }
                    handler.onFrame(rxBuffer, head, len, flags);
                } else {
                    handler.onFrame(rxBuffer, 0, len);
                }
                continue;
            }
            if (r > 0) {
                rxErrors.inc(); // shorter than the virtio header: cannot happen with a sane kernel
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
        if (!vnetHeader) {
            return write(buf, off, len, 0);
        }
        VirtioNetHeader.writePlain(headerScratch, 0);
        return write(buf, off, len, VirtioNetHeader.LENGTH);
    }

    @Override
    public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (!offloads.txChecksum()) {
            return LinkDevice.super.sendOffloaded(buf, off, len, checksumStart, checksumOffset, segmentSize);
        }
        if (closed || failed) {
            stats.txDropped.inc();
            return false;
        }
        boolean ipv6 = len >= 14 && (buf[off + 12] & 0xFF) == 0x86 && (buf[off + 13] & 0xFF) == 0xDD;
        int limit = segmentSize > 0 ? 14 + offloads.txSegmentation() + (ipv6 ? 40 : 0) : BUFFER_SIZE;
        if (len > limit || checksumStart < 0 || checksumStart + checksumOffset + 2 > len
                || (segmentSize > 0 && (!offloads.segments(ipv6) || checksumStart + 20 > len))) {
            txOversize.inc();
            stats.txDropped.inc();
            return false;
        }
        int headerBytes = checksumStart + checksumOffset + 2;
        if (segmentSize > 0) {
            // hdr_len: all headers, which the kernel copies into every segment (TCP data offset).
            headerBytes = checksumStart + ((buf[off + checksumStart + 12] & 0xF0) >>> 2);
            txSuperSegments.inc();
        }
        VirtioNetHeader.writeOffload(headerScratch, 0, headerBytes, checksumStart, checksumOffset, segmentSize, ipv6);
        return write(buf, off, len, VirtioNetHeader.LENGTH);
    }

    /**
     * Writes {@code head} bytes of {@link #headerScratch} then the frame, in one write. When the
     * caller left room in front of the frame (the stack's own buffers do, {@link #TX_HEADROOM}),
     * the header goes there and the kernel reads straight from the caller's array; otherwise
     * both are copied into native memory first.
     */
    private boolean write(byte[] buf, int off, int len, int head) {
        if (transmitter != null) {
            if (transmitter.offer(headerScratch, buf, off, len)) {
                return true; // counted in tx.frames by the transmit thread once written
            }
            txRingFull.inc();
            stats.txDropped.inc();
            return false;
        }
        MemorySegment src;
        if (off >= head) {
            int base = off - head;
            System.arraycopy(headerScratch, 0, buf, base, head);
            src = arraySegment(buf, base);
        } else {
            MemorySegment.copy(headerScratch, 0, txNative, ValueLayout.JAVA_BYTE, 0, head);
            MemorySegment.copy(buf, off, txNative, ValueLayout.JAVA_BYTE, head, len);
            src = txNative;
        }
        int total = len + head;
        while (true) {
            long r = TunCalls.write(callState, fd, src, total);
            if (r == total) {
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

    /**
     * A segment over {@code buf} from {@code base}. Creating one allocates, so the last one is kept
     * for whole arrays and the last one for slices: a stack writing from its own buffers (always
     * at the same offset) allocates nothing.
     */
    private MemorySegment arraySegment(byte[] buf, int base) {
        if (base == 0) {
            if (buf != txArray) {
                txArray = buf;
                txArraySegment = MemorySegment.ofArray(buf);
            }
            return txArraySegment;
        }
        if (buf != txSliceArray || base != txSliceBase) {
            txSliceArray = buf;
            txSliceBase = base;
            txSliceSegment = MemorySegment.ofArray(buf).asSlice(base);
        }
        return txSliceSegment;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // The transmit thread writes what is queued, then ends; if it does not end in time it
        // closes the descriptor itself when it does (never closed under its write).
        if (transmitter == null || transmitter.close()) {
            TunCalls.close(fd);
        }
    }

    /** The transmit thread, or null when frames are written on the loop thread (for tests). */
    Thread transmitThread() {
        return transmitter != null ? transmitter.thread() : null;
    }

    @Override
    public String toString() {
        return "TapDevice[" + name + ", " + mac + ", mtu " + mtu + ", offloads " + offloadStatus + "]";
    }
}
