package org.jnetstack.apps.serial;

import java.util.Locale;

/**
 * The bridge's settings, each with its default and its reason; the constructor checks every
 * value and says what is accepted.
 *
 * @param port the TCP port clients connect to (seed 001: 1234)
 * @param input who may type into the line: every client, only the one connected longest, or nobody
 * @param scrollbackBytes the last bytes of output a new client is sent first (0: none)
 * @param clientQueueBytes output held for a client that reads slowly, beyond what its TCP send
 *     buffer holds; at least the scrollback, which is queued to a new client at once. When a
 *     reading client's queue is full the line waits for it (see {@code stallTimeoutMillis})
 * @param overflow what happens to a stalled client (queue full, no progress for
 *     {@code stallTimeoutMillis}): its oldest bytes are dropped from then on, until it has
 *     caught up (the client sees a gap, counted), or it is disconnected (counted)
 * @param telnet speak telnet (RFC 854): IAC escaping, the server echoes and suppresses go-ahead
 *     (RFC 857, 858), binary mode, and answers RFC 2217 COM-port requests
 * @param maxClients connections at once; more are refused
 * @param password null: anyone who can reach the port types (as {@code input} allows); else a
 *     client is prompted for it on connect and nothing it types reaches the line before it
 *     has given it
 * @param outputNeedsLogin with a password: false (the default), every client sees the line's
 *     output from the start, as without one; true, only clients that gave the password do
 *     (the scrollback is sent after the password)
 * @param loginTries wrong passwords one connection may give before it is disconnected (each
 *     wrong one costs {@link SerialBridge#WRONG_PASSWORD_DELAY_NANOS} first)
 * @param stallTimeoutMillis how long a client whose queue is full may make no progress (take
 *     none of its queued output, get none of it acknowledged) before it counts as stalled and
 *     {@code overflow} applies to it. Until then the fan-out is lossless: the bridge stops
 *     reading the line (the guest's writes are held back) instead of dropping bytes, so this is
 *     also the longest a stalled client holds up the line and the other clients. Default
 *     {@value #DEFAULT_STALL_TIMEOUT_MILLIS} ms: far beyond what a reading client's round trip
 *     and window take, short enough that a hung client hardly disturbs a console
 */
public record SerialBridgeOptions(int port, InputPolicy input, int scrollbackBytes, int clientQueueBytes,
        OverflowPolicy overflow, boolean telnet, int maxClients, SerialPassword password, boolean outputNeedsLogin,
        int loginTries, long stallTimeoutMillis) {
    public static final int DEFAULT_PORT = 1234;
    public static final int DEFAULT_SCROLLBACK = 64 * 1024;
    public static final int DEFAULT_CLIENT_QUEUE = 256 * 1024;
    public static final int DEFAULT_MAX_CLIENTS = 64;
    public static final int DEFAULT_LOGIN_TRIES = 3;
    public static final long DEFAULT_STALL_TIMEOUT_MILLIS = 3000;
    public static final long MIN_STALL_TIMEOUT_MILLIS = 100;
    public static final long MAX_STALL_TIMEOUT_MILLIS = 600_000;

    /** Who may type into the line. */
    public enum InputPolicy {
        /** Every client's input goes to the line. */
        ALL,
        /** Only the client connected longest; when it leaves, the next in line. */
        FIRST,
        /** Nobody: input is read and thrown away (counted). */
        NONE;

        public static InputPolicy parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "all" -> ALL;
                case "first" -> FIRST;
                case "none", "read-only", "readonly" -> NONE;
                default -> throw new IllegalArgumentException("serial input policy '" + s + "' is not one of all, first, none");
            };
        }
    }

    /** What a full client queue does. */
    public enum OverflowPolicy {
        DROP_OLDEST, DISCONNECT;

        public static OverflowPolicy parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "drop", "drop-oldest" -> DROP_OLDEST;
                case "disconnect" -> DISCONNECT;
                default -> throw new IllegalArgumentException("serial overflow policy '" + s + "' is not one of drop, disconnect");
            };
        }
    }

    public SerialBridgeOptions {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("serial port must be 1-65535: " + port);
        }
        java.util.Objects.requireNonNull(input, "input");
        java.util.Objects.requireNonNull(overflow, "overflow");
        if (scrollbackBytes < 0 || scrollbackBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("serial scrollback must be 0-64 MiB: " + scrollbackBytes);
        }
        if (clientQueueBytes < 1024 || clientQueueBytes > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("serial client queue must be 1 KiB-256 MiB: " + clientQueueBytes);
        }
        if (clientQueueBytes < scrollbackBytes) {
            throw new IllegalArgumentException("serial client queue (" + clientQueueBytes
                    + " bytes) must hold the scrollback (" + scrollbackBytes + " bytes)");
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("serial max clients must be at least 1: " + maxClients);
        }
        if (loginTries < 1 || loginTries > 100) {
            throw new IllegalArgumentException("serial login tries must be 1-100: " + loginTries);
        }
        if (stallTimeoutMillis < MIN_STALL_TIMEOUT_MILLIS || stallTimeoutMillis > MAX_STALL_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("serial stall timeout must be " + MIN_STALL_TIMEOUT_MILLIS + "-"
                    + MAX_STALL_TIMEOUT_MILLIS + " ms: " + stallTimeoutMillis);
        }
        if (outputNeedsLogin && password == null) {
            throw new IllegalArgumentException("serial output can need a login only when a password is set");
        }
    }

    public static SerialBridgeOptions defaults() {
        return new SerialBridgeOptions(DEFAULT_PORT, InputPolicy.ALL, DEFAULT_SCROLLBACK, DEFAULT_CLIENT_QUEUE,
                OverflowPolicy.DROP_OLDEST, false, DEFAULT_MAX_CLIENTS, null, false, DEFAULT_LOGIN_TRIES,
                DEFAULT_STALL_TIMEOUT_MILLIS);
    }

    public SerialBridgeOptions withPort(int p) {
        return new SerialBridgeOptions(p, input, scrollbackBytes, clientQueueBytes, overflow, telnet, maxClients, password,
                outputNeedsLogin, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withInput(InputPolicy p) {
        return new SerialBridgeOptions(port, p, scrollbackBytes, clientQueueBytes, overflow, telnet, maxClients, password,
                outputNeedsLogin, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withScrollback(int bytes) {
        return new SerialBridgeOptions(port, input, bytes, Math.max(clientQueueBytes, bytes), overflow, telnet, maxClients, password,
                outputNeedsLogin, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withClientQueue(int bytes) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, bytes, overflow, telnet, maxClients, password,
                outputNeedsLogin, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withOverflow(OverflowPolicy p) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, clientQueueBytes, p, telnet, maxClients, password,
                outputNeedsLogin, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withTelnet(boolean on) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, clientQueueBytes, overflow, on, maxClients, password,
                outputNeedsLogin, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withMaxClients(int n) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, clientQueueBytes, overflow, telnet, n, password, outputNeedsLogin,
                loginTries, stallTimeoutMillis);
    }

    /** With {@code p} (null: none; then output needs no login either). */
    public SerialBridgeOptions withPassword(SerialPassword p) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, clientQueueBytes, overflow, telnet, maxClients, p,
                p != null && outputNeedsLogin, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withOutputNeedsLogin(boolean on) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, clientQueueBytes, overflow, telnet, maxClients, password,
                on, loginTries, stallTimeoutMillis);
    }

    public SerialBridgeOptions withLoginTries(int n) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, clientQueueBytes, overflow, telnet, maxClients, password,
                outputNeedsLogin, n, stallTimeoutMillis);
    }

    public SerialBridgeOptions withStallTimeoutMillis(long ms) {
        return new SerialBridgeOptions(port, input, scrollbackBytes, clientQueueBytes, overflow, telnet, maxClients, password,
                outputNeedsLogin, loginTries, ms);
    }
}
