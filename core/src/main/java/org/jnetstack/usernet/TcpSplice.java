package org.jnetstack.usernet;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.jnetstack.tcp.InPlaceReader;
import org.jnetstack.tcp.InPlaceWriter;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;

/**
 * Joins a guest TCP connection (on the gateway stack) and a host {@link SocketChannel}, both
 * ways, on the loop thread, with flow control that never lets memory grow:
 * <ul>
 *   <li>host to guest: bytes are read from the host socket straight into the guest
 *       connection's send buffer, only as far as it has room ({@link TcpConnection#writeInPlace});
 *       when it is full the socket is not read (nor polled) until {@link #onSent} frees room, so
 *       a guest that does not read stops the host sender through the host kernel's own window;</li>
 *   <li>guest to host: bytes are written to the host socket straight from the guest
 *       connection's receive buffer ({@link TcpConnection#readInPlace}), and only what the socket
 *       took is consumed; while it is not writable the guest's data stays unread there, the
 *       window it advertises closes, and the guest stops.</li>
 * </ul>
 * The splice holds no data of its own: both ways, the bound is the connection's buffers.
 * A FIN is carried across as a half-close ({@code shutdownOutput}) once the data before it
 * has been delivered; a reset on either side becomes a reset on the other (SO_LINGER 0 on the
 * host socket, RST on the guest connection).
 */
final class TcpSplice extends HostChannel implements TcpHandler {
    private static final System.Logger LOG = System.getLogger(TcpSplice.class.getName());

    private final Splices shared;
    private final SocketChannel host;
    private final String description;
    private final HostReader fromHost = new HostReader();
    private final HostWriter toHost = new HostWriter();
    private TcpConnection guest;
    private boolean guestEof;      // the guest sent FIN
    private boolean hostEof;       // the host socket reached end of stream
    private boolean hostOutputShut;
    private boolean guestOutputShut;
    private boolean finished;

    TcpSplice(UserNet gw, SocketChannel host, String description) {
        super(gw.loop(), gw.hostSelector());
        this.shared = gw.splices();
        this.host = host;
        this.description = description;
        shared.added(this);
    }

    /** Starts splicing once the guest connection is established and the host socket connected. */
    private void start(TcpConnection c) {
        guest = c;
        if (c.sendBufferSize() < Splices.GUEST_SEND_BUFFER) {
            c.setSendBufferSize(Splices.GUEST_SEND_BUFFER);
        }
        try {
            register(host, 0);
        } catch (IOException e) {
            hostFailed(e);
            return;
        }
        pumpToGuest();
        pumpToHost();
    }

    /** The guest's connection once it is spliced, or null (tests). */
    TcpConnection guestConnection() {
        return guest;
    }

    // ---------------------------------------------------------------- guest events

    @Override
    public void onConnected(TcpConnection c) {
        start(c);
    }

    @Override
    public void onReceive(TcpConnection c) {
        pumpToHost();
    }

    @Override
    public void onEndOfInput(TcpConnection c) {
        guestEof = true;
        pumpToHost();
    }

    @Override
    public void onSent(TcpConnection c, int bytes) {
        pumpToGuest();
    }

    @Override
    public void onError(TcpConnection c, IOException error) {
        if (!finished) {
            shared.guestResets.inc();
            LOG.log(Level.DEBUG, () -> description + ": guest side failed: " + error);
            resetHost();
        }
    }

    @Override
    public void onClosed(TcpConnection c) {
        // Both FINs were exchanged with the guest, but guest bytes (and the FIN) may still wait
        // for a host socket that is not writable: the pump finishes them. Only a connection
        // that ended without the guest's FIN has lost data, and resets the host side.
        // (TIME_WAIT may be reported before onEndOfInput: the FIN is what counts.)
        if (c.peerClosedOutput()) {
            guestEof = true;
            pumpToHost();
        } else if (!finished) {
            resetHost();
        }
    }

    // ---------------------------------------------------------------- host events

    @Override
    void onReady(int ops) {
        if (finished || guest == null) {
            return;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            pumpToHost();
        }
        if ((ops & SelectionKey.OP_READ) != 0) {
            pumpToGuest();
        }
    }

    // ---------------------------------------------------------------- the two pumps

    /**
     * Host to guest, as far as the guest connection's send buffer has room: the host socket is
     * read straight into that buffer ({@link TcpConnection#writeInPlace}).
     */
    private void pumpToGuest() {
        if (finished || guest == null || hostEof) {
            return;
        }
        for (;;) {
            if (guest.writable() <= 0) {
                return; // onSent resumes
            }
            int n = guest.writeInPlace(fromHost);
            shared.bytesToGuest.add(n);
            if (fromHost.error != null) {
                IOException e = fromHost.error;
                fromHost.error = null;
                hostFailed(e);
                return;
            }
            if (fromHost.endOfStream) {
                hostEof = true;
                guestOutputShut = true;
                guest.shutdownOutput();
                maybeFinish();
                return;
            }
            if (n == 0) {
                interest(SelectionKey.OP_READ);
                return;
            }
        }
    }

    /** Guest to host, straight from the guest connection's receive buffer. */
    private void pumpToHost() {
        if (finished || guest == null) {
            return;
        }
        while (guest.readable() > 0) {
            int w = guest.readInPlace(toHost);
            shared.bytesToHost.add(w);
            if (toHost.error != null) {
                IOException e = toHost.error;
                toHost.error = null;
                hostFailed(e);
                return;
            }
            if (toHost.blocked) {
                toHost.blocked = false;
                shared.hostBlocked.inc();
                interest(SelectionKey.OP_WRITE);
                return;
            }
        }
        if (guestEof && !hostOutputShut) {
            hostOutputShut = true;
            try {
                host.shutdownOutput();
            } catch (IOException e) {
                hostFailed(e);
                return;
            }
            maybeFinish();
        }
    }

    /** The view of a connection buffer that host socket calls read or write; made again only when the buffer is replaced. */
    private static ByteBuffer view(ByteBuffer view, byte[] buf) {
        return view != null && view.array() == buf ? view : ByteBuffer.wrap(buf);
    }

    /**
     * Reads the host socket into the free space of the guest connection's send buffer, at most
     * {@link Splices#bufferBytes} a call. An error or the end of the stream stops the fill and is
     * left here for {@link #pumpToGuest}.
     */
    private final class HostReader implements InPlaceWriter {
        private ByteBuffer view;
        IOException error;
        boolean endOfStream;

        @Override
        public int fill(byte[] buf, int off, int len) {
            if (error != null || endOfStream) {
                return 0;
            }
            view = view(view, buf);
            view.clear().position(off).limit(off + Math.min(len, shared.bufferBytes));
            try {
                int n = host.read(view);
                if (n < 0) {
                    endOfStream = true;
                    return 0;
                }
                return n;
            } catch (IOException e) {
                error = e;
                return 0;
            }
        }
    }

    /**
     * Writes the guest connection's received bytes to the host socket, at most
     * {@link Splices#bufferBytes} a call; consumes what the socket took. A socket that took less
     * ({@code blocked}) or failed stops the take, for {@link #pumpToHost}.
     */
    private final class HostWriter implements InPlaceReader {
        private ByteBuffer view;
        IOException error;
        boolean blocked;

        @Override
        public int take(byte[] buf, int off, int len) {
            if (error != null || blocked) {
                return 0;
            }
            view = view(view, buf);
            int want = Math.min(len, shared.bufferBytes);
            view.clear().position(off).limit(off + want);
            try {
                int w = host.write(view);
                blocked = w < want;
                return w;
            } catch (IOException e) {
                error = e;
                return 0;
            }
        }
    }

    // ---------------------------------------------------------------- endings

    private void maybeFinish() {
        if (hostOutputShut && guestOutputShut && !finished) {
            finish();
            guest.close();
            closeHost();
        }
    }

    /** The host socket failed (reset, broken pipe): the guest gets a reset. */
    private void hostFailed(IOException e) {
        if (finished) {
            return;
        }
        shared.hostResets.inc();
        LOG.log(Level.DEBUG, () -> description + ": host side failed: " + e);
        finish();
        if (guest != null) {
            guest.abort();
        }
        closeHost();
    }

    /** The guest side failed: reset the host socket (SO_LINGER 0 makes close send RST). */
    void resetHost() {
        if (finished) {
            return;
        }
        finish();
        try {
            host.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
        closeHost();
    }

    /** Gateway shutdown: both sides reset. */
    void abort() {
        if (guest != null && !finished) {
            guest.abort();
        }
        resetHost();
    }

    private void finish() {
        finished = true;
        shared.removed(this);
    }

    private void closeHost() {
        try {
            host.close();
        } catch (IOException e) {
            // nothing left to do
        }
        closed();
    }

    @Override
    public String toString() {
        return "splice " + description;
    }
}
