package org.jnetstack.apps.serial;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpListener;
import org.jnetstack.wire.Ipv4Address;

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
 * <p>Nothing a client does can stall the line or the other clients:
 * <ul>
 *   <li>Output: the line's reader thread hands each chunk to the loop (at most
 *   {@link #LINE_IN_FLIGHT_BYTES} in flight, which the loop always drains), and the loop copies
 *   it into every client's own bounded queue, which feeds the client's connection as its
 *   window allows. When a queue is full the oldest bytes are dropped (the client sees a gap)
 *   or the client is disconnected, as configured — counted either way.</li>
 *   <li>Input: client bytes go to a bounded queue that one writer thread writes to the line;
 *   while it holds {@link #TO_LINE_LIMIT_BYTES} no client is read, so a slow line pushes back
 *   on the clients through TCP's window instead of buffering without bound.</li>
 * </ul>
 * A new client first gets the scrollback (the last bytes of output). A client that sends FIN
 * is removed (as in the seed), its queued output sent before our FIN. Counters go to the
 * stack's set under {@code serial.}. Loop thread only, except {@link #status()}.
 */
public final class SerialBridge implements AutoCloseable {
    /** Line output handed to the loop and not yet fanned out: the reader thread waits beyond this. */
    static final int LINE_IN_FLIGHT_BYTES = 256 * 1024;
    /** Client input queued for the line: clients are not read beyond this. */
    static final int TO_LINE_LIMIT_BYTES = 64 * 1024;

    private final NetStack stack;
    private final EventLoop loop;
    private final SerialLine line;
    private final SerialBridgeOptions options;
    private final TcpListener listener;
    private final List<Client> clients = new ArrayList<>();
    private final ByteRing scrollback;
    private final Handler handler = new Handler();
    private final byte[] scratch = new byte[16 * 1024];
    private final byte[] decoded = new byte[4096];
    private final Semaphore lineInFlight = new Semaphore(LINE_IN_FLIGHT_BYTES);
    private final LinkedBlockingQueue<byte[]> toLine = new LinkedBlockingQueue<>();
    private final AtomicInteger toLineBytes = new AtomicInteger();
    private volatile boolean inputPaused;
    private volatile String lineState = "open";
    private volatile boolean closed;
    private final Thread writer;
    private final Stats stats;

    static final class Stats {
        final Counter lineRx;
        final Counter lineTx;
        final Counter accepted;
        final Counter refused;
        final Counter droppedBytes;
        final Counter disconnectedSlow;
        final Counter inputDiscarded;
        final Counter telnetCommands;

        Stats(Counters c) {
            lineRx = c.counter("serial.line.rx_bytes");
            lineTx = c.counter("serial.line.tx_bytes");
            accepted = c.counter("serial.clients.accepted");
            refused = c.counter("serial.clients.refused");
            droppedBytes = c.counter("serial.clients.dropped_bytes");
            disconnectedSlow = c.counter("serial.clients.disconnected_slow");
            inputDiscarded = c.counter("serial.input.discarded_bytes");
            telnetCommands = c.counter("serial.telnet.commands");
        }
    }

    /** What a status page shows. */
    public record Status(int port, String line, String lineState, int clients, long lineBytesIn, long lineBytesOut,
            long droppedBytes, long disconnectedSlow, long inputDiscarded) {
    }

    /** One connected client, for a status page. */
    public record ClientInfo(String peer, boolean mayType, int queuedBytes, long droppedBytes) {
    }

    private final class Client {
        final TcpConnection conn;
        final ByteRing queue;
        final Telnet telnet;
        long dropped;
        boolean leaving;

        Client(TcpConnection conn) {
            this.conn = conn;
            this.queue = new ByteRing(options.clientQueueBytes());
            this.telnet = options.telnet() ? new Telnet() : null;
        }
    }

    private SerialBridge(NetStack stack, SerialLine line, SerialBridgeOptions options) throws IOException {
        this.stack = stack;
        this.loop = stack.loop();
        this.line = line;
        this.options = options;
        this.stats = new Stats(stack.counters());
        this.scrollback = options.scrollbackBytes() > 0 ? new ByteRing(options.scrollbackBytes()) : null;
        this.listener = stack.tcp().listen(options.port(), this::acceptAll);
        this.writer = Thread.ofPlatform().daemon().name("serial writer " + line.describe()).unstarted(this::writeLoop);
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

    /** On the line's reader thread: hand a copy to the loop, waiting while too much is in flight. */
    private void fromLineThread(byte[] buf, int off, int len) {
        if (closed) {
            return;
        }
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, LINE_IN_FLIGHT_BYTES);
            byte[] copy = Arrays.copyOfRange(buf, off + done, off + done + n);
            lineInFlight.acquireUninterruptibly(n);
            try {
                loop.execute(() -> {
                    lineInFlight.release(n);
                    fanOut(copy);
                });
            } catch (IllegalStateException loopClosed) {
                lineInFlight.release(n);
                return;
            }
            done += n;
        }
    }

    private void fanOut(byte[] data) {
        if (closed) {
            return;
        }
        stats.lineRx.add(data.length);
        if (scrollback != null) {
            scrollback.writeOverwriting(data, 0, data.length);
        }
        for (Client c : new ArrayList<>(clients)) {
            send(c, c.telnet != null ? c.telnet.encode(data, 0, data.length) : data);
        }
    }

    /** Queues {@code bytes} for {@code c} under the overflow policy, then moves what its connection takes. */
    private void send(Client c, byte[] bytes) {
        if (bytes.length > c.queue.free()) {
            if (options.overflow() == SerialBridgeOptions.OverflowPolicy.DISCONNECT) {
                stats.disconnectedSlow.inc();
                remove(c);
                c.conn.abort();
                return;
            }
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
        while (!c.queue.isEmpty() && (room = c.conn.writable()) > 0) {
            int n = c.queue.peek(scratch, 0, Math.min(room, scratch.length));
            int w = c.conn.write(scratch, 0, n);
            c.queue.skip(w);
            if (w == 0) {
                break;
            }
        }
        if (c.leaving && c.queue.isEmpty() && !c.conn.isOutputShutdown()) {
            c.conn.shutdownOutput();
        }
    }

    // ------------------------------------------------------------------ clients -> line

    private boolean mayType(Client c) {
        return switch (options.input()) {
            case ALL -> true;
            case NONE -> false;
            case FIRST -> !clients.isEmpty() && clients.get(0) == c;
        };
    }

    private void readInput(Client c) {
        while (c.conn.readable() > 0) {
            if (inputPaused) {
                return; // the line is behind: the client's window closes until the writer catches up
            }
            int n = c.conn.read(scratch, 0, Math.min(decoded.length, scratch.length));
            byte[] data;
            if (c.telnet != null) {
                ByteArrayOutputStream replies = new ByteArrayOutputStream();
                long before = c.telnet.commands;
                int k = c.telnet.decode(scratch, 0, n, decoded, replies);
                stats.telnetCommands.add(c.telnet.commands - before);
                if (replies.size() > 0) {
                    send(c, replies.toByteArray());
                }
                data = Arrays.copyOf(decoded, k);
            } else {
                data = Arrays.copyOf(scratch, n);
            }
            if (data.length == 0) {
                continue;
            }
            if (!mayType(c) || c.leaving) {
                stats.inputDiscarded.add(data.length);
                continue;
            }
            if (toLineBytes.addAndGet(data.length) >= TO_LINE_LIMIT_BYTES) {
                inputPaused = true;
            }
            toLine.add(data);
        }
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
            loop.execute(() -> fanOut(("\r\n[jns: serial line " + line.describe() + " ended: " + why + "]\r\n")
                    .getBytes(StandardCharsets.UTF_8)));
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
            if (scrollback != null && !scrollback.isEmpty()) {
                byte[] past = scrollback.toByteArray();
                send(c, c.telnet != null ? c.telnet.encode(past, 0, past.length) : past);
            }
            readInput(c);
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
        clients.remove(c);
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
            Client c = find(conn);
            if (c != null) {
                remove(c);
            }
            leaving.remove(conn);
        }
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
            out.add(new ClientInfo(Ipv4Address.format(c.conn.remoteAddress()) + ":" + c.conn.remotePort(), mayType(c),
                    c.queue.size(), c.dropped));
        }
        return out;
    }

    /** Settings and counters; safe from any thread (the client count is read racily). */
    public Status status() {
        return new Status(options.port(), line.describe(), lineState, clients.size(), stats.lineRx.get(), stats.lineTx.get(),
                stats.droppedBytes.get(), stats.disconnectedSlow.get(), stats.inputDiscarded.get());
    }

    /** Stops listening, sends FIN to every client (after its queued output), and closes the line (loop thread). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        for (Client c : new ArrayList<>(clients)) {
            c.leaving = true;
            remove(c);
            handler.leaving.put(c.conn, c);
            pump(c);
        }
        writer.interrupt();
        line.close();
    }
}
