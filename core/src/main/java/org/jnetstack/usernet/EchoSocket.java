package org.jnetstack.usernet;

/**
 * Where {@link IcmpNat} sends guests' echo requests and reads the replies: the host's echo
 * socket of one family ({@link HostEchoSocket}), or a test's stand-in. The gateway numbers its
 * requests itself (in the sequence field); the identifier is the socket's to set. Addresses in the
 * two-long form (IPv4 as IPv4-mapped). Loop thread.
 */
interface EchoSocket {
    /** {@link #receive}: nothing waits. */
    int NONE = -1;
    /** {@link #receive}: a datagram that is not an echo reply, or a receive error. */
    int BAD = -2;

    /** Why no request can be sent (the socket could not be opened, or it is closed), or null. */
    String unavailable();

    /** The descriptor the event loop waits on for replies, or -1 for none (then the owner reads when it likes). */
    int fd();

    /** Sends an echo request numbered {@code number} to {@code dst} with the data; false if it could not. */
    boolean send(int number, long dstHi, long dstLo, byte[] data, int off, int len);

    /**
     * Reads one reply: the length of its data, copied to {@code data}, and then {@link #number},
     * {@link #fromHi}, {@link #fromLo} describe it; or {@link #NONE}, or {@link #BAD}.
     */
    int receive(byte[] data);

    /** The sequence number of the last reply read. */
    int number();

    long fromHi();

    long fromLo();

    void close();
}
