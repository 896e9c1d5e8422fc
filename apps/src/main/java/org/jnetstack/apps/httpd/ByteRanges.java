package org.jnetstack.apps.httpd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@code Range} request header (RFC 9110 §14.1.2) evaluated against a representation of
 * {@code length} bytes. Three outcomes, as §14.2 asks: a header that is absent, malformed or not
 * in bytes is <em>ignored</em> (the whole representation, 200); one where no range overlaps the
 * content is <em>unsatisfiable</em> (416); otherwise the satisfiable ranges, clipped to the
 * content, sorted and with overlapping or adjacent ones merged (§14.2 lets a server coalesce, and
 * it keeps a client from asking for the same bytes many times over).
 */
public record ByteRanges(Outcome outcome, List<Range> ranges) {
    /** More ranges than this in one header is treated as abuse and the header ignored. */
    static final int MAX_RANGES = 32;

    public enum Outcome { IGNORED, UNSATISFIABLE, SATISFIABLE }

    /** Bytes {@code first} to {@code last} inclusive, as in {@code Content-Range: bytes first-last/length}. */
    public record Range(long first, long last) {
        public long length() {
            return last - first + 1;
        }
    }

    private static final ByteRanges IGNORED = new ByteRanges(Outcome.IGNORED, List.of());
    private static final ByteRanges UNSATISFIABLE = new ByteRanges(Outcome.UNSATISFIABLE, List.of());

    public static ByteRanges parse(String header, long length) {
        if (header == null) {
            return IGNORED;
        }
        String h = header.trim();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).trim().equalsIgnoreCase("bytes")) {
            return IGNORED; // another range unit: a server ignores what it does not know (§14.2)
        }
        String[] specs = h.substring(eq + 1).split(",", -1);
        if (specs.length > MAX_RANGES) {
            return IGNORED;
        }
        List<Range> satisfiable = new ArrayList<>();
        for (String raw : specs) {
            String spec = raw.trim();
            if (spec.isEmpty()) {
                continue; // the list rule (§5.6.1) allows empty elements
            }
            int dash = spec.indexOf('-');
            if (dash < 0) {
                return IGNORED;
            }
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                // suffix-byte-range-spec: the last b bytes; "-0" is unsatisfiable (§14.1.1)
                long suffix = number(b);
                if (suffix < 0) {
                    return IGNORED;
                }
                if (suffix > 0 && length > 0) {
                    satisfiable.add(new Range(Math.max(0, length - suffix), length - 1));
                }
                continue;
            }
            long first = number(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : number(b);
            if (first < 0 || last < 0 || last < first) {
                return IGNORED; // invalid byte-range-spec: the whole header is invalid
            }
            if (first < length) {
                satisfiable.add(new Range(first, Math.min(last, length - 1)));
            }
        }
        if (satisfiable.isEmpty()) {
            return UNSATISFIABLE;
        }
        return new ByteRanges(Outcome.SATISFIABLE, merge(satisfiable));
    }

    private static List<Range> merge(List<Range> ranges) {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(Range::first));
        List<Range> out = new ArrayList<>();
        Range cur = sorted.getFirst();
        for (Range r : sorted.subList(1, sorted.size())) {
            if (r.first() <= cur.last() + 1) {
                cur = new Range(cur.first(), Math.max(cur.last(), r.last()));
            } else {
                out.add(cur);
                cur = r;
            }
        }
        out.add(cur);
        return List.copyOf(out);
    }

    /** A non-negative decimal of at most 18 digits (no overflow), or -1. */
    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(s);
    }
}
