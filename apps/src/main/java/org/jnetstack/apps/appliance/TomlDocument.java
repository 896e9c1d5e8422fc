package org.jnetstack.apps.appliance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A human-edited TOML file that can be changed and written back without losing what the human
 * wrote: it keeps the file's lines, and {@link #set} rewrites only the value of one
 * {@code key = value} line (its comment stays), or adds the key at the end of its table.
 *
 * <p>The subset of TOML 1.0 understood (everything a config file of this appliance needs; what
 * lies outside it is rejected by {@link #parse} with the line number, never guessed at): comments,
 * {@code [table]} and {@code [table.sub]} headers, bare keys ({@code A-Za-z0-9_-}), basic and
 * literal strings on one line, decimal integers (with {@code _} separators; a Long, or a
 * BigInteger beyond 64 bits, so that a range check sees the number as written), booleans, and
 * one-line arrays of those, nested at most {@link TomlLine#MAX_NESTING} deep.
 */
public final class TomlDocument {
    /** Where a value was written: its table, key and line (0-based). */
    private record Entry(String table, String key, Object value, int line) {
    }

    private final List<String> lines;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, Integer> tableLines = new LinkedHashMap<>();

    private TomlDocument(List<String> lines) {
        this.lines = new ArrayList<>(lines);
    }

    /** An empty document. */
    public static TomlDocument empty() {
        return new TomlDocument(List.of());
    }

    /**
     * Parses {@code text}.
     *
     * @throws ConfigException naming the line and what is wrong with it
     */
    public static TomlDocument parse(String text) {
        List<String> lines = text.isEmpty() ? List.of() : List.of(text.split("\r?\n", -1));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines = lines.subList(0, lines.size() - 1); // the final newline does not make a line
        }
        TomlDocument doc = new TomlDocument(lines);
        String table = "";
        for (int i = 0; i < lines.size(); i++) {
            TomlLine parsed = TomlLine.parse(lines.get(i), i + 1);
            switch (parsed) {
                case TomlLine.Blank b -> {
                }
                case TomlLine.Header h -> {
                    if (doc.tableLines.containsKey(h.table())) {
                        throw new ConfigException("line " + (i + 1) + ": table [" + h.table() + "] is defined twice");
                    }
                    table = h.table();
                    doc.tableLines.put(table, i);
                }
                case TomlLine.KeyValue kv -> {
                    String full = qualified(table, kv.key());
                    if (doc.entries.containsKey(full) || doc.tableLines.containsKey(full)) {
                        throw new ConfigException("line " + (i + 1) + ": key '" + full + "' is defined twice");
                    }
                    doc.entries.put(full, new Entry(table, kv.key(), kv.value(), i));
                }
            }
        }
        return doc;
    }

    private static String qualified(String table, String key) {
        return table.isEmpty() ? key : table + "." + key;
    }

    /** The value of {@code table.key} (a String, Long, BigInteger, Boolean or List), or null when absent. */
    public Object get(String dottedKey) {
        Entry e = entries.get(dottedKey);
        return e == null ? null : e.value();
    }

    /** 1-based line of {@code table.key}, or 0 when absent. */
    public int lineOf(String dottedKey) {
        Entry e = entries.get(dottedKey);
        return e == null ? 0 : e.line() + 1;
    }

    /** Every {@code table.key} in the file, in file order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** Every table header in the file, in file order. */
    public Set<String> tables() {
        return new LinkedHashSet<>(tableLines.keySet());
    }

    /**
     * Sets {@code table.key} (the table is everything before the last dot) to {@code value} — a
     * String, Integer/Long, Boolean or List of those — keeping every other line and the line's own
     * comment. A new key goes after the last key of its table; a new table at the end of the file.
     */
    public void set(String dottedKey, Object value) {
        String rendered = TomlLine.render(value);
        Entry old = entries.get(dottedKey);
        int dot = dottedKey.lastIndexOf('.');
        String table = dot < 0 ? "" : dottedKey.substring(0, dot);
        String key = dottedKey.substring(dot + 1);
        if (old != null) {
            lines.set(old.line(), TomlLine.replaceValue(lines.get(old.line()), rendered));
            entries.put(dottedKey, new Entry(old.table(), old.key(), normalize(value), old.line()));
            return;
        }
        int insertAt;
        if (table.isEmpty() || tableLines.containsKey(table)) {
            insertAt = table.isEmpty() ? firstHeaderLine() : tableLines.get(table) + 1;
            for (Entry e : entries.values()) {
                if (e.table().equals(table)) {
                    insertAt = Math.max(insertAt, e.line() + 1);
                }
            }
        } else {
            if (!lines.isEmpty() && !lines.getLast().isBlank()) {
                lines.add("");
            }
            lines.add("[" + table + "]");
            tableLines.put(table, lines.size() - 1);
            insertAt = lines.size();
        }
        lines.add(insertAt, key + " = " + rendered);
        shiftFrom(insertAt);
        entries.put(dottedKey, new Entry(table, key, normalize(value), insertAt));
    }

    /** Removes {@code table.key} if present (its line goes; the table header stays). */
    public void remove(String dottedKey) {
        Entry old = entries.remove(dottedKey);
        if (old == null) {
            return;
        }
        lines.remove(old.line());
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry v = e.getValue();
            if (v.line() > old.line()) {
                e.setValue(new Entry(v.table(), v.key(), v.value(), v.line() - 1));
            }
        }
        tableLines.replaceAll((t, l) -> l > old.line() ? l - 1 : l);
    }

    private int firstHeaderLine() {
        return tableLines.values().stream().min(Integer::compare).orElse(lines.size());
    }

    private void shiftFrom(int inserted) {
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry v = e.getValue();
            if (v.line() >= inserted) {
                e.setValue(new Entry(v.table(), v.key(), v.value(), v.line() + 1));
            }
        }
        tableLines.replaceAll((t, l) -> l >= inserted ? l + 1 : l);
    }

    private static Object normalize(Object value) {
        if (value instanceof java.math.BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        return value instanceof Integer i ? Long.valueOf(i) : value;
    }

    /** The document as text, every line as written except the ones {@link #set} changed. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /** A copy that can be changed without touching this one. */
    public TomlDocument copy() {
        return parse(render());
    }
}
