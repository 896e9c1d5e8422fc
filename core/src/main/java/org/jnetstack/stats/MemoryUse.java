package org.jnetstack.stats;

/**
 * What a stack's memory budget holds, read-only: every buffer and queue of data (TCP buffers,
 * UDP queues, reassembly, frames waiting for ARP) is charged to one budget per stack, and the
 * stack refuses new work before it passes the limit ({@code StackConfig.memoryBudget}). Loop
 * thread (a snapshot from elsewhere may be stale).
 */
public interface MemoryUse {
    /** The most that may be charged, in bytes. */
    long limit();

    /** Bytes charged now. */
    long used();

    /** The most ever charged at once. */
    long peak();

    /** Bytes of buffers given back and kept for reuse (not charged). */
    long cachedBytes();

    /** True above the pressure level: new work is refused and nothing that can wait grows. */
    boolean underPressure();
}
