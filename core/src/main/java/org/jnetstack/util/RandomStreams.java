package org.jnetstack.util;

import java.util.random.RandomGenerator;

/**
 * A stack's source of randomness: an independent stream for each purpose, from the stack's seed
 * (a reproducible simulation, {@code NetStack.Builder.seed}) or from fresh secure random bytes.
 * A protocol built on the stack takes its own stream once, by a name of its own, so that nothing
 * its values show says anything about another purpose's.
 */
public interface RandomStreams {
    /** A new stream for {@code purpose}; the same seed and purpose give the same stream in every run. */
    RandomGenerator newStream(String purpose);
}
