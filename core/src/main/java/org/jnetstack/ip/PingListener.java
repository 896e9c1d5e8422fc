package org.jnetstack.ip;

/** Outcome of one echo request sent with {@link Icmp#ping}; called on the loop thread. */
public interface PingListener {
    /** An echo reply: {@code bytes} is the ICMP message length (as ping(8) prints it). */
    void onReply(int sequence, int fromIp, int ttl, int bytes, long rttNanos);

    /**
     * No reply: {@code reason} as ping(8) words it ("Request timeout", "Destination Host
     * Unreachable", ...); {@code fromIp} is who reported it (our own address for a local failure,
     * 0 for a timeout).
     */
    void onFailure(int sequence, int fromIp, String reason);
}
