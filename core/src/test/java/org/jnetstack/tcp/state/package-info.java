/**
 * Per-state TCP tests in the manner of smoltcp's socket tests: one stack opposite a
 * {@link org.jnetstack.tcp.state.ScriptedPeer} that crafts each segment with the wire codecs
 * and parses each answer; {@link org.jnetstack.tcp.state.StateFixture} brings a connection to
 * any state of RFC 9293 §3.3.2 segment by segment; a test class a state asserts the exact
 * answer (sequence and acknowledgment numbers, flags, window, SACK blocks) the event
 * processing of RFC 9293 §3.10.7 and RFC 5961 call for. Only the stack's public API is used.
 */
package org.jnetstack.tcp.state;
