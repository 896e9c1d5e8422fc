package org.jnetstack.apps.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import org.jnetstack.config.StackConfig;

/**
 * The appliance's RFC 7217 secret (§5 secret_key) for stable IPv6 interface identifiers, kept
 * where the appliance keeps its configuration so that its link-local and SLAAC addresses stay the
 * same across restarts (§4): the config file's {@code [addressing] ipv6_secret}, or, when the
 * appliance runs without a config file, a state file of its own ({@link #defaultStateFile()}).
 * A missing secret is drawn from {@link SecureRandom} and written, atomically and readable by the
 * owner only; it is a key, never shown on the status page.
 */
public final class StableSecret {
    /** The config file's key. */
    public static final String KEY = "addressing.ipv6_secret";

    private StableSecret() {
    }

    /** Where a secret made; null when it was already stored. */
    public record Obtained(String secret, Path storedIn) {
    }

    /**
     * The secret in force: the config file's, else (no config file) the state file's; a new one
     * is written there when there is none.
     *
     * @throws IOException when a new secret cannot be written (the caller may run on a fresh one)
     */
    public static Obtained obtain(ConfigFile file, Path stateFile) throws IOException {
        if (file.path() != null) {
            String s = file.current().addressing().ipv6Secret();
            if (s != null) {
                return new Obtained(s, null);
            }
            String made = fresh();
            file.change(Map.of(KEY, made));
            return new Obtained(made, file.path());
        }
        try {
            String s = Files.readString(stateFile, StandardCharsets.US_ASCII).trim();
            StackConfig.parseStableSecret(s);
            return new Obtained(s, null);
        } catch (NoSuchFileException | IllegalArgumentException e) {
            // none yet, or not one we wrote: a new one
        }
        String made = fresh();
        Files.createDirectories(stateFile.toAbsolutePath().getParent());
        AtomicFile.write(stateFile, (made + "\n").getBytes(StandardCharsets.US_ASCII));
        return new Obtained(made, stateFile);
    }

    /** 128 bits from {@link SecureRandom}, as 32 hex digits. */
    static String fresh() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * The state file of an appliance run without a config file: {@code jnetstack/ipv6-secret}
     * under {@code $XDG_STATE_HOME}, by default {@code ~/.local/state} (the XDG base directory
     * specification's place for state that should persist between restarts); the system property
     * {@code jns.state.dir} names another directory.
     */
    public static Path defaultStateFile() {
        String dir = System.getProperty("jns.state.dir");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir, "ipv6-secret");
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("jnetstack").resolve("ipv6-secret");
    }
}
