package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import org.jnetstack.NetStack;
import org.jnetstack.ip.PingListener;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.ip6.Ping6Listener;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * One ping session on the loop thread: sends a request every interval, prints each reply or
 * error as it arrives, and finishes when every request of a counted run is answered or timed
 * out, or at {@link #stop()}. {@link #awaitFinished()} is the only method for other threads.
 */
final class PingRun implements PingListener, Ping6Listener {
    /**
     * What to send: {@code count} 0 means until stopped; {@code destination6} non-null pings over
     * IPv6 (ICMPv6, RFC 4443 §4) instead of {@code destination}.
     */
    record Settings(int destination, Ipv6Address destination6, int count, long intervalNanos, int size, long timeoutNanos,
                    int identifier) {
        Settings(int destination, int count, long intervalNanos, int size, long timeoutNanos, int identifier) {
            this(destination, null, count, intervalNanos, size, timeoutNanos, identifier);
        }
    }

    /** ping(8) prints nothing for a request that simply got no answer. */
    private static final String TIMEOUT = "Request timeout";

    private final NetStack stack;
    private final EventLoop loop;
    private final Settings settings;
    private final PingStatistics stats;
    private final PrintWriter out;
    private final CountDownLatch finished = new CountDownLatch(1);
    private Timer sendTimer;
    private int nextSequence = 1;
    private int outstanding;
    private long startNanos;
    private boolean done;
    /** Written on the loop thread before {@link #finished} opens; read after it. */
    private long elapsedMillis;

    PingRun(NetStack stack, EventLoop loop, Settings settings, PingStatistics stats, PrintWriter out) {
        this.stack = stack;
        this.loop = loop;
        this.settings = settings;
        this.stats = stats;
        this.out = out;
    }

    /** Loop thread: sends the first request. */
    void start() {
        startNanos = loop.clock().nanos();
        sendTimer = loop.newTimer(this::sendNext);
        sendNext();
    }

    private void sendNext() {
        if (done) {
            return;
        }
        // ICMP sequence numbers are 16 bits (RFC 792); ping(8) counts on and wraps the same way.
        int sequence = nextSequence++ & 0xFFFF;
        stats.transmitted();
        outstanding++;
        try {
            if (settings.destination6() != null) {
                stack.ping6(settings.destination6(), settings.identifier(), sequence, settings.size(),
                        java.time.Duration.ofNanos(settings.timeoutNanos()), this);
            } else {
                stack.icmp().ping(settings.destination(), settings.identifier(), sequence, settings.size(),
                        settings.timeoutNanos(), this);
            }
        } catch (RuntimeException e) {
            outstanding--;
            stats.error();
            out.println("ping: " + e.getMessage());
            out.flush();
        }
        if (done) {
            return; // the request failed at once and that ended the run
        }
        if (settings.count() == 0 || stats.transmittedCount() < settings.count()) {
            sendTimer.schedule(settings.intervalNanos());
        } else {
            finishIfAnswered();
        }
    }

    @Override
    public void onReply(int sequence, int fromIp, int ttl, int bytes, long rttNanos) {
        reply(sequence, Ipv4Address.format(fromIp), ttl, bytes, rttNanos);
    }

    @Override
    public void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos) {
        reply(sequence, Ipv6Address.format(fromHi, fromLo), hopLimit, bytes, rttNanos);
    }

    private void reply(int sequence, String from, int ttl, int bytes, long rttNanos) {
        if (done) {
            return;
        }
        outstanding--;
        stats.received(rttNanos);
        out.println(PingStatistics.replyLine(bytes, from, sequence, ttl, rttNanos));
        out.flush();
        finishIfAnswered();
    }

    @Override
    public void onFailure(int sequence, int fromIp, String reason) {
        // fromIp is 0 for a local failure with no one to name (no route).
        failure(sequence, fromIp == 0 ? null : Ipv4Address.format(fromIp), reason);
    }

    @Override
    public void onFailure(int sequence, long fromHi, long fromLo, String reason) {
        failure(sequence, fromHi == 0 && fromLo == 0 ? null : Ipv6Address.format(fromHi, fromLo), reason);
    }

    private void failure(int sequence, String from, String reason) {
        if (done) {
            return;
        }
        outstanding--;
        if (!reason.startsWith(TIMEOUT)) {
            stats.error();
            out.println(from == null ? "ping: icmp_seq=" + sequence + " " + reason
                    : PingStatistics.errorLine(from, sequence, reason));
            out.flush();
        }
        finishIfAnswered();
    }

    private void finishIfAnswered() {
        if (settings.count() > 0 && stats.transmittedCount() >= settings.count() && outstanding <= 0) {
            finish();
        }
    }

    /** Loop thread: stop sending and finish now (Ctrl-C). */
    void stop() {
        finish();
    }

    private void finish() {
        if (done) {
            return;
        }
        done = true;
        if (sendTimer != null) {
            sendTimer.cancel();
        }
        elapsedMillis = sendTimer == null ? 0 : (loop.clock().nanos() - startNanos) / 1_000_000;
        finished.countDown();
    }

    /** Loop thread: true once the session has finished. */
    boolean isFinished() {
        return done;
    }

    /** Any thread: waits for the session to finish; returns its duration in milliseconds. */
    long awaitFinished() throws InterruptedException {
        finished.await();
        return elapsedMillis;
    }
}
