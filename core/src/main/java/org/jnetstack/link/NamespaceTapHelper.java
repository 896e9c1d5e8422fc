package org.jnetstack.link;

import java.io.IOException;

/**
 * The short-lived process that creates a TAP inside a network namespace owned by a user
 * namespace (see {@link UserNamespaceTap}): started by {@code nsenter --user --net}, so it runs
 * inside both with the user namespace's capabilities, which a multithreaded JVM could never
 * enter itself ({@code setns(2)} refuses CLONE_NEWUSER to a process with more than one thread).
 * It opens the TAP as {@link TapDevice#open(String, org.jnetstack.wire.MacAddress, int)} does,
 * prints one line {@code tap FD NAME VNET RX_CSUM TX_CSUM TSO TSO6 STATUS...} (or {@code error
 * MESSAGE}), and holds the descriptor until its standard input ends, while the parent copies it
 * with {@code pidfd_getfd(2)}.
 */
public final class NamespaceTapHelper {
    private NamespaceTapHelper() {
    }

    /** {@code NAME MTU [OFFLOADS]}: OFFLOADS {@code true} asks for the virtio-net header and checksum/TCP segmentation offload. */
    public static void main(String[] args) throws IOException {
        TapDevice tap;
        try {
            tap = TapDevice.open(args[0], null, Integer.parseInt(args[1]), args.length > 2 && Boolean.parseBoolean(args[2]));
        } catch (IOException | RuntimeException e) {
            System.out.println("error " + e.getMessage());
            System.out.flush();
            System.exit(1);
            return;
        }
        LinkOffloads o = tap.offloads();
        System.out.println("tap " + tap.pollFd() + " " + tap.name() + " " + tap.vnetHeader() + " " + o.rxChecksum() + " "
                + o.txChecksum() + " " + o.txSegmentation() + " " + o.txSegmentation6() + " " + tap.offloadStatus());
        System.out.flush();
        while (System.in.read() >= 0) {
            // the parent closes our standard input once it holds its own copy of the descriptor
        }
        System.exit(0);
    }
}
