package org.jnetstack.link;

/**
 * What a link device does for the layers above it, so that they can skip the work: the
 * virtio-net offloads a Linux TAP offers with {@code IFF_VNET_HDR} (checksum offload and TCP
 * segmentation offload, the way QEMU and gVisor pass ten gigabits through a TAP).
 *
 * <p>Every device but an offloading TAP reports {@link #NONE}, and the stack then computes every
 * checksum and builds every segment itself, exactly as without this record.
 *
 * @param rxChecksum the device marks received frames whose transport checksum needs no check
 *     ({@link FrameHandler#RX_CHECKSUM_VERIFIED}: verified by the sender's hardware or never at
 *     risk, because they come from the same host's memory)
 * @param txChecksum {@link LinkDevice#sendOffloaded} completes a transport checksum the stack
 *     left partial (pseudo-header sum only)
 * @param txSegmentation largest IPv4 datagram {@link LinkDevice#sendOffloaded} accepts as one
 *     TCP "super-segment" that the device cuts into MSS-sized segments (TSO), or 0 for none
 * @param txSegmentation6 {@link LinkDevice#sendOffloaded} takes TCP/IPv6 super-segments too
 *     (TSO6), up to {@code txSegmentation} bytes of IPv6 payload
 */
public record LinkOffloads(boolean rxChecksum, boolean txChecksum, int txSegmentation, boolean txSegmentation6) {
    /** No offloads: the stack does everything in software. */
    public static final LinkOffloads NONE = new LinkOffloads(false, false, 0);

    /**
     * Every offload at its largest (checksums, TSO and TSO6 of 64 KiB): what a stack can take in
     * and what an in-process link can pass on (a {@link VirtualSwitch} port whose stack sends to an offloading TAP).
     */
    public static final LinkOffloads ALL = new LinkOffloads(true, true, 65_535, true);

    /** Offloads without TSO6. */
    public LinkOffloads(boolean rxChecksum, boolean txChecksum, int txSegmentation) {
        this(rxChecksum, txChecksum, txSegmentation, false);
    }

    public LinkOffloads {
        if (txSegmentation < 0 || txSegmentation > 65_535) {
            throw new IllegalArgumentException("txSegmentation must be 0-65535: " + txSegmentation);
        }
        if (txSegmentation > 0 && !txChecksum) {
            throw new IllegalArgumentException("segmentation offload needs checksum offload");
        }
        if (txSegmentation6 && txSegmentation == 0) {
            throw new IllegalArgumentException("TSO6 needs a segmentation size (txSegmentation > 0)");
        }
    }

    public boolean any() {
        return rxChecksum || txChecksum || txSegmentation > 0;
    }

    /** Whether {@link LinkDevice#sendOffloaded} takes a TCP super-segment of the IP version given. */
    public boolean segments(boolean ipv6) {
        return txSegmentation > 0 && (!ipv6 || txSegmentation6);
    }

    /** {@code "rx-checksum tx-checksum tso(65535) tso6"} or {@code "none"}. */
    public String describe() {
        if (!any()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if (rxChecksum) {
            sb.append("rx-checksum");
        }
        if (txChecksum) {
            sb.append(sb.isEmpty() ? "" : " ").append("tx-checksum");
        }
        if (txSegmentation > 0) {
            sb.append(sb.isEmpty() ? "" : " ").append("tso(").append(txSegmentation).append(')');
        }
        if (txSegmentation6) {
            sb.append(" tso6");
        }
        return sb.toString();
    }
}
