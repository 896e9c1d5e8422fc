package org.jnetstack.tcp.cc;

/**
 * A congestion controller: decides the congestion window (cwnd) and slow-start threshold
 * (ssthresh) of one connection from the events the connection reports. All sizes in bytes,
 * times in nanoseconds on the stack's clock. Pluggable ({@link CongestionControls#create});
 * one instance per connection, used only on the event-loop thread.
 *
 * <p>The connection drives it as follows (RFC 5681 §3, RFC 6582, RFC 6675):
 * <ul>
 *   <li>{@link #init} when the connection is established (initial window, RFC 6928);</li>
 *   <li>{@link #onAck} for each ACK of new data outside recovery;</li>
 *   <li>{@link #onEnterRecovery} when fast retransmit starts loss recovery. It sets ssthresh and
 *       cwnd = ssthresh (RFC 5681 §3.2 step 2, RFC 6675 §5 step 4.2). A sender without SACK
 *       then inflates by calling {@link #onDupAckInRecovery} once for each duplicate ACK
 *       received so far — DupThresh times, RFC 5681 §3.2 step 3's "+3*SMSS" — and once per
 *       further duplicate ACK (step 4). A SACK sender does not inflate: pipe does that work;</li>
 *   <li>{@link #onPartialAck} for each partial ACK in non-SACK recovery (RFC 6582 §3.2 step 5);</li>
 *   <li>{@link #onExitRecovery} on the full ACK that ends recovery;</li>
 *   <li>{@link #onRetransmitTimeout} when the retransmission timer fires.</li>
 * </ul>
 */
public interface CongestionControl {
    /** The name {@link CongestionControls#create} knows it by. */
    String name();

    /**
     * Starts afresh with sender MSS {@code mss}: cwnd = IW = min(10*MSS, max(2*MSS, 14600))
     * (RFC 6928 §2, which raises RFC 5681 §3.1's IW), ssthresh arbitrarily high (RFC 5681 §3.1).
     */
    void init(int mss);

    long cwnd();

    long ssthresh();

    /** The sender MSS changed (e.g. path MTU): later increments use it; cwnd is kept. */
    void setMss(int mss);

    /**
     * New data acknowledged while not in recovery; {@code rtt} the latest RTT sample or -1.
     * {@code bytesInFlight} is the data outstanding before this ACK: cwnd grows only when the
     * sender was using it (a sender limited by the application must not inflate a cwnd it never
     * tested — RFC 7661's concern).
     */
    void onAck(long ackedBytes, long bytesInFlight, long rtt, long now);

    /** Fast retransmit / SACK loss recovery starts (RFC 5681 §3.2 step 2 / RFC 6675 §5): reduce. */
    void onEnterRecovery(long bytesInFlight, long now);

    /**
     * Recovery ends (full ACK): RFC 6582 §3.2 step 3, option 1 — cwnd =
     * min(ssthresh, max(FlightSize, SMSS) + SMSS), deflating any inflation without a burst.
     */
    void onExitRecovery(long bytesInFlight, long now);

    /** RTO fired: RFC 5681 §3.1 eq. 4 (or the controller's own factor), cwnd = 1 MSS (loss window). */
    void onRetransmitTimeout(long bytesInFlight, long now);

    /** Partial ACK in NewReno recovery (RFC 6582 §3.2 step 5): deflate by acked, add back MSS if >= MSS. */
    void onPartialAck(long ackedBytes);

    /** Each duplicate ACK in non-SACK recovery inflates cwnd by MSS (RFC 5681 §3.2 step 4). */
    void onDupAckInRecovery();
}
