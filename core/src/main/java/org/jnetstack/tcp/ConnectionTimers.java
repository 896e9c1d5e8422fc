package org.jnetstack.tcp;

import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;

/**
 * A connection's timers: one loop {@link Timer} and a deadline per kind (retransmission, delayed
 * ACK, persist, keepalive, FIN-WAIT-2). Arming a kind only records its deadline; the loop's timer
 * is moved only when the new deadline is earlier than the one it waits for, and when it fires
 * early (a deadline moved later, or disarmed) it runs what is due and waits again for the
 * earliest deadline left. Re-arming happens on almost every segment (RTO restart, keepalive, the
 * delayed ACK), so it costs a comparison, not a heap operation, and allocates nothing.
 */
final class ConnectionTimers {
    /** RFC 6298 §5: the retransmission timer. */
    static final int RETRANSMIT = 0;
    /** RFC 1122 §4.2.3.2: an ACK for a lone segment waits at most this long. */
    static final int DELAYED_ACK = 1;
    /** RFC 9293 §3.8.6.1: zero-window probes. */
    static final int PERSIST = 2;
    /** RFC 1122 §4.2.3.6: keepalive probes. */
    static final int KEEPALIVE = 3;
    /** An orphaned FIN-WAIT-2 connection ends after 2 MSL (Linux's tcp_fin_timeout). */
    static final int FIN_WAIT_2 = 4;
    private static final int KINDS = 5;

    private final TcpConnection c;
    private final Timer timer;
    private final long[] due = new long[KINDS];
    private int armed; // bit k: kind k has a deadline

    ConnectionTimers(TcpConnection c, EventLoop loop) {
        this.c = c;
        this.timer = loop.newTimer(this::fire);
    }

    boolean isArmed(int kind) {
        return (armed & (1 << kind)) != 0;
    }

    /** Arms {@code kind} for {@code delayNanos} from now (re-arming moves its deadline either way). */
    void arm(int kind, long delayNanos) {
        armAt(kind, c.now() + Math.max(0, delayNanos));
    }

    void armAt(int kind, long deadline) {
        due[kind] = deadline;
        armed |= 1 << kind;
        if (!timer.isScheduled() || timer.deadline() - deadline > 0) {
            timer.scheduleAt(deadline);
        }
    }

    /** Disarms {@code kind}; the loop's timer, if it waits for it, fires later and finds nothing due. */
    void disarm(int kind) {
        armed &= ~(1 << kind);
    }

    /** Disarms every kind and takes the timer out of the loop (the connection ended). */
    void disarmAll() {
        armed = 0;
        timer.cancel();
    }

    /** {@code kind} is due: what it was armed for. */
    private void expired(int kind) {
        switch (kind) {
            case RETRANSMIT -> c.sender.onRetransmitTimeout();
            case DELAYED_ACK -> {
                if (c.state.isLive()) {
                    c.sender.sendAck();
                }
            }
            case PERSIST -> c.sender.onPersist();
            case KEEPALIVE -> c.sender.onKeepalive();
            case FIN_WAIT_2 -> c.terminate(null);
            default -> throw new IllegalArgumentException("timer kind " + kind);
        }
    }

    /** Runs every kind that is due, in kind order, then waits for the earliest deadline left. */
    private void fire() {
        long now = c.now();
        for (int kind = 0; kind < KINDS; kind++) {
            if (isArmed(kind) && now - due[kind] >= 0) {
                disarm(kind);
                expired(kind);
            }
        }
        long next = 0;
        boolean any = false;
        for (int kind = 0; kind < KINDS; kind++) {
            if (isArmed(kind) && (!any || due[kind] - next < 0)) {
                next = due[kind];
                any = true;
            }
        }
        if (any && (!timer.isScheduled() || timer.deadline() - next > 0)) {
            timer.scheduleAt(next);
        }
    }
}
