package org.jnetstack.ip;

/**
 * A network protocol above Ethernet that {@link NetInterface} hands frames of its EtherType to
 * (IPv6, EtherType 0x86DD, registered with {@link NetInterface#setIpv6Handler}).
 */
@FunctionalInterface
public interface LinkProtocolHandler {
    /**
     * A received packet: {@code buf[off, off+len)} is the Ethernet payload (it may include link
     * padding), {@code sourceMac} the frame's source, {@code frameFlags} the device's flags
     * ({@link org.jnetstack.link.FrameHandler}). Valid only during the call.
     */
    void input(NetInterface iface, byte[] buf, int off, int len, long sourceMac, int frameFlags);
}
