package org.jnetstack.apps.appliance;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The admin password as the config file stores it: PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-256, a
 * random 16-byte salt and 210,000 iterations (OWASP's 2023 figure for this PRF), written
 * {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} with salt and hash in unpadded Base64.
 */
public final class PasswordHash {
    public static final String FORMAT = "pbkdf2-sha256$ITERATIONS$SALT$HASH";
    private static final String PREFIX = "pbkdf2-sha256";
    static final int ITERATIONS = 210_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    /** A new hash of {@code password} with a fresh salt. */
    public static String hash(String password) {
        return hash(password, ITERATIONS);
    }

    static String hash(String password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    /** True when {@code password} matches {@code stored}; compares in constant time. */
    public static boolean verify(String password, String stored) {
        if (!isWellFormed(stored)) {
            return false;
        }
        String[] p = stored.split("\\$");
        byte[] salt = Base64.getDecoder().decode(p[2]);
        byte[] expected = Base64.getDecoder().decode(p[3]);
        return MessageDigest.isEqual(expected, derive(password, salt, Integer.parseInt(p[1])));
    }

    public static boolean isWellFormed(String stored) {
        String[] p = stored.split("\\$");
        if (p.length != 4 || !p[0].equals(PREFIX) || !p[1].matches("[1-9][0-9]{3,6}")) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(p[2]).length >= 8 && Base64.getDecoder().decode(p[3]).length == HASH_BITS / 8;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
