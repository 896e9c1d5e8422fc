package org.jnetstack.apps.nc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpListener;
import org.jnetstack.dns.DnsResolver;
import org.jnetstack.socket.HappyEyeballs;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * netcat over the stack: one TCP connection between blocking standard streams and the callback
 * API. Standard input goes to the connection, the connection to standard output; end of input
 * half-closes (FIN); the session is over when both directions are done.
 *
 * <p>Threads: the streams block, so each has its own thread ({@code nc-stdin}, {@code nc-stdout});
 * the connection belongs to the loop thread. Data moves between them in a fixed set of chunks per
 * direction, handed over with {@link EventLoop#execute} one way and blocking queues the other:
 * <ul>
 *   <li>stdin → connection: the stdin thread fills a free chunk and hands it to the loop; the
 *   loop writes it as the send buffer allows and frees it once the connection took all of it.
 *   When every chunk waits for the connection, the stdin thread waits too (connection full →
 *   stop reading stdin).</li>
 *   <li>connection → stdout: the loop reads into a free chunk and queues it for the stdout
 *   thread; with no free chunk it leaves the data in the receive buffer, so the window closes
 *   and the peer slows down (stdout slow → stop reading the connection). The stdout thread frees
 *   a chunk after writing it and asks the loop to go on.</li>
 * </ul>
 * So at most {@code 2 × CHUNKS × CHUNK_SIZE} bytes are held here, whatever the peer or the
 * streams do.
 */
public final class NetcatSession {
    /** Exit status when both directions finished. */
    public static final int OK = 0;
    /** Exit status when the connection failed (refused, reset, timed out). */
    public static final int FAILED = 1;

    static final int CHUNK_SIZE = 64 * 1024;
    static final int CHUNKS = 4;

    /** A filled (or free) piece of one direction's buffer. */
    private static final class Chunk {
        final byte[] data = new byte[CHUNK_SIZE];
        int off;
        int len;
    }

    private static final Chunk END_OF_STREAM = new Chunk();

    private final NetStack stack;
    private final EventLoop loop;
    private final InputStream in;
    private final OutputStream out;
    private final PrintWriter err;
    private final boolean verbose;
    private final CompletableFuture<Integer> result = new CompletableFuture<>();

    private final ArrayBlockingQueue<Chunk> freeForStdin = new ArrayBlockingQueue<>(CHUNKS);
    private final ArrayDeque<Chunk> waitingForConnection = new ArrayDeque<>(); // loop thread
    private final ArrayBlockingQueue<Chunk> freeForConnection = new ArrayBlockingQueue<>(CHUNKS);
    private final ArrayBlockingQueue<Chunk> waitingForStdout = new ArrayBlockingQueue<>(CHUNKS + 1);
    private final Runnable pumpFromConnection = this::pumpFromConnection;

    // loop thread only
    private TcpConnection connection;
    private TcpListener listener;
    private boolean connected;
    private boolean stdinEnded;
    private boolean endQueuedForStdout;
    private boolean connectionClosed;
    private boolean stdoutDone;
    private String peerDescription;

    public NetcatSession(NetStack stack, InputStream in, OutputStream out, PrintWriter err, boolean verbose) {
        this.stack = stack;
        this.loop = stack.loop();
        this.in = in;
        this.out = out;
        this.err = err;
        this.verbose = verbose;
        for (int i = 0; i < CHUNKS; i++) {
            freeForStdin.add(new Chunk());
            freeForConnection.add(new Chunk());
        }
        // A failed loop runs nothing more: the session ends then, whatever it waits for.
        stack.failure().thenAccept(result::completeExceptionally);
    }

    /** Hands {@code task} to the loop; a loop that has stopped (failed) ends the session instead. */
    private void post(Runnable task) {
        try {
            loop.execute(task);
        } catch (IllegalStateException stopped) {
            result.completeExceptionally(stopped);
        }
    }

    /** Connects to {@code host:port} and runs the session; returns the exit status. */
    public int connect(Ipv4Address host, int port) throws InterruptedException {
        return connect(host.toString(), List.of(host.toInetAddress()), null, port);
    }

    /**
     * Connects to {@code port} of {@code host} by Happy Eyeballs (RFC 8305, {@link HappyEyeballs}):
     * to {@code addresses} when given (a literal, or one family's addresses), else to what
     * {@code resolver} finds for the name (AAAA and A); then runs the session and returns the exit status.
     */
    public int connect(String host, List<InetAddress> addresses, DnsResolver resolver, int port) throws InterruptedException {
        peerDescription = host + " port " + port;
        HappyEyeballs.Outcome outcome = new HappyEyeballs.Outcome() {
            @Override
            public void connected(TcpConnection c) {
                connection = c;
                Handler h = new Handler();
                c.setHandler(h);
                h.onConnected(c);
            }

            @Override
            public void failed(IOException error) {
                fail(error);
            }
        };
        post(() -> {
            try {
                if (addresses != null) {
                    HappyEyeballs.connect(stack, addresses, port, stack.tcp().config(), outcome);
                } else {
                    HappyEyeballs.connect(stack, resolver, host, port, stack.tcp().config(), outcome);
                }
            } catch (RuntimeException e) {
                fail(e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
        });
        return run();
    }

    /** Listens on {@code port}, takes the first connection (and no other), and runs the session. */
    public int listen(int port) throws InterruptedException {
        return listen(null, false, port);
    }

    /**
     * Like {@link #listen(int)} on {@code local} (null: every address of both families, or IPv6
     * only with {@code v6Only}).
     */
    public int listen(Ipv6Address local, boolean v6Only, int port) throws InterruptedException {
        CompletableFuture<Void> listening = new CompletableFuture<>();
        result.whenComplete((status, failed) -> listening.completeExceptionally(
                failed != null ? failed : new IOException("session ended")));
        post(() -> {
            try {
                listener = stack.tcp().listen(local, v6Only, port, stack.tcp().config().listenBacklog(), stack.tcp().config(),
                        this::acceptOne);
                if (verbose) {
                    // here, on the loop thread, so it always comes before "Connection received"
                    String where = local != null ? text(local.toInetAddress()) : v6Only ? "::"
                            : Ipv4Address.format(stack.iface().address());
                    err.println("Listening on " + where + " " + port);
                    err.flush();
                }
                listening.complete(null);
            } catch (RuntimeException e) {
                listening.completeExceptionally(e.getCause() != null ? e.getCause() : e);
            }
        });
        try {
            listening.get();
        } catch (ExecutionException e) {
            if (result.isCompletedExceptionally()) {
                return FAILED; // the loop stopped: the caller reports it
            }
            err.println("nc: " + e.getCause().getMessage());
            err.flush();
            return FAILED;
        }
        return run();
    }

    private void acceptOne(TcpListener l) {
        TcpConnection c = l.accept();
        if (c == null || connection != null) {
            return;
        }
        // Like nc -l: one connection, then the port is closed (later SYNs get RST).
        l.close();
        connection = c;
        peerDescription = text(c.remoteInetAddress()) + " port " + c.remotePort();
        if (verbose) {
            err.println("Connection received on " + text(c.remoteInetAddress()) + " " + c.remotePort());
            err.flush();
        }
        Handler h = new Handler();
        c.setHandler(h);
        h.onConnected(c);
    }

    /** An address as nc prints it: dotted quad, or RFC 5952 for IPv6 ({@code fd00::1}). */
    private static String text(InetAddress a) {
        return a instanceof java.net.Inet6Address ? Ipv6Address.of(a).toString() : a.getHostAddress();
    }

    private int run() throws InterruptedException {
        Thread.ofPlatform().daemon().name("nc-stdin").start(this::copyStdin);
        Thread.ofPlatform().daemon().name("nc-stdout").start(this::copyToStdout);
        try {
            return result.get();
        } catch (ExecutionException e) {
            return FAILED;
        }
    }

    // ------------------------------------------------------------------ stream threads

    private void copyStdin() {
        try {
            while (!result.isDone()) {
                Chunk c = freeForStdin.take(); // waits while every chunk is queued for the connection
                int n = in.read(c.data, 0, c.data.length);
                if (n < 0) {
                    post(this::stdinEnded);
                    return;
                }
                c.off = 0;
                c.len = n;
                post(() -> {
                    waitingForConnection.add(c);
                    pumpToConnection();
                });
            }
        } catch (IOException e) {
            post(this::stdinEnded); // an unreadable stdin ends like an empty one, as nc does
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void copyToStdout() {
        try {
            while (true) {
                Chunk c = waitingForStdout.take();
                if (c == END_OF_STREAM) {
                    out.flush();
                    post(this::stdoutDone);
                    return;
                }
                out.write(c.data, 0, c.len);
                if (waitingForStdout.isEmpty()) {
                    out.flush();
                }
                freeForConnection.add(c);
                post(pumpFromConnection);
            }
        } catch (IOException e) {
            // stdout is gone (closed pipe): nobody reads what the peer sends; end like nc does
            post(() -> {
                if (connection != null) {
                    connection.abort();
                }
                result.complete(FAILED);
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ loop thread

    private void stdinEnded() {
        stdinEnded = true;
        pumpToConnection();
    }

    private void pumpToConnection() {
        if (!connected || result.isDone()) {
            return;
        }
        Chunk c;
        while ((c = waitingForConnection.peek()) != null) {
            int w = connection.write(c.data, c.off, c.len);
            c.off += w;
            c.len -= w;
            if (c.len > 0) {
                return; // send buffer full: onSent resumes
            }
            waitingForConnection.poll();
            freeForStdin.add(c);
        }
        if (stdinEnded && !connection.isOutputShutdown()) {
            connection.shutdownOutput(); // end of input half-closes, like nc -N
        }
    }

    private void pumpFromConnection() {
        if (connection == null || endQueuedForStdout) {
            return;
        }
        while (connection.readable() > 0) {
            Chunk c = freeForConnection.poll();
            if (c == null) {
                return; // stdout is behind: leave the bytes in the receive buffer, the window closes
            }
            c.len = connection.read(c.data, 0, c.data.length);
            waitingForStdout.add(c);
        }
        if (connection.isEndOfInput()) {
            endQueuedForStdout = true;
            waitingForStdout.add(END_OF_STREAM);
        }
    }

    private void stdoutDone() {
        stdoutDone = true;
        finishIfDone();
    }

    private void finishIfDone() {
        if (stdoutDone && connectionClosed) {
            result.complete(OK);
        }
    }

    private void fail(IOException e) {
        if (result.isDone()) {
            return;
        }
        if (connected) {
            err.println("nc: connection with " + peerDescription + " (tcp) failed: " + describe(e));
        } else {
            err.println("nc: connect to " + peerDescription + " (tcp) failed: " + describe(e));
        }
        err.flush();
        if (listener != null) {
            listener.close();
        }
        result.complete(FAILED);
    }

    /** The words nc (through strerror) uses for each failure. */
    static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "Connection refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "Connection timed out";
        }
        if (e instanceof NoRouteToHostException) {
            return "No route to host";
        }
        if (e instanceof SocketException && e.getMessage() != null && e.getMessage().toLowerCase().contains("reset")) {
            return "Connection reset by peer";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private final class Handler implements TcpHandler {
        @Override
        public void onConnected(TcpConnection c) {
            connected = true;
            if (verbose && listener == null) {
                err.println("Connection to " + text(c.remoteInetAddress()) + " " + c.remotePort()
                        + " port [tcp/*] succeeded!");
                err.flush();
            }
            pumpToConnection();
            pumpFromConnection();
        }

        @Override
        public void onReceive(TcpConnection c) {
            pumpFromConnection();
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            pumpFromConnection();
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            pumpToConnection();
        }

        @Override
        public void onError(TcpConnection c, IOException error) {
            fail(error);
        }

        @Override
        public void onClosed(TcpConnection c) {
            connectionClosed = true;
            pumpFromConnection(); // the FIN may have come with the last bytes
            finishIfDone();
        }
    }
}
