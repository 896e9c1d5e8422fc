package org.jnetstack.apps.appliance;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** One line of a {@link TomlDocument}: blank/comment, a table header, or {@code key = value}. */
sealed interface TomlLine {
    /**
     * How deeply arrays may nest in one value. The config format uses none, so this only stops a
     * hostile or broken file from running the parser (which recurses per level) out of stack.
     */
    int MAX_NESTING = 32;
    /** Digits a whole number may have: beyond a long, a number is kept exactly so range checks name it as written. */
    int MAX_DIGITS = 100;

    record Blank() implements TomlLine {
    }

    record Header(String table) implements TomlLine {
    }

    record KeyValue(String key, Object value) implements TomlLine {
    }

    static TomlLine parse(String line, int lineNo) {
        return new Scanner(line, lineNo).line();
    }

    /** {@code line} with its value replaced by {@code rendered}; the key and any comment stay. */
    static String replaceValue(String line, String rendered) {
        Scanner s = new Scanner(line, 0);
        s.skipSpace();
        s.bareKey();
        s.skipSpace();
        s.expect('=');
        int valueStart = s.pos;
        s.skipSpace();
        s.value();
        return line.substring(0, valueStart) + " " + rendered + line.substring(s.pos);
    }

    /** The TOML text of a String, Integer/Long, Boolean or List of those. */
    static String render(Object value) {
        return switch (value) {
            case String str -> quote(str);
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case BigInteger b -> b.toString();
            case Boolean b -> b.toString();
            case List<?> list -> {
                List<String> parts = new ArrayList<>();
                for (Object o : list) {
                    parts.add(render(o));
                }
                yield "[" + String.join(", ", parts) + "]";
            }
            default -> throw new IllegalArgumentException("cannot write a " + value.getClass().getSimpleName() + " to TOML");
        };
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A cursor over one line; every problem is a {@link ConfigException} naming the line. */
    final class Scanner {
        private final String s;
        private final int lineNo;
        int pos;

        Scanner(String s, int lineNo) {
            this.s = s;
            this.lineNo = lineNo;
        }

        TomlLine line() {
            skipSpace();
            if (atEnd() || peek() == '#') {
                return new Blank();
            }
            TomlLine result;
            if (peek() == '[') {
                pos++;
                if (!atEnd() && peek() == '[') {
                    throw error("arrays of tables ([[...]]) are not used in this file format");
                }
                skipSpace();
                StringBuilder table = new StringBuilder(bareKey());
                skipSpace();
                while (!atEnd() && peek() == '.') {
                    pos++;
                    skipSpace();
                    table.append('.').append(bareKey());
                    skipSpace();
                }
                expect(']');
                result = new Header(table.toString());
            } else {
                String key = bareKey();
                skipSpace();
                if (!atEnd() && peek() == '.') {
                    throw error("dotted keys are not used in this file format: write [table] then key = value");
                }
                expect('=');
                skipSpace();
                result = new KeyValue(key, value());
            }
            skipSpace();
            if (!atEnd() && peek() != '#') {
                throw error("unexpected '" + s.substring(pos) + "' after the value (a comment starts with #)");
            }
            return result;
        }

        String bareKey() {
            int start = pos;
            while (!atEnd() && (Character.isLetterOrDigit(peek()) && peek() < 128 || peek() == '_' || peek() == '-')) {
                pos++;
            }
            if (start == pos) {
                throw error(atEnd() ? "a key is missing" : "expected a key (letters, digits, _ and -), found '" + peek() + "'");
            }
            return s.substring(start, pos);
        }

        Object value() {
            return value(0);
        }

        /** A value inside {@code depth} enclosing arrays. */
        private Object value(int depth) {
            if (atEnd() || peek() == '#') {
                throw error("a value is missing after '='");
            }
            char c = peek();
            if (c == '"') {
                if (s.startsWith("\"\"\"", pos)) {
                    throw error("multi-line strings are not used in this file format");
                }
                return basicString();
            }
            if (c == '\'') {
                return literalString();
            }
            if (c == '[') {
                return array(depth + 1);
            }
            int start = pos;
            while (!atEnd() && " \t,]#".indexOf(peek()) < 0) {
                pos++;
            }
            String word = s.substring(start, pos);
            if (word.equals("true")) {
                return Boolean.TRUE;
            }
            if (word.equals("false")) {
                return Boolean.FALSE;
            }
            if (word.matches("[+-]?(0|[1-9](_?[0-9])*)")) {
                String digits = word.replace("_", "").replace("+", "");
                if (digits.length() - (digits.startsWith("-") ? 1 : 0) > MAX_DIGITS) {
                    throw error("the number " + word.substring(0, 20) + "... has more than " + MAX_DIGITS
                            + " digits: expected a whole number");
                }
                // Exactly as written: a number beyond 64 bits stays a BigInteger, never wraps into range.
                BigInteger exact = new BigInteger(digits);
                return exact.bitLength() < 64 ? (Object) exact.longValue() : exact;
            }
            throw error("'" + word + "' is not a value this file format accepts: expected a quoted string"
                    + " (\"text\"), a whole number, true/false, or an array [...]");
        }

        private String basicString() {
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    throw error("a string is not closed with \"");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (atEnd()) {
                    throw error("a string ends in a lone backslash");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length() || !s.substring(pos, pos + 4).matches("[0-9A-Fa-f]{4}")) {
                            throw error("\\u must be followed by four hex digits");
                        }
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("unknown escape \\" + e + " in a string (use \\\\ for a backslash,"
                            + " or a 'literal string' for Windows paths)");
                }
            }
        }

        private String literalString() {
            int end = s.indexOf('\'', pos + 1);
            if (end < 0) {
                throw error("a string is not closed with '");
            }
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        private List<Object> array(int depth) {
            if (depth > MAX_NESTING) {
                throw error("arrays are nested more than " + MAX_NESTING + " deep: expected at most " + MAX_NESTING
                        + " levels of [ ]");
            }
            pos++; // [
            List<Object> items = new ArrayList<>();
            skipSpace();
            while (true) {
                if (atEnd()) {
                    throw error("an array is not closed with ] (arrays must fit on one line)");
                }
                if (peek() == ']') {
                    pos++;
                    return items;
                }
                items.add(value(depth));
                skipSpace();
                if (!atEnd() && peek() == ',') {
                    pos++;
                    skipSpace();
                } else if (atEnd()) {
                    throw error("an array is not closed with ] (arrays must fit on one line)");
                } else if (peek() != ']') {
                    throw error("expected ',' or ']' in an array");
                }
            }
        }

        void expect(char c) {
            if (atEnd() || peek() != c) {
                throw error("expected '" + c + "'" + (atEnd() ? " at the end of the line" : ", found '" + peek() + "'"));
            }
            pos++;
        }

        void skipSpace() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
                pos++;
            }
        }

        private boolean atEnd() {
            return pos >= s.length();
        }

        private char peek() {
            return s.charAt(pos);
        }

        private ConfigException error(String what) {
            return new ConfigException("line " + lineNo + ": " + what);
        }
    }
}
