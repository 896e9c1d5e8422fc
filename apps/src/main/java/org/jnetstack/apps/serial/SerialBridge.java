package org.jnetstack.apps.serial;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpListener;
import org.jnetstack.util.ByteRing;

/**
 * The serial-over-TCP console bridge (seed 001, with the input it wished for): a TCP server on
 * the stack whose clients all see the line's output and, as the {@link
 * SerialBridgeOptions.InputPolicy} allows, type into it.
 *
 * <pre>{@code
 * SerialBridge bridge = SerialBridge.start(stack, new SerialSource.Device(Path.of("/dev/ttyUSB0")).open(),
 *         SerialBridgeOptions.defaults());
 * }</pre>
 *
 * <p>Output is lossless for every client that keeps reading, and no client holds up the line or
 * the others for longer than {@link SerialBridgeOptions#stallTimeoutMillis()}:
 * <ul>
 *   <li>Output: the line's reader thread hands each chunk (at most {@link #maxChunk} bytes) to
 *   the loop, which keeps the chunks not yet fanned out in order; the reader
 *   waits while {@link #LINE_IN_FLIGHT_BYTES} are there, and while it waits it reads nothing, so
 *   the guest's writes are held back by the pty, the socket or the pipe (a pause). The loop
 *   copies the oldest chunk into every reading client's own bounded queue, which feeds the
 *   client's connection as its window allows, only when every such queue has room for it;
 *   else the chunk waits until one drains. A client whose full queue has made no progress for
 *   the stall timeout is stalled: from then on the oldest bytes of its queue are dropped until
 *   it has caught up (it sees a gap), or it is disconnected, as configured — counted either
 *   way — and it no longer holds the line. A {@link Viewer} never holds the line: its oldest
 *   bytes are dropped when it is behind.</li>
 *   <li>Input: client bytes go to a bounded queue that one writer thread writes to the line;
 *   while it holds {@link #TO_LINE_LIMIT_BYTES} no client is read, so a slow line pushes back
 *   on the clients through TCP's window instead of buffering without bound.</li>
 * </ul>
 * <p>Who may type: anyone who can reach the port, unless {@link SerialBridgeOptions#password()}
 * is set; then a client is prompted for it and nothing it types reaches the line before it gave
 * it (a wrong one costs {@link #WRONG_PASSWORD_DELAY_NANOS}; after
 * {@link SerialBridgeOptions#loginTries()} the client is disconnected), and all clients share
 * {@link #LOGIN_BURST} checks, then one per {@link #LOGIN_INTERVAL_NANOS} ({@link LoginThrottle};
 * a check beyond that waits its turn). Before anything a client
 * sends is used, its first bytes are held (at most {@link HttpProbe#DECIDING_BYTES}, at most
 * {@link #PROBE_NANOS}) until they show whether it is an HTTP request — a web page's POST — which
 * is disconnected with nothing reaching the line ({@link HttpProbe}).
 *
 * <p>A new client first gets the scrollback (the last bytes of output). A client that sends FIN
 * is removed (as in the seed), its queued output sent before our FIN. Counters go to the
 * stack's set under {@code serial.}. Loop thread only, except {@link #status()}.
 */
public final class SerialBridge implements AutoCloseable {
    /** Line output handed to the loop and not yet fanned out: the reader thread waits beyond this. */
    static final int LINE_IN_FLIGHT_BYTES = 256 * 1024;
    /** The most line output handed to the loop at once. */
    static final int MAX_CHUNK_BYTES = 16 * 1024;
    /**
     * Room kept free in a reading client's queue by the lossless fan-out, for what the bridge
     * says to that client itself (telnet answers, prompts), at most a quarter of the queue.
     */
    static final int CONTROL_HEADROOM_BYTES = 512;
    /** Client input queued for the line: clients are not read beyond this. */
    static final int TO_LINE_LIMIT_BYTES = 64 * 1024;
    /**
     * How long a client's first bytes are held when they might still begin an HTTP request
     * ("P", "POS"): long enough for a request's first segment to arrive whole, short enough that
     * a person who types an upper-case letter first hardly notices.
     */
    static final long PROBE_NANOS = 500_000_000L;
    /** The wait after a wrong password before the next prompt: slows a guesser, not a typo. */
    static final long WRONG_PASSWORD_DELAY_NANOS = 1_000_000_000L;
    /**
     * Password checks all clients together may make at once before {@link LoginThrottle} spaces
     * them: a few typos by a few people never wait.
     */
    static final int LOGIN_BURST = 10;
    /**
     * Beyond the burst, one password check per this across all clients: about 4 guesses a second
     * however many connections guess (each connection alone may try every
     * {@link #WRONG_PASSWORD_DELAY_NANOS}), while a correct password waits at most for the checks
     * queued before it, one per client: 16 s with the default 64 clients.
     */
    static final long LOGIN_INTERVAL_NANOS = 250_000_000L;
    /** Bytes of a password line kept; a longer line is a wrong password. */
    static final int MAX_PASSWORD_BYTES = 1024;
    static final byte[] PROMPT = "Password: ".getBytes(StandardCharsets.US_ASCII);

    private final NetStack stack;
    private final EventLoop loop;
    private final SerialLine line;
    private final SerialBridgeOptions options;
    private final TcpListener listener;
    private final List<Client> clients = new ArrayList<>();
    /** Terminals outside TCP (the admin page's), in the order they came. */
    private final List<Viewer> viewers = new ArrayList<>();
    /** Numbers clients and viewers in the order they came, for {@link SerialBridgeOptions.InputPolicy#FIRST}. */
    private long arrivals;
    private final ByteRing scrollback;
    private final Handler handler = new Handler();
    private final byte[] scratch = new byte[16 * 1024];
    private final byte[] decoded = new byte[4096];
    private final Semaphore lineInFlight = new Semaphore(LINE_IN_FLIGHT_BYTES);
    /** Line output on the loop not yet in every reading client's queue, oldest first; at most LINE_IN_FLIGHT_BYTES (+ one notice). */
    private final ArrayDeque<Chunk> pending = new ArrayDeque<>();
    /** The largest chunk: its telnet encoding (at most twice as long) fits an empty queue beside the headroom. */
    private final int maxChunk;
    private final int headroom;
    private final long stallNanos;
    /** Fires when the first client holding the line would count as stalled. */
    private final Timer stallTimer;
    /** The oldest pending chunk waits for a client (loop thread). */
    private boolean linePaused;
    private long pausedSince;
    private boolean delivering;
    private final List<Client> snapshot = new ArrayList<>();
    private final LinkedBlockingQueue<byte[]> toLine = new LinkedBlockingQueue<>();
    private final AtomicInteger toLineBytes = new AtomicInteger();
    private volatile boolean inputPaused;
    private volatile String lineState = "open";
    private volatile boolean closed;
    private final Thread writer;
    private final Stats stats;
    /** Checks slow (hashed) passwords one at a time, off the loop; null without such a password. */
    private final ExecutorService checker;
    /** Checks handed to {@link #checker} and not yet back (loop thread); at most maxClients. */
    private int checksPending;
    private final LoginThrottle throttle;
    /** Clients whose password waits for the shared throttle, oldest first; each at most once, so at most maxClients. */
    private final ArrayDeque<Client> throttled = new ArrayDeque<>();
    private final Timer throttleTimer;

    static final class Stats {
        final Counter lineRx;
        final Counter lineTx;
        final Counter accepted;
        final Counter refused;
        final Counter droppedBytes;
        final Counter disconnectedSlow;
        final Counter inputDiscarded;
        final Counter telnetCommands;
        final Counter httpRejected;
        final Counter loginOk;
        final Counter loginFailed;
        final Counter loginGaveUp;
        final Counter linePauses;
        final Counter linePausedMillis;
        final Counter readerWaits;
        final Counter stalled;
        final Counter loginThrottled;

        Stats(Counters c) {
            lineRx = c.counter("serial.line.rx_bytes");
            lineTx = c.counter("serial.line.tx_bytes");
            accepted = c.counter("serial.clients.accepted");
            refused = c.counter("serial.clients.refused");
            droppedBytes = c.counter("serial.clients.dropped_bytes");
            disconnectedSlow = c.counter("serial.clients.disconnected_slow");
            inputDiscarded = c.counter("serial.input.discarded_bytes");
            telnetCommands = c.counter("serial.telnet.commands");
            httpRejected = c.counter("serial.clients.http_rejected");
            loginOk = c.counter("serial.login.succeeded");
            loginFailed = c.counter("serial.login.failed");
            loginGaveUp = c.counter("serial.login.disconnected");
            linePauses = c.counter("serial.line.pauses");
            linePausedMillis = c.counter("serial.line.paused_ms");
            readerWaits = c.counter("serial.line.reader_waits");
            stalled = c.counter("serial.clients.stalled");
            loginThrottled = c.counter("serial.login.throttled");
        }
    }

    /** What a status page shows. */
    public record Status(int port, String line, String lineState, int clients, long lineBytesIn, long lineBytesOut,
            long droppedBytes, long disconnectedSlow, long inputDiscarded, long httpRejected, long loginFailures) {
    }

    /**
     * The lossless fan-out's counters: times the line waited for a full client ({@code pauses}),
     * how long in all, times the line's reader thread waited with output it had read, and
     * clients found stalled.
     */
    public record FlowStatus(long pauses, long pausedMillis, long readerWaits, long stalledClients) {
    }

    /** Line output on its way to the clients: {@code permits} of {@link #lineInFlight} it holds (0 for a notice). */
    private record Chunk(byte[] data, int permits) {
    }

    /** One connected client, for a status page. */
    public record ClientInfo(String peer, boolean mayType, int queuedBytes, long droppedBytes) {
    }

    /** Where a client's input is: its first bytes held, the password being typed or checked, or typing. */
    private enum Phase { PROBING, LOGIN, CHECKING, ONLINE }

    private final class Client {
        final TcpConnection conn;
        final ByteRing queue;
        final Telnet telnet;
        final Timer timer;
        Phase phase = Phase.PROBING;
        /** The first raw bytes, held until {@link HttpProbe} decides; then used before the connection's own. */
        final byte[] held = new byte[HttpProbe.DECIDING_BYTES];
        int heldLen;
        int heldPos;
        final byte[] typed = new byte[MAX_PASSWORD_BYTES];
        int typedLen;
        boolean typedTooLong;
        /** The password line being checked (null: too long), while CHECKING. */
        String attempt;
        boolean afterCr;
        int failures;
        boolean authenticated;
        /** Disconnected: nothing more of it is read (volatile: the password checker skips a gone client's check). */
        volatile boolean gone;
        long dropped;
        boolean leaving;
        final long arrival = ++arrivals;
        /** Stalled under drop-oldest: it gets output with its oldest bytes dropped, and holds nothing, until its queue empties. */
        boolean lossy;
        /** When its queue last was empty, gave bytes to the connection, or had bytes acknowledged. */
        long lastProgress = loop.clock().nanos();

        Client(TcpConnection conn) {
            this.conn = conn;
            this.queue = new ByteRing(options.clientQueueBytes());
            this.telnet = options.telnet() ? new Telnet() : null;
            this.timer = loop.newTimer(() -> timerFired(this));
            this.authenticated = options.password() == null;
        }

        /** Raw input bytes waiting: held ones, then the connection's. */
        int available() {
            return heldLen - heldPos + conn.readable();
        }

        int readRaw(byte[] dst, int max) {
            if (heldPos < heldLen) {
                int n = Math.min(max, heldLen - heldPos);
                System.arraycopy(held, heldPos, dst, 0, n);
                heldPos += n;
                return n;
            }
            return conn.read(dst, 0, max);
        }

        boolean mayRead() {
            return authenticated || !options.outputNeedsLogin();
        }
    }

    private SerialBridge(NetStack stack, SerialLine line, SerialBridgeOptions options) throws IOException {
        this.stack = stack;
        this.loop = stack.loop();
        this.line = line;
        this.options = options;
        this.stats = new Stats(stack.counters());
        this.scrollback = options.scrollbackBytes() > 0 ? new ByteRing(options.scrollbackBytes()) : null;
        this.headroom = Math.min(CONTROL_HEADROOM_BYTES, options.clientQueueBytes() / 4);
        this.maxChunk = Math.min(MAX_CHUNK_BYTES, (options.clientQueueBytes() - headroom) / 2);
        this.stallNanos = options.stallTimeoutMillis() * 1_000_000L;
        this.stallTimer = loop.newTimer(this::deliver);
        this.throttle = new LoginThrottle(LOGIN_BURST, LOGIN_INTERVAL_NANOS, loop.clock().nanos());
        this.throttleTimer = loop.newTimer(this::throttleDue);
        this.listener = stack.tcp().listen(options.port(), this::acceptAll);
        this.writer = Thread.ofPlatform().daemon().name("serial writer " + line.describe()).unstarted(this::writeLoop);
        this.checker = options.password() != null && options.password().isSlow()
                ? Executors.newSingleThreadExecutor(Thread.ofVirtual().name("serial password check").factory()) : null;
        try {
            line.start(new SerialLine.Receiver() {
                @Override
                public void bytes(byte[] buf, int off, int len) {
                    fromLineThread(buf, off, len);
                }

                @Override
                public void ended(String why) {
                    lineEnded(why);
                }
            });
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        writer.start();
    }

    /** Starts the bridge on the loop thread (or before the loop starts); the bridge owns {@code line} from now on. */
    public static SerialBridge start(NetStack stack, SerialLine line, SerialBridgeOptions options) throws IOException {
        return new SerialBridge(stack, line, options);
    }

    // ------------------------------------------------------------------ line -> clients

    /**
     * On the line's reader thread: hands a copy to the loop, waiting while {@link
     * #LINE_IN_FLIGHT_BYTES} are not yet fanned out (the loop gives the permits back only when a
     * chunk is in every reading client's queue; waiting here is what holds the line back).
     */
    private void fromLineThread(byte[] buf, int off, int len) {
        for (int done = 0; done < len && !closed; ) {
            int n = Math.min(len - done, maxChunk);
            byte[] copy = Arrays.copyOfRange(buf, off + done, off + done + n);
            boolean waited = !lineInFlight.tryAcquire(n);
            if (waited) {
                lineInFlight.acquireUninterruptibly(n); // close() releases enough to end this wait
            }
            if (closed) {
                return;
            }
            try {
                loop.execute(() -> {
                    if (waited) {
                        stats.readerWaits.inc();
                    }
                    pending.add(new Chunk(copy, n));
                    deliver();
                });
            } catch (IllegalStateException loopClosed) {
                lineInFlight.release(n);
                return;
            }
            done += n;
        }
    }

    /**
     * Fans out pending chunks, oldest first, while every reading client has room for the next;
     * a client in the way that has made no progress for the stall timeout is handled by the
     * overflow policy, else the line pauses until a client drains or the stall timer fires.
     */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (!closed && !pending.isEmpty()) {
                Chunk chunk = pending.peek();
                long now = loop.clock().nanos();
                long firstStall = Long.MAX_VALUE;
                snapshot.clear();
                snapshot.addAll(clients);
                for (Client c : snapshot) {
                    if (!holds(c, chunk.data())) {
                        continue;
                    }
                    if (now - c.lastProgress >= stallNanos) {
                        stalled(c);
                    } else {
                        firstStall = Math.min(firstStall, c.lastProgress + stallNanos);
                    }
                }
                snapshot.clear();
                if (firstStall != Long.MAX_VALUE) {
                    if (!linePaused) {
                        linePaused = true;
                        pausedSince = now;
                        stats.linePauses.inc();
                    }
                    stallTimer.scheduleAt(firstStall);
                    return;
                }
                if (linePaused) {
                    linePaused = false;
                    stats.linePausedMillis.add((now - pausedSince) / 1_000_000L);
                    stallTimer.cancel();
                }
                pending.poll();
                if (chunk.permits() > 0) {
                    lineInFlight.release(chunk.permits());
                }
                fanOut(chunk.data());
            }
        } finally {
            delivering = false;
        }
    }

    /** Whether {@code c} reads output, is not lossy, and has no room for {@code data} beside the headroom. */
    private boolean holds(Client c, byte[] data) {
        if (!c.mayRead() || c.lossy) {
            return false;
        }
        int need = c.telnet != null ? c.telnet.encodedLength(data, 0, data.length) : data.length;
        return need > c.queue.free() - headroom;
    }

    /** {@code c} held the line and made no progress for the stall timeout: the overflow policy applies. */
    private void stalled(Client c) {
        stats.stalled.inc();
        if (options.overflow() == SerialBridgeOptions.OverflowPolicy.DISCONNECT) {
            stats.disconnectedSlow.inc();
            drop(c);
        } else {
            c.lossy = true;
        }
    }

    private void fanOut(byte[] data) {
        stats.lineRx.add(data.length);
        if (scrollback != null) {
            scrollback.writeOverwriting(data, 0, data.length);
        }
        snapshot.clear();
        snapshot.addAll(clients);
        for (Client c : snapshot) {
            if (c.mayRead()) {
                send(c, c.telnet != null ? c.telnet.encode(data, 0, data.length) : data);
            }
        }
        snapshot.clear();
        for (Viewer v : viewers) { // a viewer never holds the line: its oldest bytes are dropped when it is behind
            long lost = v.offer(data);
            if (lost > 0) {
                stats.droppedBytes.add(lost);
            }
        }
    }

    /**
     * Queues {@code bytes} for {@code c}, then moves what its connection takes. Line output has
     * room here unless {@code c} is lossy; what the bridge says to a client itself may not: then
     * its oldest bytes are dropped or it is disconnected, as the overflow policy says.
     */
    private void send(Client c, byte[] bytes) {
        if (bytes.length > c.queue.free() && !c.lossy
                && options.overflow() == SerialBridgeOptions.OverflowPolicy.DISCONNECT) {
            stats.disconnectedSlow.inc();
            drop(c);
            return;
        }
        if (c.queue.isEmpty()) {
            c.lastProgress = loop.clock().nanos(); // a backlog starts now
        }
        int dropped = c.queue.writeOverwriting(bytes, 0, bytes.length);
        if (dropped > 0) {
            c.dropped += dropped;
            stats.droppedBytes.add(dropped);
        }
        pump(c);
    }

    private void pump(Client c) {
        int room;
        int moved = 0;
        while (!c.queue.isEmpty() && (room = c.conn.writable()) > 0) {
            int n = c.queue.peek(scratch, 0, Math.min(room, scratch.length));
            int w = c.conn.write(scratch, 0, n);
            c.queue.skip(w);
            moved += w;
            if (w == 0) {
                break;
            }
        }
        if (moved > 0) {
            c.lastProgress = loop.clock().nanos();
            if (c.queue.isEmpty()) {
                c.lossy = false; // caught up: lossless again
            }
        }
        if (c.leaving && c.queue.isEmpty() && !c.conn.isOutputShutdown()) {
            c.conn.shutdownOutput();
        }
        if (moved > 0 && linePaused) {
            deliver();
        }
    }

    // ------------------------------------------------------------------ clients -> line

    private boolean mayType(Client c) {
        if (!c.authenticated) {
            return false;
        }
        return switch (options.input()) {
            case ALL -> true;
            case NONE -> false;
            case FIRST -> firstArrival() == c.arrival;
        };
    }

    /** The arrival number of the authenticated client or viewer connected longest. */
    private long firstArrival() {
        long first = Long.MAX_VALUE;
        for (Client c : clients) {
            if (c.authenticated) {
                first = Math.min(first, c.arrival);
                break; // clients are kept in arrival order
            }
        }
        if (!viewers.isEmpty()) {
            first = Math.min(first, viewers.get(0).arrival);
        }
        return first;
    }

    /** Moves what {@code c} sent along as far as its phase allows. */
    private void readInput(Client c) {
        while (!c.gone) {
            switch (c.phase) {
                case PROBING -> {
                    if (!probe(c)) {
                        return;
                    }
                }
                case CHECKING -> {
                    return; // its bytes wait in the connection until the password is checked
                }
                case LOGIN -> {
                    // One byte at a time, so that what follows the password line stays unread until it is checked.
                    if (c.available() == 0) {
                        return;
                    }
                    int n = c.readRaw(scratch, 1);
                    int k = c.telnet != null ? decodeTelnet(c, n) : copyRaw(n);
                    for (int i = 0; i < k && c.phase == Phase.LOGIN; i++) {
                        loginByte(c, decoded[i]);
                    }
                }
                case ONLINE -> {
                    if (c.available() == 0 || inputPaused) {
                        return; // if the line is behind, the client's window closes until the writer catches up
                    }
                    int n = c.readRaw(scratch, Math.min(decoded.length, scratch.length));
                    int k = c.telnet != null ? decodeTelnet(c, n) : copyRaw(n);
                    int from = 0;
                    if (c.afterCr && k > 0 && (decoded[0] == '\n' || decoded[0] == 0)) {
                        from = 1; // the rest of the password line's end
                    }
                    c.afterCr = false;
                    if (k > from) {
                        toLine(c, Arrays.copyOfRange(decoded, from, k));
                    }
                }
            }
        }
    }

    private int decodeTelnet(Client c, int n) {
        ByteArrayOutputStream replies = new ByteArrayOutputStream();
        long before = c.telnet.commands;
        int k = c.telnet.decode(scratch, 0, n, decoded, replies);
        stats.telnetCommands.add(c.telnet.commands - before);
        if (replies.size() > 0) {
            send(c, replies.toByteArray());
        }
        return k;
    }

    private int copyRaw(int n) {
        System.arraycopy(scratch, 0, decoded, 0, n);
        return n;
    }

    private void toLine(Client c, byte[] data) {
        if (!mayType(c) || c.leaving) {
            stats.inputDiscarded.add(data.length);
            return;
        }
        if (toLineBytes.addAndGet(data.length) >= TO_LINE_LIMIT_BYTES) {
            inputPaused = true;
        }
        toLine.add(data);
    }

    /**
     * Holds {@code c}'s first bytes until {@link HttpProbe} decides. Returns true when the client
     * may go on (its held bytes are then read first), false while undecided or when it was an
     * HTTP request (then it is disconnected and nothing it sent was used).
     */
    private boolean probe(Client c) {
        int n;
        while (c.heldLen < c.held.length && (n = c.conn.read(c.held, c.heldLen, c.held.length - c.heldLen)) > 0) {
            c.heldLen += n;
        }
        HttpProbe.Verdict v = HttpProbe.classify(c.held, c.heldLen);
        if (v == HttpProbe.Verdict.HTTP) {
            stats.httpRejected.inc();
            stats.inputDiscarded.add(c.heldLen);
            c.heldLen = 0;
            drop(c);
            return false;
        }
        if (v == HttpProbe.Verdict.UNDECIDED && c.heldLen < c.held.length) {
            if (c.heldLen > 0 && !c.timer.isScheduled()) {
                c.timer.schedule(PROBE_NANOS);
            }
            return false;
        }
        c.timer.cancel();
        c.phase = c.authenticated ? Phase.ONLINE : Phase.LOGIN;
        return true;
    }

    private void timerFired(Client c) {
        if (!clients.contains(c) || c.leaving) {
            return;
        }
        if (c.phase == Phase.PROBING) {
            // Still undecided ("P", "GE" and no more): not a browser's request, which comes whole.
            c.phase = c.authenticated ? Phase.ONLINE : Phase.LOGIN;
            readInput(c);
        } else if (c.phase == Phase.CHECKING) {
            // The wait after a wrong password is over.
            c.phase = Phase.LOGIN;
            send(c, ("Wrong password.\r\n").getBytes(StandardCharsets.US_ASCII));
            prompt(c);
            readInput(c);
        }
    }

    private void prompt(Client c) {
        send(c, PROMPT);
    }

    /** One byte of the password line (CR or LF ends it; backspace and DEL take the last byte back). */
    private void loginByte(Client c, byte b) {
        if (b == '\r' || b == '\n' || b == 0) {
            boolean lineEnd = c.afterCr && (b == '\n' || b == 0);
            c.afterCr = b == '\r';
            if (lineEnd || b == 0) {
                return; // the LF or NUL after a CR
            }
            if (c.typedLen == 0 && !c.typedTooLong) {
                prompt(c); // Enter alone: ask again, without counting a try
                return;
            }
            check(c);
            return;
        }
        c.afterCr = false;
        if (b == 0x7F || b == 0x08) {
            c.typedLen = Math.max(0, c.typedLen - 1);
        } else if (c.typedLen < c.typed.length) {
            c.typed[c.typedLen++] = b;
        } else {
            c.typedTooLong = true;
        }
    }

    private void check(Client c) {
        String attempt = c.typedTooLong ? null : new String(c.typed, 0, c.typedLen, StandardCharsets.UTF_8);
        Arrays.fill(c.typed, (byte) 0);
        c.typedLen = 0;
        c.typedTooLong = false;
        c.phase = Phase.CHECKING;
        c.attempt = attempt;
        if (!throttled.isEmpty() || !throttle.tryTake(loop.clock().nanos())) {
            stats.loginThrottled.inc();
            throttled.add(c);
            throttleTimer.scheduleAt(throttle.nextAt(loop.clock().nanos()));
            return;
        }
        verify(c);
    }

    /** Checks waiting for the shared throttle whose turn has come, oldest first. */
    private void throttleDue() {
        while (!throttled.isEmpty() && throttle.tryTake(loop.clock().nanos())) {
            verify(throttled.poll());
        }
        if (!throttled.isEmpty()) {
            throttleTimer.scheduleAt(throttle.nextAt(loop.clock().nanos()));
        }
    }

    /** Verifies {@code c}'s password line: at once when plain, off the loop when hashed. */
    private void verify(Client c) {
        String attempt = c.attempt;
        c.attempt = null;
        SerialPassword password = options.password();
        if (checker == null) {
            checked(c, password.matches(attempt));
            return;
        }
        if (checksPending >= options.maxClients()) {
            // Clients that leave while their check waits would otherwise queue checks without bound.
            stats.loginGaveUp.inc();
            send(c, "\r\nToo many logins at once; try again later.\r\n".getBytes(StandardCharsets.US_ASCII));
            c.gone = true;
            remove(c);
            c.conn.close();
            return;
        }
        checksPending++;
        try {
            checker.execute(() -> {
                boolean ok = !c.gone && password.matches(attempt); // a client gone meanwhile costs no PBKDF2
                try {
                    loop.execute(() -> {
                        checksPending--;
                        checked(c, ok);
                    });
                } catch (IllegalStateException loopClosed) {
                    // nobody left to tell
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the bridge is closing
        }
    }

    private void checked(Client c, boolean ok) {
        if (closed || !clients.contains(c) || c.leaving) {
            return;
        }
        if (ok) {
            throttle.refund(loop.clock().nanos());
            stats.loginOk.inc();
            c.authenticated = true;
            c.phase = Phase.ONLINE;
            send(c, "\r\n".getBytes(StandardCharsets.US_ASCII));
            if (options.outputNeedsLogin()) {
                sendScrollback(c);
            }
            readInput(c);
            return;
        }
        stats.loginFailed.inc();
        if (++c.failures >= options.loginTries()) {
            stats.loginGaveUp.inc();
            send(c, "\r\nWrong password. Disconnecting.\r\n".getBytes(StandardCharsets.US_ASCII));
            c.gone = true;
            remove(c);
            c.timer.cancel();
            c.conn.close(); // FIN after the message; anything it still sends is answered with RST
            return;
        }
        send(c, "\r\n".getBytes(StandardCharsets.US_ASCII));
        c.timer.schedule(WRONG_PASSWORD_DELAY_NANOS); // stays CHECKING, reading nothing, until then
    }

    /** Disconnects {@code c} at once (RST): nothing it sent is used. */
    private void drop(Client c) {
        c.gone = true;
        remove(c);
        c.timer.cancel();
        c.conn.abort();
    }

    /** The writer thread: client input to the line, in order; a slow line blocks only this thread. */
    private void writeLoop() {
        try {
            while (!closed) {
                byte[] data = toLine.take();
                if (lineState.equals("open")) {
                    try {
                        line.write(data, 0, data.length);
                        stats.lineTx.add(data.length);
                    } catch (IOException e) {
                        lineEnded("write failed: " + e.getMessage());
                    }
                } else {
                    stats.inputDiscarded.add(data.length);
                }
                int left = toLineBytes.addAndGet(-data.length);
                if (inputPaused && left < TO_LINE_LIMIT_BYTES / 2) {
                    try {
                        loop.execute(this::resumeInput);
                    } catch (IllegalStateException loopClosed) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void resumeInput() {
        if (!inputPaused || toLineBytes.get() >= TO_LINE_LIMIT_BYTES / 2) {
            return;
        }
        inputPaused = false;
        for (Client c : new ArrayList<>(clients)) {
            readInput(c);
        }
    }

    private void lineEnded(String why) {
        if (closed || !lineState.equals("open")) {
            return;
        }
        lineState = "ended: " + why;
        try {
            byte[] notice = ("\r\n[jns: serial line " + line.describe() + " ended: " + why + "]\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            loop.execute(() -> {
                pending.add(new Chunk(notice, 0)); // after the output before it
                deliver();
            });
        } catch (IllegalStateException loopClosed) {
            // nobody to tell
        }
    }

    // ------------------------------------------------------------------ connections

    private void acceptAll(TcpListener l) {
        TcpConnection conn;
        while ((conn = l.accept()) != null) {
            if (clients.size() >= options.maxClients()) {
                stats.refused.inc();
                conn.abort();
                continue;
            }
            stats.accepted.inc();
            conn.setNoDelay(true); // a console: each keystroke's echo should go at once
            Client c = new Client(conn);
            clients.add(c);
            conn.setHandler(handler);
            if (c.telnet != null) {
                send(c, c.telnet.greeting());
            }
            if (c.mayRead()) {
                sendScrollback(c);
            }
            if (!c.authenticated) {
                prompt(c);
            }
            readInput(c);
        }
    }

    private void sendScrollback(Client c) {
        if (scrollback != null && !scrollback.isEmpty()) {
            byte[] past = scrollback.toByteArray();
            send(c, c.telnet != null ? c.telnet.encode(past, 0, past.length) : past);
        }
    }

    private Client find(TcpConnection conn) {
        for (Client c : clients) {
            if (c.conn == conn) {
                return c;
            }
        }
        return null;
    }

    private void remove(Client c) {
        if (c.attempt != null || c.phase == Phase.CHECKING) {
            throttled.remove(c); // at most maxClients to look through
            c.attempt = null;
        }
        if (clients.remove(c) && linePaused) {
            deliver(); // it may have held the line (inside a fan-out this returns at once; the fan-out goes on)
        }
    }

    private final class Handler implements TcpHandler {
        private final java.util.Map<TcpConnection, Client> leaving = new java.util.HashMap<>();

        private Client client(TcpConnection conn) {
            Client c = find(conn);
            return c != null ? c : leaving.get(conn);
        }

        @Override
        public void onReceive(TcpConnection conn) {
            Client c = client(conn);
            if (c != null) {
                readInput(c);
            }
        }

        @Override
        public void onEndOfInput(TcpConnection conn) {
            Client c = client(conn);
            if (c == null) {
                return;
            }
            readInput(c);
            // Seed 001: a FIN from a client removes it. Its queued output goes first, then our FIN.
            c.leaving = true;
            remove(c);
            leaving.put(conn, c);
            pump(c);
        }

        @Override
        public void onSent(TcpConnection conn, int bytes) {
            Client c = client(conn);
            if (c != null) {
                c.lastProgress = loop.clock().nanos(); // acknowledged: it reads
                pump(c);
            }
        }

        @Override
        public void onError(TcpConnection conn, IOException error) {
            forget(conn);
        }

        @Override
        public void onClosed(TcpConnection conn) {
            forget(conn);
        }

        private void forget(TcpConnection conn) {
            Client c = client(conn);
            if (c != null) {
                c.gone = true;
                c.timer.cancel();
                remove(c);
            }
            leaving.remove(conn);
        }
    }

    // ------------------------------------------------------------------ viewers (the admin page's terminal)

    /**
     * A terminal outside TCP — the admin page's — that gets what a client gets (the scrollback,
     * then the line's output) through a bounded queue of {@link SerialBridgeOptions#clientQueueBytes()}
     * whose oldest bytes are dropped when it is full (counted with the clients' drops), and types as
     * the input policy allows a client that came when it did. Whoever attaches it vouches for
     * the person at it: it is never asked for the console's password. The bridge (loop thread)
     * offers; one reader thread takes.
     */
    public static final class Viewer {
        private final ByteRing queue;
        final long arrival;
        private long dropped;
        private String ended;

        private Viewer(int queueBytes, long arrival) {
            this.queue = new ByteRing(queueBytes);
            this.arrival = arrival;
        }

        synchronized long offer(byte[] data) {
            if (ended != null) {
                return 0;
            }
            int lost = queue.writeOverwriting(data, 0, data.length);
            dropped += lost;
            notifyAll();
            return lost;
        }

        /** Ends its output: the reader gets what is queued, then null. Detach it from the bridge too ({@link SerialBridge#detach}). */
        public synchronized void end(String why) {
            if (ended == null) {
                ended = why;
                notifyAll();
            }
        }

        /**
         * The output queued since the last take, waiting up to {@code timeoutMillis} for some: an
         * empty array when none came, null when the viewer was detached and everything is taken.
         */
        public synchronized byte[] take(long timeoutMillis) throws InterruptedException {
            long until = System.nanoTime() + timeoutMillis * 1_000_000L;
            long left;
            while (queue.isEmpty() && ended == null && (left = until - System.nanoTime()) > 0) {
                wait(Math.max(1, left / 1_000_000L));
            }
            if (queue.isEmpty()) {
                return ended != null ? null : new byte[0];
            }
            byte[] out = queue.toByteArray();
            queue.skip(out.length);
            return out;
        }

        /** Why it was detached (the bridge stopped, another took its place), or null while attached. */
        public synchronized String endReason() {
            return ended;
        }

        /** Output bytes it lost because it took them too slowly. */
        public synchronized long droppedBytes() {
            return dropped;
        }
    }

    /** Attaches a viewer, which gets the scrollback at once (loop thread). */
    public Viewer attach() {
        Viewer v = new Viewer(options.clientQueueBytes(), ++arrivals);
        if (closed) {
            v.end("the serial console is stopped");
            return v;
        }
        viewers.add(v);
        if (scrollback != null && !scrollback.isEmpty()) {
            stats.droppedBytes.add(v.offer(scrollback.toByteArray()));
        }
        return v;
    }

    /** Detaches {@code v}, ending its output with {@code why} (loop thread). */
    public void detach(Viewer v, String why) {
        viewers.remove(v);
        v.end(why);
    }

    /** Whether {@code v} may type now under the input policy (loop thread). */
    public boolean mayType(Viewer v) {
        if (!viewers.contains(v)) {
            return false;
        }
        return switch (options.input()) {
            case ALL -> true;
            case NONE -> false;
            case FIRST -> firstArrival() == v.arrival;
        };
    }

    /** What became of a viewer's keystrokes. */
    public enum Typed {
        /** queued for the line */
        SENT,
        /** the input policy does not let it type now: discarded (and counted) */
        NOT_ALLOWED,
        /** the line is {@link #TO_LINE_LIMIT_BYTES} behind: discarded; type again when it caught up */
        BUSY
    }

    /**
     * Sends what {@code v} typed to the line, as a client's input goes, unless the input policy
     * does not let it type now or the line is behind — a viewer has no TCP window to hold it back
     * with, so its input is refused rather than queued without bound (loop thread).
     */
    public Typed type(Viewer v, byte[] data) {
        if (!mayType(v) || closed) {
            stats.inputDiscarded.add(data.length);
            return Typed.NOT_ALLOWED;
        }
        if (inputPaused || toLineBytes.get() + data.length > TO_LINE_LIMIT_BYTES) {
            stats.inputDiscarded.add(data.length);
            return Typed.BUSY;
        }
        toLineBytes.addAndGet(data.length);
        toLine.add(data);
        return Typed.SENT;
    }

    // ------------------------------------------------------------------ surface

    public int port() {
        return listener.port();
    }

    public SerialBridgeOptions options() {
        return options;
    }

    /** The clients connected now (loop thread). */
    public List<ClientInfo> clients() {
        List<ClientInfo> out = new ArrayList<>();
        for (Client c : clients) {
            out.add(new ClientInfo(c.conn.info().remote(), mayType(c),
                    c.queue.size(), c.dropped));
        }
        return out;
    }

    /** The lossless fan-out's counters; safe from any thread (values may be a moment stale). */
    public FlowStatus flow() {
        return new FlowStatus(stats.linePauses.get(), stats.linePausedMillis.get(), stats.readerWaits.get(), stats.stalled.get());
    }

    /** Bytes the line's reader may still hand to the loop before it waits (tests). */
    int lineRoom() {
        return lineInFlight.availablePermits();
    }

    /** Password checks that waited for the shared throttle; safe from any thread. */
    public long loginThrottled() {
        return stats.loginThrottled.get();
    }

    /** Settings and counters; safe from any thread (the client count is read racily). */
    public Status status() {
        return new Status(options.port(), line.describe(), lineState, clients.size(), stats.lineRx.get(), stats.lineTx.get(),
                stats.droppedBytes.get(), stats.disconnectedSlow.get(), stats.inputDiscarded.get(), stats.httpRejected.get(),
                stats.loginFailed.get());
    }

    /** Stops listening, sends FIN to every client (after its queued output), and closes the line (loop thread). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        stallTimer.cancel();
        throttleTimer.cancel();
        throttled.clear();
        pending.clear();
        lineInFlight.release(LINE_IN_FLIGHT_BYTES); // a reader thread waiting for room sees closed and stops
        for (Client c : new ArrayList<>(clients)) {
            c.leaving = true;
            remove(c);
            handler.leaving.put(c.conn, c);
            pump(c);
        }
        for (Viewer v : viewers) {
            v.end("the serial console stopped");
        }
        viewers.clear();
        writer.interrupt();
        if (checker != null) {
            checker.shutdownNow();
        }
        line.close();
    }
}
