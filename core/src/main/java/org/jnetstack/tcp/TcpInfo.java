package org.jnetstack.tcp;

/**
 * A snapshot of one connection (like Linux's {@code struct tcp_info}). Windows and sizes in
 * bytes, times in microseconds.
 */
public record TcpInfo(
        TcpState state,
        String local,
        String remote,
        int mss,
        long sendWindow,
        long receiveWindow,
        long cwnd,
        long ssthresh,
        long srttMicros,
        long rttvarMicros,
        long rtoMicros,
        long retransmittedSegments,
        long retransmittedBytes,
        long bytesSent,
        long bytesAcked,
        long bytesReceived,
        int unackedBytes,
        int sendBuffered,
        int receiveBuffered,
        boolean sack,
        boolean timestamps,
        int sendWindowScale,
        int receiveWindowScale,
        String congestionControl,
        boolean inRecovery) {
}
