/**
 * Helpers the stack's own packages share and an embedding program has no use for: the
 * open-addressing maps, the memory budget, rate limiters, SipHash and the per-stack secrets
 * keyed from it. The module does not export this package; its types may change at any time.
 */
package org.jnetstack.internal;
