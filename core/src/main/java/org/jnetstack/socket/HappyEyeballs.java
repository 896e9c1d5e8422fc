package org.jnetstack.socket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jnetstack.NetStack;
import org.jnetstack.dns.DnsResolver;
import org.jnetstack.dns.DnsResult;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.Ipv6Address;

/**
 * Connecting to a host by name over both families, Happy Eyeballs version 2 (RFC 8305), on the
 * loop thread: AAAA and A are asked together (§3); an AAAA answer starts connecting at once, an
 * A answer first waits up to the Resolution Delay for the AAAA one; the addresses are tried
 * with the families interleaved, IPv6 first (§4); a new attempt starts every Connection Attempt
 * Delay, or at once when the one before fails (§5); the first connection to complete wins and
 * every other attempt is aborted. Addresses that come in late join the queue.
 *
 * <p>The outcome goes to {@link Outcome} on the loop thread: the winning, established connection
 * (its handler still this object's: set your own with {@link TcpConnection#setHandler}, which
 * replays data that came meanwhile), or the failure of the last attempt.
 */
public final class HappyEyeballs {
    /** RFC 8305 §3: how long an A answer waits for the AAAA answer (50 ms recommended). */
    public static final long RESOLUTION_DELAY_NANOS = 50_000_000L;
    /** RFC 8305 §5: the time between starting one attempt and the next (250 ms recommended). */
    public static final long CONNECTION_ATTEMPT_DELAY_NANOS = 250_000_000L;
    /**
     * Addresses of one family tried at most: an answer may carry thousands, and a connect should
     * not race hundreds of SYNs (those beyond are dropped, in answer order).
     */
    public static final int MAX_PER_FAMILY = 8;

    /** Where the outcome goes (loop thread). */
    public interface Outcome {
        void connected(TcpConnection winner);

        void failed(IOException error);
    }

    private final NetStack stack;
    private final EventLoop loop;
    private final String host;
    private final int port;
    private final TcpConfig config;
    private final Outcome outcome;
    private final ArrayDeque<InetAddress> v6 = new ArrayDeque<>();
    private final ArrayDeque<InetAddress> v4 = new ArrayDeque<>();
    private final List<TcpConnection> attempts = new ArrayList<>();
    private final Timer attemptTimer;
    private final Timer resolutionTimer;
    private final TcpHandler handler = new AttemptHandler();
    private boolean aaaaPending;
    private boolean aPending;
    private boolean waitingForAaaa;
    private boolean nextIsV6 = true;
    private boolean started;
    private boolean done;
    private IOException lastError;
    private final List<InetAddress> tried = new ArrayList<>();

    private HappyEyeballs(NetStack stack, String host, int port, TcpConfig config, Outcome outcome) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.loop = stack.loop();
        this.host = host;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("TCP port must be 1-65535: " + port);
        }
        this.port = port;
        this.config = Objects.requireNonNull(config, "config");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.attemptTimer = loop.newTimer(this::startNext);
        this.resolutionTimer = loop.newTimer(this::resolutionDelayOver);
    }

    /**
     * Resolves {@code host} with {@code resolver} (AAAA only when {@link DnsResolver#wantsAaaa}) and
     * connects to {@code port} (loop thread). An address literal is connected to directly.
     */
    public static HappyEyeballs connect(NetStack stack, DnsResolver resolver, String host, int port, TcpConfig config,
                                        Outcome outcome) {
        HappyEyeballs he = new HappyEyeballs(stack, host, port, config, outcome);
        he.aaaaPending = resolver.wantsAaaa();
        he.aPending = true;
        if (he.aaaaPending) {
            resolver.lookup(host, DnsMessage.TYPE_AAAA, r -> he.answered(true, r));
        }
        resolver.lookup(host, DnsMessage.TYPE_A, r -> he.answered(false, r));
        return he;
    }

    /** Connects to {@code port} of addresses already known, in the order of RFC 8305 §4 (loop thread). */
    public static HappyEyeballs connect(NetStack stack, List<InetAddress> addresses, int port, TcpConfig config,
                                        Outcome outcome) {
        HappyEyeballs he = new HappyEyeballs(stack, addresses.isEmpty() ? "?" : addresses.get(0).getHostAddress(),
                port, config, outcome);
        for (InetAddress a : addresses) {
            he.queue(a);
        }
        he.startNext();
        return he;
    }

    /** Gives up (loop thread): every attempt is aborted and the outcome is not told. */
    public void cancel() {
        if (!done) {
            done = true;
            stopAll(null);
        }
    }

    /** The addresses attempted so far, in order (loop thread). */
    public List<InetAddress> attempted() {
        return List.copyOf(tried);
    }

    private void queue(InetAddress a) {
        boolean six = a instanceof Inet6Address;
        ArrayDeque<InetAddress> q = six ? v6 : v4;
        if (q.size() + tried.stream().filter(t -> t instanceof Inet6Address == six).count() < MAX_PER_FAMILY) {
            q.add(a);
        }
    }

    private void answered(boolean aaaa, DnsResult r) {
        if (aaaa) {
            aaaaPending = false;
        } else {
            aPending = false;
        }
        if (done) {
            return;
        }
        if (r.ok()) {
            r.addresses().forEach(this::queue);
        } else if (lastError == null || r.status() != DnsResult.Status.NO_DATA) {
            lastError = new UnknownHostException(r.message());
        }
        if (!started && !aaaa && aaaaPending && r.ok()) {
            // §3: the A answer came first: give the AAAA answer the Resolution Delay.
            waitingForAaaa = true;
            resolutionTimer.schedule(RESOLUTION_DELAY_NANOS);
            return;
        }
        if (aaaa && waitingForAaaa) {
            waitingForAaaa = false;
            resolutionTimer.cancel();
        }
        if (!waitingForAaaa && (!attemptTimer.isScheduled() || !started)) {
            startNext();
        }
    }

    private void resolutionDelayOver() {
        waitingForAaaa = false;
        if (!done && !started) {
            startNext();
        }
    }

    /** §4: the next address, alternating families while both have some. */
    private InetAddress next() {
        ArrayDeque<InetAddress> first = nextIsV6 ? v6 : v4;
        ArrayDeque<InetAddress> other = nextIsV6 ? v4 : v6;
        InetAddress a = first.isEmpty() ? other.poll() : first.poll();
        if (a != null) {
            nextIsV6 = !(a instanceof Inet6Address);
        }
        return a;
    }

    /** §5: starts the next attempt, and the timer for the one after. */
    private void startNext() {
        while (!done) {
            InetAddress a = next();
            if (a == null) {
                if (attempts.isEmpty() && !aaaaPending && !aPending && !waitingForAaaa) {
                    fail();
                }
                return;
            }
            tried.add(a);
            started = true;
            try {
                TcpConnection c = stack.tcp().connect(0, Ipv6Address.of(a), port, config, handler);
                attempts.add(c);
                attemptTimer.schedule(CONNECTION_ATTEMPT_DELAY_NANOS);
                return;
            } catch (UncheckedIOException e) {
                lastError = e.getCause(); // no route in this family: on to the next address at once
            }
        }
    }

    /** Every attempt failed: the last error, as it came (ConnectException: Connection refused, ...). */
    private void fail() {
        done = true;
        stopAll(null);
        outcome.failed(lastError != null ? lastError : new UnknownHostException(host + ": no addresses"));
    }

    private void stopAll(TcpConnection keep) {
        attemptTimer.cancel();
        resolutionTimer.cancel();
        for (TcpConnection c : attempts) {
            if (c != keep) {
                c.abort();
            }
        }
        attempts.clear();
    }

    /** The handler of every attempt until one wins. */
    private final class AttemptHandler implements TcpHandler {
        @Override
        public void onConnected(TcpConnection c) {
            if (done || !attempts.contains(c)) {
                c.abort();
                return;
            }
            done = true;
            stopAll(c);
            outcome.connected(c);
        }

        @Override
        public void onError(TcpConnection c, IOException error) {
            if (!attempts.remove(c) || done) {
                return;
            }
            lastError = error;
            attemptTimer.cancel();
            startNext(); // §5: a failed attempt lets the next one start at once
        }
    }
}
