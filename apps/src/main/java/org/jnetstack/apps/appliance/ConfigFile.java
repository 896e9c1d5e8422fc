package org.jnetstack.apps.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The appliance's configuration: the file as the human wrote it, the command line's overrides
 * on top, and the validated {@link ApplianceConfig} of the two. A change (from the admin page)
 * is validated with the overrides applied, then written to the file atomically — only the keys
 * that changed, so the human's comments and layout stay — and only then becomes current.
 * Thread-safe: changes are serialized.
 */
public final class ConfigFile {
    private final Path path;
    private TomlDocument file;
    private final Map<String, Object> overrides;
    private ApplianceConfig current;

    private ConfigFile(Path path, TomlDocument file, Map<String, Object> overrides) {
        this.path = path;
        this.file = file;
        this.overrides = new LinkedHashMap<>(overrides);
        this.current = ConfigReader.read(effective(file));
    }

    /**
     * Reads and validates {@code path} (null: no file, the command line alone) with {@code overrides}
     * ({@code table.key} to value, as the file would hold them).
     *
     * @throws ConfigException naming the file and every problem
     * @throws IOException when the file cannot be read
     */
    public static ConfigFile load(Path path, Map<String, Object> overrides) throws IOException {
        TomlDocument doc = TomlDocument.empty();
        String where = path == null ? "command line" : path.toString();
        if (path != null) {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
            } catch (NoSuchFileException e) {
                throw new IOException("config file " + path + " does not exist", e);
            } catch (CharacterCodingException e) {
                throw new ConfigException(where + ": not UTF-8 text (TOML files are UTF-8)");
            }
            try {
                doc = TomlDocument.parse(text);
            } catch (ConfigException e) {
                throw e.in(where);
            }
        }
        try {
            return new ConfigFile(path, doc, overrides);
        } catch (ConfigException e) {
            throw e.in(where);
        }
    }

    private TomlDocument effective(TomlDocument base) {
        TomlDocument d = base.copy();
        // a null override removes the file's key (a serial line given on the command line replaces the file's)
        overrides.forEach((k, v) -> {
            if (v == null) {
                d.remove(k);
            } else {
                d.set(k, v);
            }
        });
        return d;
    }

    /** The file, or null when the appliance runs from the command line alone. */
    public Path path() {
        return path;
    }

    public synchronized ApplianceConfig current() {
        return current;
    }

    /** The value in force for {@code table.key} (the file's, or the command line's), or null. */
    public synchronized Object value(String key) {
        return overrides.containsKey(key) ? overrides.get(key) : file.get(key);
    }

    /** True when the command line sets {@code table.key}: a change to the file does not take effect then. */
    public boolean overridden(String key) {
        return overrides.containsKey(key);
    }

    /**
     * Validates {@code edits} ({@code table.key} to a value, or to null to remove the key), writes
     * them to the file atomically and makes the result current.
     *
     * @return the new configuration
     * @throws ConfigException when the result would be invalid (nothing was written)
     * @throws IOException when the file cannot be written (nothing changed)
     */
    public synchronized ApplianceConfig change(Map<String, Object> edits) throws IOException {
        TomlDocument next = file.copy();
        edits.forEach((k, v) -> {
            if (v == null) {
                next.remove(k);
            } else {
                next.set(k, v);
            }
        });
        TomlDocument eff = effective(next);
        ApplianceConfig validated = ConfigReader.read(eff);
        if (path != null) {
            AtomicFile.write(path, next.render().getBytes(StandardCharsets.UTF_8));
        }
        file = next;
        current = validated;
        return validated;
    }

    /**
     * Replaces a plain {@code password} in the file by its {@code password_hash}, so the file
     * stops holding the password itself. Returns true when it did.
     */
    public synchronized boolean hashPlainPassword() throws IOException {
        return hashPlain("admin");
    }

    /** The same for {@code [serial] password}. */
    public synchronized boolean hashPlainSerialPassword() throws IOException {
        return hashPlain("serial");
    }

    private boolean hashPlain(String table) throws IOException {
        Object plain = file.get(table + ".password");
        if (!(plain instanceof String p)) {
            return false;
        }
        Map<String, Object> edits = new LinkedHashMap<>();
        edits.put(table + ".password_hash", PasswordHash.hash(p));
        edits.put(table + ".password", null);
        change(edits);
        return true;
    }

    /** The file's text as it stands (for tests and display). */
    public synchronized String fileText() {
        return file.render();
    }
}
