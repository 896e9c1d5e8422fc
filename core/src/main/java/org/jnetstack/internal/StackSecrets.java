package org.jnetstack.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.jnetstack.util.RandomStreams;

/**
 * Where a stack's secrets come from: one independent 128-bit key per purpose (ISNs, SYN
 * cookies, ephemeral ports, IPv4 ids, DHCP xids, DNS ids, ...), so that nothing seen on the wire
 * for one purpose says anything about another's key or values.
 *
 * <p>Unseeded (the default), every key is 16 fresh bytes from {@link SecureRandom}. With an
 * explicit seed (a reproducible simulation) every key is derived from the seed through SHA-256
 * with the purpose's name and how many keys of that purpose came before, so keys stay
 * independent of each other and the same seed gives the same keys in every run. A seeded stack
 * is only as secret as its seed: for simulations and tests, never for a real network.
 *
 * <p>Per-packet values never call into here: a purpose takes a {@link SipHash} (a keyed PRF over
 * packet fields) or a {@link #newStream stream} (the PRF over a counter) once, and uses it on the
 * loop thread without allocating or blocking. Thread-safe (keys may be made on any thread).
 */
public final class StackSecrets implements RandomStreams {
    private static final byte[] DOMAIN = "jnetstack seeded key derivation v1".getBytes(StandardCharsets.US_ASCII);

    private final Long seed;
    private final SecureRandom secure;
    private final Map<String, Integer> derived = new HashMap<>();

    private StackSecrets(Long seed) {
        this.seed = seed;
        this.secure = seed == null ? new SecureRandom() : null;
    }

    /** Keys from {@link SecureRandom}: what every real stack uses. */
    /** The secrets behind {@code streams}, which a stack handed out ({@code Ipv4.secrets()}). */
    public static StackSecrets from(RandomStreams streams) {
        if (streams instanceof StackSecrets s) {
            return s;
        }
        throw new IllegalArgumentException("not a stack's secrets (NetStack makes them): " + streams);
    }

    public static StackSecrets secure() {
        return new StackSecrets(null);
    }

    /** Keys derived from {@code seed}: reproducible, and exactly as secret as the seed. */
    public static StackSecrets seeded(long seed) {
        return new StackSecrets(seed);
    }

    /** {@link #seeded} if a seed is present, else {@link #secure}. */
    public static StackSecrets of(OptionalLong seed) {
        return seed.isPresent() ? seeded(seed.getAsLong()) : secure();
    }

    /** True if the keys come from a seed (a simulation). */
    public boolean isSeeded() {
        return seed != null;
    }

    /** A PRF with a new key for {@code purpose} (a name such as {@code "tcp.isn"}). */
    public SipHash newPrf(String purpose) {
        long[] k = newKey(purpose);
        return new SipHash(k[0], k[1]);
    }

    /** A hash for table keys ({@link SipHash#forTables}) with a new key for {@code purpose}. */
    public SipHash newTableHash(String purpose) {
        long[] k = newKey(purpose);
        return SipHash.forTables(k[0], k[1]);
    }

    /** Gives {@code prf} a new key for {@code purpose} (a key rotation). */
    public void rekey(SipHash prf, String purpose) {
        long[] k = newKey(purpose);
        prf.rekey(k[0], k[1]);
    }

    /**
     * A random stream of its own for {@code purpose}: SipHash of a counter under a new key (a PRF
     * in counter mode), so its outputs may go on the wire raw without revealing the key or any
     * other purpose's values. Allocation-free; single-threaded.
     */
    @Override
    public RandomGenerator newStream(String purpose) {
        return new KeyStream(newPrf(purpose));
    }

    private synchronized long[] newKey(String purpose) {
        if (seed == null) {
            return new long[] {secure.nextLong(), secure.nextLong()};
        }
        int n = derived.merge(purpose, 1, Integer::sum) - 1;
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        sha.update(DOMAIN);
        sha.update(ByteBuffer.allocate(8).putLong(seed).array());
        byte[] name = purpose.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(name.length).array());
        sha.update(name);
        sha.update(ByteBuffer.allocate(4).putInt(n).array());
        ByteBuffer d = ByteBuffer.wrap(sha.digest()).order(ByteOrder.LITTLE_ENDIAN);
        return new long[] {d.getLong(0), d.getLong(8)};
    }

    /** A PRF in counter mode. */
    private static final class KeyStream implements RandomGenerator {
        private final SipHash prf;
        private long counter;

        KeyStream(SipHash prf) {
            this.prf = prf;
        }

        @Override
        public long nextLong() {
            return prf.hash(counter++);
        }
    }
}
