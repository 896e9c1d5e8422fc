package org.jnetstack.tcp;

/**
 * The connection states of RFC 9293 §3.3.2, and what each lets a connection do (the questions
 * smoltcp's {@code may_send}/{@code may_recv} answer).
 */
public enum TcpState {
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT;

    /** States after the handshake, in which sequence numbers are synchronized. */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /**
     * Synchronized and not yet in TIME-WAIT: the connection itself sends segments (data, ACKs,
     * probes). In TIME-WAIT a small record answers for it instead.
     */
    public boolean isLive() {
        return isSynchronized() && this != TIME_WAIT;
    }

    /** New data may be sent: our side has not sent its FIN (RFC 9293 §3.10.2 SEND). */
    public boolean maySend() {
        return this == ESTABLISHED || this == CLOSE_WAIT;
    }

    /** Data may be queued for sending: it goes out once the handshake completes (RFC 9293 §3.10.2). */
    public boolean mayQueue() {
        return maySend() || this == SYN_SENT || this == SYN_RECEIVED;
    }

    /** Received data is taken: the peer has not sent its FIN (RFC 9293 §3.10.7.4, seventh). */
    public boolean mayReceive() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }

    /** An ACK may be sent: from SYN-RECEIVED on, when there is a sequence number to acknowledge. */
    public boolean mayAck() {
        return ordinal() >= SYN_RECEIVED.ordinal();
    }

    /** Our SYN is not acknowledged yet (retransmissions count against the SYN retry limit). */
    public boolean isOpening() {
        return this == SYN_SENT || this == SYN_RECEIVED;
    }

    /** Our FIN has been sent (it may still need retransmitting) and the connection waits on it. */
    public boolean finSentState() {
        return this == FIN_WAIT_1 || this == CLOSING || this == LAST_ACK;
    }

    /**
     * The peer has everything it is owed: every byte and our FIN acknowledged, or nothing at all
     * (FIN-WAIT-2, TIME-WAIT, CLOSED).
     */
    public boolean isSettled() {
        return this == CLOSED || this == FIN_WAIT_2 || this == TIME_WAIT;
    }
}
