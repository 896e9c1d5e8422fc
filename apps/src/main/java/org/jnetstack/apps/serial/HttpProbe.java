package org.jnetstack.apps.serial;

/**
 * Tells from a connection's first bytes whether it is an HTTP request: a web page can make a
 * browser POST to any host and port (a "simple" cross-origin request needs no preflight), and
 * the request line, headers and body would otherwise be typed into the console. A request
 * starts with a method token, a space and a request target (RFC 9112 §3: {@code method SP
 * request-target SP HTTP-version}); the methods browsers send are upper-case letters. What is
 * typed at a console rarely starts that way, and a telnet client starts with IAC.
 */
final class HttpProbe {
    /** Longer than any registered method name (the longest, UPDATEREDIRECTREF, has 17 letters). */
    static final int MAX_METHOD = 20;
    /** Enough bytes to decide: a method, a space and the target's first byte. */
    static final int DECIDING_BYTES = MAX_METHOD + 2;

    enum Verdict { HTTP, NOT_HTTP, UNDECIDED }

    private HttpProbe() {
    }

    static Verdict classify(byte[] b, int len) {
        int i = 0;
        while (i < len && b[i] >= 'A' && b[i] <= 'Z') {
            i++;
        }
        if (i > MAX_METHOD) {
            return Verdict.NOT_HTTP;
        }
        if (i == len) {
            return Verdict.UNDECIDED; // nothing, or upper-case letters only so far
        }
        if (i == 0 || b[i] != ' ') {
            return Verdict.NOT_HTTP;
        }
        if (i + 1 == len) {
            return Verdict.UNDECIDED;
        }
        // RFC 9112 §3.2: origin-form "/...", asterisk-form "*", absolute-form "http://..." or authority-form "host:port".
        byte t = b[i + 1];
        boolean target = t == '/' || t == '*' || t >= 'a' && t <= 'z' || t >= 'A' && t <= 'Z' || t >= '0' && t <= '9' || t == '[';
        return target ? Verdict.HTTP : Verdict.NOT_HTTP;
    }
}
