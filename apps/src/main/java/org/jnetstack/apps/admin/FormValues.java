package org.jnetstack.apps.admin;

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
            case INTEGER -> {
                if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                    yield n.longValue();
                }
                String s = v.toString().trim();
                yield s.matches("-?[0-9]{1,18}") ? Long.parseLong(s) : null;
            }
            case BOOLEAN -> v instanceof Boolean b ? b : "true".equals(v) ? Boolean.TRUE : "false".equals(v) ? Boolean.FALSE : null;
        };
    }
}
