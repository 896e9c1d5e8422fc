package org.jnetstack.apps.admin;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Logged-in admin sessions. A session is named by a random 256-bit token carried in an
 * HttpOnly, SameSite=Strict cookie, and holds its own random CSRF token, which every change must
 * echo in a header: a page from another origin can make the browser send the cookie, but cannot
 * read the CSRF token. Sessions end after {@link #IDLE_NANOS} without a request, at most
 * {@link #MAX_SESSIONS} live at once (the oldest goes). Thread-safe.
 */
final class Sessions {
    static final String COOKIE = "jns_session";
    static final long IDLE_NANOS = 30L * 60 * 1_000_000_000L;
    static final int MAX_SESSIONS = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A session's CSRF token. */
    record Session(String csrf) {
    }

    private record Entry(Session session, long lastUsedNanos) {
    }

    private final LongSupplier nanoClock;
    private final Map<String, Entry> live = new HashMap<>();

    Sessions(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Starts a session; returns its cookie token. */
    synchronized String create() {
        expire();
        if (live.size() >= MAX_SESSIONS) {
            live.entrySet().stream().min((a, b) -> Long.compare(a.getValue().lastUsedNanos(), b.getValue().lastUsedNanos()))
                    .ifPresent(e -> live.remove(e.getKey()));
        }
        String token = randomToken();
        live.put(token, new Entry(new Session(randomToken()), nanoClock.getAsLong()));
        return token;
    }

    /** The live session named by {@code token} (and marks it used), or null. */
    synchronized Session find(String token) {
        if (token == null) {
            return null;
        }
        expire();
        Entry e = live.get(token);
        if (e == null) {
            return null;
        }
        live.put(token, new Entry(e.session(), nanoClock.getAsLong()));
        return e.session();
    }

    /** Whether {@code token} names a live session, without marking it used (an open stream does not keep it alive). */
    synchronized boolean alive(String token) {
        if (token == null) {
            return false;
        }
        expire();
        return live.containsKey(token);
    }

    synchronized void end(String token) {
        if (token != null) {
            live.remove(token);
        }
    }

    /** Ends every session (after a password change). */
    synchronized void endAll() {
        live.clear();
    }

    /** True when {@code presented} is {@code s}'s CSRF token; compares in constant time. */
    static boolean csrfMatches(Session s, String presented) {
        return presented != null && MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    private void expire() {
        long now = nanoClock.getAsLong();
        live.values().removeIf(e -> now - e.lastUsedNanos() > IDLE_NANOS);
    }

    static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
