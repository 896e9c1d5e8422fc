package org.jnetstack.ip6;

/** Outcome of one echo request sent with {@link Icmpv6#ping}; called on the loop thread. */
public interface Ping6Listener {
    /** An echo reply: {@code bytes} is the ICMPv6 message length (as ping(8) prints it). */
    void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos);

    /**
     * No reply: {@code reason} as ping(8) words it ("Request timeout", "Destination unreachable:
     * Address unreachable", ...); {@code from} is who reported it (our own address for a local
     * failure, :: for a timeout).
     */
    void onFailure(int sequence, long fromHi, long fromLo, String reason);
}
