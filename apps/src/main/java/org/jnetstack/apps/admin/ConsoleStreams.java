package org.jnetstack.apps.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.serial.SerialApplianceService;
import org.jnetstack.apps.serial.SerialBridge;

/**
 * The serial console in the admin page: each logged-in session may hold one stream of the line's
 * output (server-sent events, <a href="https://html.spec.whatwg.org/multipage/server-sent-events.html">HTML
 * §9.2</a>) and type through JSON POSTs, as a {@link SerialBridge.Viewer} of the bridge — so the
 * console's input policy decides whether it may type, and its queue bound holds.
 *
 * <p>A stream holds one of the HTTP server's connections for as long as the page is open, so:
 * at most {@link #MAX_STREAMS} are open at once (well under the server's per-source slots, so
 * streams cannot starve the page's own requests; a session opening a second replaces its first);
 * while it streams the connection is never "idle", so it is not closed to make room for others;
 * a comment line goes out every {@link #heartbeatMillis} (less than the idle timeout), so a client
 * that stopped reading is found by the server's write watchdog and a dead one by TCP; and it ends
 * when its session ends (logout, expiry, a new password) or the console stops — the browser's
 * EventSource then reconnects, and is answered 401 or 404.
 */
final class ConsoleStreams {
    /** Console streams open at once, over every session. */
    static final int MAX_STREAMS = 4;
    /** Characters one input POST may carry: a paste, not a file. */
    static final int MAX_INPUT_CHARS = 4096;
    /** The longest a stream stays silent before a comment line: a proxy's or client's idle cut is longer. */
    static final long MAX_HEARTBEAT_MILLIS = 15_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Appliance appliance;
    private final long heartbeatMillis;
    private final Map<String, Open> bySession = new HashMap<>();

    private record Open(SerialBridge bridge, SerialBridge.Viewer viewer) {
    }

    /** Thrown when the serial console is not running. */
    static final class NotRunning extends Exception {
        NotRunning() {
            super("the serial console is off: turn it on in the settings (and set its line in the config file)");
        }
    }

    /** Thrown when {@link #MAX_STREAMS} are open. */
    static final class Full extends Exception {
        Full() {
            super("the console is open in " + MAX_STREAMS + " pages already: close one");
        }
    }

    /** @param idleTimeoutMillis the HTTP server's idle timeout: heartbeats come well within it */
    ConsoleStreams(Appliance appliance, long idleTimeoutMillis) {
        this.appliance = appliance;
        this.heartbeatMillis = Math.max(50, Math.min(MAX_HEARTBEAT_MILLIS, idleTimeoutMillis / 2));
    }

    long heartbeatMillis() {
        return heartbeatMillis;
    }

    synchronized int open() {
        return bySession.size();
    }

    private SerialBridge bridge() throws NotRunning {
        if (appliance.running("serial") instanceof SerialApplianceService.Console c) {
            return c.bridge();
        }
        throw new NotRunning();
    }

    /**
     * Attaches a viewer for {@code session} (detaching the one it had) and returns the stream's
     * body; {@code alive} is asked, before each event, whether the session still is.
     */
    AbstractHttpEntity stream(String session, Predicate<String> alive) throws Exception {
        SerialBridge bridge = bridge();
        Open old;
        synchronized (this) {
            old = bySession.get(session);
            if (old == null && bySession.size() >= MAX_STREAMS) {
                throw new Full();
            }
        }
        if (old != null) {
            detach(session, old, "the console was opened again in this session");
        }
        SerialBridge.Viewer viewer = appliance.onLoop(bridge::attach);
        Open mine = new Open(bridge, viewer);
        synchronized (this) {
            if (bySession.containsKey(session) || bySession.size() >= MAX_STREAMS) {
                appliance.onLoopQuietly(() -> bridge.detach(viewer, "too many consoles"));
                throw new Full();
            }
            bySession.put(session, mine);
        }
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("line", bridge.status().line());
        hello.put("input", bridge.options().input().name().toLowerCase(Locale.ROOT));
        hello.put("mayType", appliance.onLoop(() -> bridge.mayType(viewer)));
        return new Events(session, mine, JSON.writeValueAsString(hello), alive);
    }

    /** What became of {@code text} typed in {@code session}'s console. */
    SerialBridge.Typed type(String session, String text) throws Exception {
        Open o;
        synchronized (this) {
            o = bySession.get(session);
        }
        if (o == null || o.viewer.endReason() != null) {
            return null;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return appliance.onLoop(() -> o.bridge.type(o.viewer, bytes));
    }

    /** Ends {@code session}'s stream, if it has one (logout). */
    void end(String session, String why) {
        Open o;
        synchronized (this) {
            o = bySession.get(session);
        }
        if (o != null) {
            detach(session, o, why);
        }
    }

    /** Ends every stream (a new password, the page stopping). */
    void endAll(String why) {
        Map<String, Open> all;
        synchronized (this) {
            all = new HashMap<>(bySession);
        }
        all.forEach((s, o) -> detach(s, o, why));
    }

    private void detach(String session, Open o, String why) {
        synchronized (this) {
            bySession.remove(session, o);
        }
        o.viewer.end(why); // wakes the stream's thread at once, even if the loop is gone
        appliance.onLoopQuietly(() -> o.bridge.detach(o.viewer, why));
    }

    /** The event stream's body: written for as long as the viewer is attached and the session alive. */
    private final class Events extends AbstractHttpEntity {
        private final String session;
        private final Open open;
        private final String hello;
        private final Predicate<String> alive;

        Events(String session, Open open, String hello, Predicate<String> alive) {
            super(ContentType.create("text/event-stream", StandardCharsets.UTF_8), null, true);
            this.session = session;
            this.open = open;
            this.hello = hello;
            this.alive = alive;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try {
                event(out, "retry: 3000\nevent: hello\ndata: " + hello + "\n\n");
                while (true) {
                    if (!alive.test(session)) {
                        event(out, "event: end\ndata: logged out\n\n");
                        return;
                    }
                    byte[] b = open.viewer.take(heartbeatMillis);
                    if (b == null) {
                        event(out, "event: end\ndata: " + open.viewer.endReason().replace('\n', ' ') + "\n\n");
                        return;
                    }
                    event(out, b.length == 0 ? ": keep-alive\n\n"
                            : "event: output\ndata: " + Base64.getEncoder().encodeToString(b) + "\n\n");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                detach(session, open, "the page went away");
            }
        }

        private static void event(OutputStream out, String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public InputStream getContent() {
            throw new UnsupportedOperationException("an event stream is written, not read");
        }

        @Override
        public boolean isStreaming() {
            return true;
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
