package org.jnetstack.apps.tftp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link TftpServer} can be told, each with its default and its reason. Built with
 * {@link #builder(Path)}; the constructor checks every value and says what is accepted.
 *
 * @param root the directory served; no request reaches outside it ({@code ..}, absolute
 *     paths and symbolic links are all resolved against it and refused if they leave it)
 * @param port the request port (RFC 1350: 69)
 * @param writable accept write requests (WRQ); off by default — TFTP has no authentication
 * @param overwrite when writable, may a write replace an existing file (else "file exists")
 * @param maxWriteBytes the largest file a write may create; more ends it with "disk full"
 * @param maxBlockSize the largest blksize granted (RFC 2348 allows 8–65464); a larger
 *     request is answered with this value
 * @param initialTimeout retransmission timeout before a round-trip time is measured; backing
 *     off doubles it up to four times this (RFC 1350 leaves the values to the implementation;
 *     clients use 1–5 s)
 * @param minTimeout the smallest adaptive retransmission timeout, when the client did not fix
 *     one with the RFC 2349 timeout option
 * @param maxRetries retransmissions of one packet before the transfer is given up
 * @param maxTransfers transfers at the same time; more are refused with an error
 * @param unansweredRetries retransmissions of a transfer's first packet (DATA 1, OACK or ACK 0)
 *     while the client has not answered anything; then the transfer ends without an error packet.
 *     A request's source address is unproven until the client answers, and may be spoofed: this
 *     bounds what one forged RRQ makes us send to its victim to 1 + this many packets (RFC 1350
 *     gives no number; 8 resends of a 516-byte DATA per 20-byte RRQ was a 200x amplifier). A real
 *     client whose first packet is lost this often sends its request again and starts afresh.
 * @param maxUnanswered transfers at the same time whose client has not answered yet; requests
 *     beyond it are dropped silently (counted in {@code tftp.requests.dropped_unanswered}). This is
 *     the global budget of what forged requests can make the server send: at most this many
 *     first packets (and their resends) in flight toward addresses that never answered
 */
public record TftpOptions(Path root, int port, boolean writable, boolean overwrite, long maxWriteBytes,
        int maxBlockSize, Duration initialTimeout, Duration minTimeout, int maxRetries, int maxTransfers,
        int unansweredRetries, int maxUnanswered) {
    public static final int DEFAULT_PORT = 69;
    public static final long DEFAULT_MAX_WRITE_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_INITIAL_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MIN_TIMEOUT = Duration.ofMillis(100);
    public static final int DEFAULT_MAX_RETRIES = 8;
    public static final int DEFAULT_MAX_TRANSFERS = 64;
    public static final int DEFAULT_UNANSWERED_RETRIES = 1;
    public static final int DEFAULT_MAX_UNANSWERED = 16;

    public TftpOptions {
        Objects.requireNonNull(root, "tftp root");
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("tftp root " + root + " is not a directory");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("tftp port must be 1-65535: " + port);
        }
        if (maxWriteBytes < 0) {
            throw new IllegalArgumentException("tftp max write size must be 0 or more bytes: " + maxWriteBytes);
        }
        if (maxBlockSize < TftpPacket.MIN_BLOCK_SIZE || maxBlockSize > TftpPacket.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("tftp max block size must be " + TftpPacket.MIN_BLOCK_SIZE + "-"
                    + TftpPacket.MAX_BLOCK_SIZE + " (RFC 2348): " + maxBlockSize);
        }
        Objects.requireNonNull(initialTimeout, "initialTimeout");
        Objects.requireNonNull(minTimeout, "minTimeout");
        if (minTimeout.isNegative() || minTimeout.isZero() || initialTimeout.compareTo(minTimeout) < 0) {
            throw new IllegalArgumentException("tftp timeouts need 0 < minimum <= initial: minimum " + minTimeout
                    + ", initial " + initialTimeout);
        }
        if (initialTimeout.compareTo(Duration.ofSeconds(255)) > 0) {
            throw new IllegalArgumentException("tftp initial timeout must be at most 255 s (RFC 2349): " + initialTimeout);
        }
        if (maxRetries < 1 || maxRetries > 100) {
            throw new IllegalArgumentException("tftp retries must be 1-100: " + maxRetries);
        }
        if (maxTransfers < 1) {
            throw new IllegalArgumentException("tftp max transfers must be at least 1: " + maxTransfers);
        }
        if (unansweredRetries < 0 || unansweredRetries > maxRetries) {
            throw new IllegalArgumentException("tftp retries before the client answers must be 0-" + maxRetries
                    + " (the retries): " + unansweredRetries);
        }
        if (maxUnanswered < 1) {
            throw new IllegalArgumentException("tftp max unanswered transfers must be at least 1: " + maxUnanswered);
        }
    }

    /**
     * Defaults: port 69, read-only, 64 MiB write limit, blksize up to 65464, 1 s / 100 ms timeouts, 8 retries
     * (1 before the client answered), 64 transfers (16 of them unanswered).
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    public static final class Builder {
        private final Path root;
        private int port = DEFAULT_PORT;
        private boolean writable;
        private boolean overwrite = true;
        private long maxWriteBytes = DEFAULT_MAX_WRITE_BYTES;
        private int maxBlockSize = TftpPacket.MAX_BLOCK_SIZE;
        private Duration initialTimeout = DEFAULT_INITIAL_TIMEOUT;
        private Duration minTimeout = DEFAULT_MIN_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private int maxTransfers = DEFAULT_MAX_TRANSFERS;
        private int unansweredRetries = DEFAULT_UNANSWERED_RETRIES;
        private int maxUnanswered = DEFAULT_MAX_UNANSWERED;

        private Builder(Path root) {
            this.root = root;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder writable(boolean writable) {
            this.writable = writable;
            return this;
        }

        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        public Builder maxWriteBytes(long bytes) {
            this.maxWriteBytes = bytes;
            return this;
        }

        public Builder maxBlockSize(int bytes) {
            this.maxBlockSize = bytes;
            return this;
        }

        public Builder initialTimeout(Duration timeout) {
            this.initialTimeout = timeout;
            return this;
        }

        public Builder minTimeout(Duration timeout) {
            this.minTimeout = timeout;
            return this;
        }

        public Builder maxRetries(int retries) {
            this.maxRetries = retries;
            return this;
        }

        public Builder maxTransfers(int transfers) {
            this.maxTransfers = transfers;
            return this;
        }

        public Builder unansweredRetries(int retries) {
            this.unansweredRetries = retries;
            return this;
        }

        public Builder maxUnanswered(int transfers) {
            this.maxUnanswered = transfers;
            return this;
        }

        public TftpOptions build() {
            return new TftpOptions(root, port, writable, overwrite, maxWriteBytes, maxBlockSize, initialTimeout,
                    minTimeout, maxRetries, maxTransfers, Math.min(unansweredRetries, maxRetries), maxUnanswered);
        }
    }
}
