package org.jnetstack.usernet;

import java.net.InetSocketAddress;

/** A host-to-guest forward ({@link TcpForward}, {@link UdpForward}): where it listens; closing stops it. */
interface Forward extends AutoCloseable {
    /** The host address and port actually listened on. */
    InetSocketAddress hostAddress();

    @Override
    void close();
}
