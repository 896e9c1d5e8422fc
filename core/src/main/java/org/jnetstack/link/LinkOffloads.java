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
 */
public record LinkOffloads(boolean rxChecksum, boolean txChecksum, int txSegmentation) {
    /** No offloads: the stack does everything in software. */
    public static final LinkOffloads NONE = new LinkOffloads(false, false, 0);

    public LinkOffloads {
        if (txSegmentation < 0 || txSegmentation > 65_535) {
            throw new IllegalArgumentException("txSegmentation must be 0-65535: " + txSegmentation);
        }
        if (txSegmentation > 0 && !txChecksum) {
            throw new IllegalArgumentException("segmentation offload needs checksum offload");
        }
    }

    public boolean any() {
        return rxChecksum || txChecksum || txSegmentation > 0;
    }

    /** {@code "rx-checksum tx-checksum tso(65535)"} or {@code "none"}. */
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
        return sb.toString();
    }
}
