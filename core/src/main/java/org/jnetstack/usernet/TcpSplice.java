package org.jnetstack.usernet;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.jnetstack.tcp.InPlaceWriter;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;

/**
 * Joins a guest TCP connection (on the gateway stack) and a host {@link SocketChannel}, both
 * ways, on the loop thread, with flow control that never lets memory grow:
 * <ul>
 *   <li>host to guest: bytes are read from the host socket only as far as the guest
 *       connection's send buffer has room ({@link TcpConnection#writable()}); when it is full
 *       the socket is not read (nor polled) until {@link #onSent} frees room, so a guest that
 *       does not read stops the host sender through the host kernel's own window;</li>
 *   <li>guest to host: bytes are taken from the guest connection ({@link TcpConnection#read})
 *       only into a bounded buffer that the host socket drains; while the socket is not
 *       writable the guest's data stays unread in its receive buffer, the window it advertises
 *       closes, and the guest stops.</li>
 * </ul>
 * A FIN is carried across as a half-close ({@code shutdownOutput}) once the data before it
 * has been delivered; a reset on either side becomes a reset on the other (SO_LINGER 0 on the
 * host socket, RST on the guest connection).
 */
final class TcpSplice extends HostChannel implements TcpHandler {
    private static final System.Logger LOG = System.getLogger(TcpSplice.class.getName());

    private final Splices shared;
    private final SocketChannel host;
    private final String description;
    private final ByteBuffer toHost; // write mode: position = bytes held
    private final HostReader fromHost = new HostReader();
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
        this.toHost = ByteBuffer.allocate(shared.bufferBytes);
        shared.added(this);
    }

    /** Starts splicing once the guest connection is established and the host socket connected. */
    private void start(TcpConnection c) {
        guest = c;
        try {
            register(host, 0);
        } catch (IOException e) {
            hostFailed(e);
            return;
        }
        pumpToGuest();
        pumpToHost();
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

    /**
     * Reads the host socket into the free space of the guest connection's send buffer, at most
     * {@link Splices#bufferBytes} a call. An error or the end of the stream stops the fill and is
     * left here for {@link #pumpToGuest}.
     */
    private final class HostReader implements InPlaceWriter {
        private byte[] array;
        private ByteBuffer view; // over array, made again only when the send buffer is replaced
        IOException error;
        boolean endOfStream;

        @Override
        public int fill(byte[] buf, int off, int len) {
            if (error != null || endOfStream) {
                return 0;
            }
            if (buf != array) {
                array = buf;
                view = ByteBuffer.wrap(buf);
            }
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

    /** Guest to host, through the bounded {@link #toHost} buffer. */
    private void pumpToHost() {
        if (finished || guest == null) {
            return;
        }
        try {
            for (;;) {
                int room = toHost.remaining();
                if (room > 0 && guest.readable() > 0) {
                    int n = guest.read(toHost.array(), toHost.position(), room);
                    toHost.position(toHost.position() + n);
                    shared.buffered(n);
                }
                if (toHost.position() == 0) {
                    break;
                }
                toHost.flip();
                int w = host.write(toHost);
                toHost.compact();
                shared.buffered(-w);
                shared.bytesToHost.add(w);
                if (w == 0) {
                    interest(SelectionKey.OP_WRITE);
                    return;
                }
            }
            if (guestEof && !hostOutputShut && guest.readable() == 0) {
                hostOutputShut = true;
                host.shutdownOutput();
                maybeFinish();
            }
        } catch (IOException e) {
            hostFailed(e);
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
        shared.buffered(-toHost.position());
        toHost.clear();
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
