package org.jnetstack.apps.serial;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.jnetstack.apps.appliance.PasswordHash;

/**
 * The console's password: a {@link PasswordHash} string (PBKDF2, ~0.1 s to check, so the
 * bridge checks it off the event loop), or a plain password or token (from a password file,
 * checked at once in constant time). {@link #toString()} never shows either.
 */
public final class SerialPassword {
    /** Shortest plain password accepted, as for the admin page. */
    public static final int MIN_LENGTH = 8;

    private final String plain;
    private final String hash;

    private SerialPassword(String plain, String hash) {
        this.plain = plain;
        this.hash = hash;
    }

    /** A plain password or token of at least {@link #MIN_LENGTH} characters. */
    public static SerialPassword plain(String password) {
        Objects.requireNonNull(password, "password");
        if (password.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the serial console password is too short: expected at least " + MIN_LENGTH
                    + " characters");
        }
        return new SerialPassword(password, null);
    }

    /** A hash in the {@link PasswordHash#FORMAT} format. */
    public static SerialPassword hashed(String passwordHash) {
        if (!PasswordHash.isWellFormed(passwordHash)) {
            throw new IllegalArgumentException("the serial console password hash is not of the form " + PasswordHash.FORMAT);
        }
        return new SerialPassword(null, passwordHash);
    }

    /** True when checking takes long enough (PBKDF2) that it must not run on the event loop. */
    boolean isSlow() {
        return hash != null;
    }

    /** True when {@code typed} is the password; constant time in the password's content. */
    boolean matches(String typed) {
        if (typed == null) {
            return false;
        }
        if (hash != null) {
            return PasswordHash.verify(typed, hash);
        }
        return MessageDigest.isEqual(sha256(typed), sha256(plain));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerialPassword p && Objects.equals(plain, p.plain) && Objects.equals(hash, p.hash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(plain, hash);
    }

    @Override
    public String toString() {
        return hash != null ? "SerialPassword[hashed]" : "SerialPassword[plain]";
    }
}
