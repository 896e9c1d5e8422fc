package org.jnetstack.apps.admin;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jnetstack.apps.appliance.ConfigException;
import org.jnetstack.apps.appliance.ConfigReader;
import org.jnetstack.apps.appliance.PasswordHash;

/**
 * Turns the settings a browser posts (JSON, where a number may arrive as a string from a form
 * field) into config-file edits typed as {@link ConfigReader#KEYS} says: an empty string removes an
 * optional key, a new password becomes its hash. The values are then validated by the one
 * config reader, exactly like the file.
 */
final class FormValues {
    private FormValues() {
    }

    static Map<String, Object> toEdits(Map<String, Object> posted, List<String> editable) {
        Map<String, Object> edits = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> e : posted.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            if (!editable.contains(key)) {
                problems.add("'" + key + "' cannot be changed here: accepted settings are " + editable);
                continue;
            }
            if (key.equals("admin.password")) {
                if (!(v instanceof String p) || p.length() < 8) {
                    problems.add("[admin] password: too short: expected at least 8 characters");
                } else {
                    edits.put("admin.password_hash", PasswordHash.hash(p));
                }
                continue;
            }
            if (v == null || v instanceof String s && s.isBlank()) {
                edits.put(key, null);
                continue;
            }
            Object typed = typed(ConfigReader.KEYS.get(key), v);
            if (typed == null) {
                problems.add("[" + key.replace(".", "] ") + " = " + v + ": expected "
                        + (ConfigReader.KEYS.get(key) == ConfigReader.Type.INTEGER ? "a whole number" : "true or false"));
            } else {
                edits.put(key, typed);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return edits;
    }

    private static Object typed(ConfigReader.Type type, Object v) {
        return switch (type) {
            case STRING -> v.toString().trim();
            case INTEGER -> exactInteger(v);
            case BOOLEAN -> v instanceof Boolean b ? b : "true".equals(v) ? Boolean.TRUE : "false".equals(v) ? Boolean.FALSE : null;
        };
    }

    /** Digits a posted whole number may have; more is not a number any setting takes. */
    private static final int MAX_DIGITS = 100;

    /**
     * {@code v} as the whole number it is, exactly: a Long, or a BigInteger when it needs more
     * than 64 bits (the config reader then rejects it by its range, naming it as posted — never
     * truncated into range). Null when {@code v} is not a whole number.
     */
    static Object exactInteger(Object v) {
        BigInteger exact;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        } else if (v instanceof BigInteger b) {
            if (b.abs().toString().length() > MAX_DIGITS) {
                return null;
            }
            exact = b;
        } else if (v instanceof Number n) {
            BigDecimal d;
            try {
                d = n instanceof BigDecimal bd ? bd : new BigDecimal(n.toString());
            } catch (NumberFormatException notFinite) {
                return null; // NaN, Infinity
            }
            if (d.precision() - d.scale() > MAX_DIGITS) {
                return null;
            }
            try {
                exact = d.toBigIntegerExact();
            } catch (ArithmeticException fraction) {
                return null;
            }
        } else {
            String s = v.toString().trim();
            if (!s.matches("[+-]?[0-9]{1," + MAX_DIGITS + "}")) {
                return null;
            }
            exact = new BigInteger(s.startsWith("+") ? s.substring(1) : s);
        }
        return exact.bitLength() < 64 ? (Object) exact.longValue() : exact;
    }
}
