package org.jnetstack.apps.serial;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One client's telnet session (RFC 854), so that {@code telnet HOST PORT} behaves like a
 * console: the server offers to echo (RFC 857) and to suppress go-ahead (RFC 858), which puts
 * the client in character-at-a-time mode, and both directions go binary (RFC 856) so 8-bit
 * data passes. Negotiation follows RFC 854's rule against loops: a request for a state already
 * in force is not acknowledged; anything not supported is refused once. RFC 2217 COM-port
 * requests are answered (the value asked is confirmed; queries get 115200 8N1, no flow
 * control) but not applied to the line. Not thread-safe: the loop thread owns it.
 */
final class Telnet {
    static final int IAC = 255;
    static final int DONT = 254;
    static final int DO = 253;
    static final int WONT = 252;
    static final int WILL = 251;
    static final int SB = 250;
    static final int SE = 240;
    static final int OPT_BINARY = 0;
    static final int OPT_ECHO = 1;
    static final int OPT_SGA = 3;
    static final int OPT_COM_PORT = 44;
    /** RFC 2217: server replies carry the client's command + 100. */
    static final int COM_PORT_SERVER_OFFSET = 100;
    static final String SIGNATURE = "jnetstack serial bridge";
    private static final int MAX_SUBNEGOTIATION = 64;

    private enum State { DATA, IAC, VERB, SB, SB_IAC }

    private State state = State.DATA;
    private int verb;
    private final byte[] sb = new byte[MAX_SUBNEGOTIATION];
    private int sbLen;
    private boolean sbOverflow;
    private boolean afterCr;
    private final boolean[] weWill = new boolean[256];
    private final boolean[] theyWill = new boolean[256];
    private final boolean[] willSent = new boolean[256];
    private final boolean[] doSent = new boolean[256];
    long commands;

    /** What the server says first: WILL ECHO, WILL SGA, DO SGA, WILL BINARY, DO BINARY. */
    byte[] greeting() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        offer(b, WILL, OPT_ECHO);
        offer(b, WILL, OPT_SGA);
        offer(b, DO, OPT_SGA);
        offer(b, WILL, OPT_BINARY);
        offer(b, DO, OPT_BINARY);
        return b.toByteArray();
    }

    private void offer(ByteArrayOutputStream b, int v, int opt) {
        if (v == WILL) {
            willSent[opt] = true;
        } else {
            doSent[opt] = true;
        }
        b.write(IAC);
        b.write(v);
        b.write(opt);
    }

    /**
     * Client bytes to line bytes: commands are taken out (answers go to {@code replies}),
     * IAC IAC becomes 0xFF, and outside binary mode CR LF and CR NUL become CR (the Enter key
     * on a serial console). Returns the number of data bytes written to {@code out} (at most
     * {@code len}).
     */
    int decode(byte[] in, int off, int len, byte[] out, ByteArrayOutputStream replies) {
        int n = 0;
        for (int i = off; i < off + len; i++) {
            int b = in[i] & 0xFF;
            switch (state) {
                case DATA -> {
                    if (b == IAC) {
                        state = State.IAC;
                    } else if (afterCr && (b == '\n' || b == 0)) {
                        afterCr = false; // RFC 854: CR LF / CR NUL is one end of line; the CR already went
                    } else {
                        afterCr = b == '\r' && !theyWill[OPT_BINARY];
                        out[n++] = (byte) b;
                    }
                }
                case IAC -> {
                    commands++;
                    if (b == IAC) {
                        out[n++] = (byte) 0xFF;
                        afterCr = false;
                        state = State.DATA;
                    } else if (b == WILL || b == WONT || b == DO || b == DONT) {
                        verb = b;
                        state = State.VERB;
                    } else if (b == SB) {
                        sbLen = 0;
                        sbOverflow = false;
                        state = State.SB;
                    } else {
                        state = State.DATA; // NOP, GA, AYT, break, ...: nothing to do for a serial line
                    }
                }
                case VERB -> {
                    negotiate(verb, b, replies);
                    state = State.DATA;
                }
                case SB -> {
                    if (b == IAC) {
                        state = State.SB_IAC;
                    } else {
                        sbByte(b);
                    }
                }
                case SB_IAC -> {
                    if (b == SE) {
                        if (!sbOverflow) {
                            subnegotiation(replies);
                        }
                        state = State.DATA;
                    } else {
                        sbByte(b); // IAC IAC inside SB is one 0xFF
                        state = State.SB;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return n;
    }

    private void sbByte(int b) {
        if (sbLen < sb.length) {
            sb[sbLen++] = (byte) b;
        } else {
            sbOverflow = true; // too long for anything we support: ignore it whole
        }
    }

    private static boolean weSupport(int opt) {
        return opt == OPT_ECHO || opt == OPT_SGA || opt == OPT_BINARY;
    }

    private static boolean theySupport(int opt) {
        return opt == OPT_SGA || opt == OPT_BINARY || opt == OPT_COM_PORT;
    }

    private void negotiate(int v, int opt, ByteArrayOutputStream replies) {
        switch (v) {
            case DO -> {
                if (!weSupport(opt)) {
                    reply(replies, WONT, opt);
                } else if (!weWill[opt]) {
                    weWill[opt] = true;
                    if (!willSent[opt]) {
                        reply(replies, WILL, opt);
                    }
                }
            }
            case DONT -> {
                if (weWill[opt]) {
                    weWill[opt] = false;
                    reply(replies, WONT, opt);
                }
                willSent[opt] = false;
            }
            case WILL -> {
                if (!theySupport(opt)) {
                    reply(replies, DONT, opt);
                } else if (!theyWill[opt]) {
                    theyWill[opt] = true;
                    if (!doSent[opt]) {
                        reply(replies, DO, opt);
                    }
                }
            }
            default -> { // WONT
                if (theyWill[opt]) {
                    theyWill[opt] = false;
                    reply(replies, DONT, opt);
                }
                doSent[opt] = false;
            }
        }
    }

    private static void reply(ByteArrayOutputStream out, int v, int opt) {
        out.write(IAC);
        out.write(v);
        out.write(opt);
    }

    /** RFC 2217 §3: a client's COM-PORT-OPTION command gets the server's reply (command + 100). */
    private void subnegotiation(ByteArrayOutputStream replies) {
        if (sbLen < 2 || (sb[0] & 0xFF) != OPT_COM_PORT) {
            return;
        }
        int cmd = sb[1] & 0xFF;
        byte[] value = java.util.Arrays.copyOfRange(sb, 2, sbLen);
        byte[] answer;
        switch (cmd) {
            case 0 -> { // SIGNATURE: an empty one asks for ours; a client's own is only information
                if (value.length > 0) {
                    return;
                }
                answer = SIGNATURE.getBytes(StandardCharsets.US_ASCII);
            }
            case 1 -> answer = value.length == 4 && !allZero(value) ? value : new byte[] {0, 1, (byte) 0xC2, 0}; // 115200
            case 2 -> answer = new byte[] {value.length == 1 && value[0] != 0 ? value[0] : 8};
            case 3, 4 -> answer = new byte[] {value.length == 1 && value[0] != 0 ? value[0] : 1}; // NONE parity, 1 stop bit
            case 5 -> answer = new byte[] {value.length == 1 && value[0] != 0 ? value[0] : 1}; // no flow control
            case 8, 9 -> answer = new byte[0]; // FLOWCONTROL-SUSPEND / -RESUME
            case 10, 11, 12 -> answer = value; // LINESTATE-MASK, MODEMSTATE-MASK, PURGE-DATA
            default -> {
                return;
            }
        }
        replies.write(IAC);
        replies.write(SB);
        replies.write(OPT_COM_PORT);
        replies.write(cmd + COM_PORT_SERVER_OFFSET);
        for (byte b : answer) {
            replies.write(b);
            if ((b & 0xFF) == IAC) {
                replies.write(IAC);
            }
        }
        replies.write(IAC);
        replies.write(SE);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Line bytes to client bytes: 0xFF doubled (RFC 854); outside binary mode a bare CR becomes CR NUL. */
    /** The length {@link #encode} gives for these bytes now. */
    int encodedLength(byte[] in, int off, int len) {
        boolean binary = weWill[OPT_BINARY];
        int n = len;
        for (int i = off; i < off + len; i++) {
            int b = in[i] & 0xFF;
            if (b == IAC || b == '\r' && !binary && (i + 1 == off + len || in[i + 1] != '\n')) {
                n++;
            }
        }
        return n;
    }

    byte[] encode(byte[] in, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 16);
        boolean binary = weWill[OPT_BINARY];
        for (int i = off; i < off + len; i++) {
            int b = in[i] & 0xFF;
            out.write(b);
            if (b == IAC) {
                out.write(IAC);
            } else if (b == '\r' && !binary && (i + 1 == off + len || in[i + 1] != '\n')) {
                out.write(0);
            }
        }
        return out.toByteArray();
    }

    boolean clientBinary() {
        return theyWill[OPT_BINARY];
    }

    boolean serverEchoes() {
        return weWill[OPT_ECHO];
    }
}
