package org.jnetstack.tcp;

/** The connection states of RFC 9293 §3.3.2. */
public enum TcpState {
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT;

    /** States after the handshake, in which sequence numbers are synchronized. */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }
}
